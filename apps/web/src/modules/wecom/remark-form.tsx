import type { RemarkList, RemarkRow } from '@kehu/contracts/wecom-transfers';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Drawer, Form, Input, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { ApiError, http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';

export const remarkKeys = {
  of: (q: Record<string, string>) => ['wecom', 'remarks', q] as const,
};
export const useRemarks = (q: Record<string, string>, enabled = true) =>
  useQuery({
    queryKey: remarkKeys.of(q),
    queryFn: () => http.get<RemarkList>('/wecom/contact-remarks', q),
    enabled,
  });

type Values = { remark?: string; description?: string; remarkMobiles?: string[]; remarkCompany?: string };
const PHONE = /^\+?[0-9-]{5,20}$/;

/**
 * 客户备注 form: remark, description, phones and company of one staff member's relation with a
 * customer, saved to WeCom (externalcontact/remark). WeCom's limits are checked here and again by
 * the server (its field errors land on the fields); someone else's save meanwhile is a 409 and the
 * form offers the latest version.
 */
export function RemarkForm({ row, onClose }: { row: RemarkRow | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const [form] = Form.useForm<Values>();
  const [stale, setStale] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    if (!row) return;
    setStale(false);
    setVersion(row.version);
    form.resetFields();
    form.setFieldsValue({
      remark: row.remark ?? '',
      description: row.description ?? '',
      remarkMobiles: row.remarkMobiles,
      remarkCompany: row.remarkCompany ?? '',
    });
  }, [row, form]);
  const reload = async () => {
    if (!row) return;
    const fresh = await http.get<RemarkList>('/wecom/contact-remarks', {
      corpRef: row.corpRef,
      externalUserid: row.externalUserid,
    });
    const r = fresh.items.find((x) => x.userid === row.userid);
    if (!r) return;
    setVersion(r.version);
    setStale(false);
    form.setFieldsValue({
      remark: r.remark ?? '',
      description: r.description ?? '',
      remarkMobiles: r.remarkMobiles,
      remarkCompany: r.remarkCompany ?? '',
    });
  };
  const save = useMutation({
    mutationFn: (v: Values) =>
      http.put('/wecom/contact-remarks', {
        corpRef: row!.corpRef,
        externalUserid: row!.externalUserid,
        userid: row!.userid,
        version,
        remark: v.remark ?? '',
        description: v.description ?? '',
        remarkMobiles: v.remarkMobiles ?? [],
        remarkCompany: v.remarkCompany ?? '',
      }),
    onSuccess: () => {
      message.success(t('wecom.remarks.saved'));
      void qc.invalidateQueries({ queryKey: ['wecom', 'remarks'] });
      onClose();
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 409) return setStale(true);
      if (e instanceof ApiError && e.problem.errors?.length)
        return form.setFields(
          e.problem.errors.map((f) => ({
            name: f.field.split('.')[0] as keyof Values,
            errors: [f.message ?? f.code ?? ''],
          })),
        );
      message.error(errorMessage(e));
    },
  });
  return (
    <Drawer
      open={!!row}
      onClose={onClose}
      width={isMobile ? '100%' : 480}
      title={t('wecom.remarks.title')}
      destroyOnHidden
      extra={
        <Button
          type="primary"
          loading={save.isPending}
          onClick={() => form.submit()}
          data-testid="remark-save"
        >
          {t('common.save')}
        </Button>
      }
    >
      {row && (
        <Typography.Paragraph type="secondary">
          {t('wecom.remarks.of', {
            customer: row.name ?? row.externalUserid,
            staff: row.staffName ?? row.userid,
          })}
        </Typography.Paragraph>
      )}
      {stale && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('wecom.remarks.stale')}
          data-testid="remark-stale"
          action={
            <Button size="small" onClick={() => void reload()}>
              {t('wecom.remarks.reload')}
            </Button>
          }
        />
      )}
      {/* Counters show WeCom's limits without cutting the input: an over-long value turns red and the
          rule says why, instead of silently losing characters. */}
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} data-testid="remark-form">
        <Form.Item
          name="remark"
          label={t('wecom.remarks.remark')}
          rules={[{ max: 20, message: t('wecom.remarks.max', { n: 20 }) }]}
        >
          <Input count={{ show: true, max: 20 }} data-testid="remark-remark" />
        </Form.Item>
        <Form.Item
          name="description"
          label={t('wecom.remarks.description')}
          rules={[{ max: 150, message: t('wecom.remarks.max', { n: 150 }) }]}
        >
          <Input.TextArea rows={3} count={{ show: true, max: 150 }} data-testid="remark-description" />
        </Form.Item>
        <Form.Item
          name="remarkMobiles"
          label={t('wecom.remarks.mobiles')}
          extra={t('wecom.remarks.mobilesHelp')}
          rules={[
            {
              validator: async (_, v: string[] | undefined) => {
                if ((v ?? []).length > 5) throw new Error(t('wecom.remarks.maxPhones'));
                if ((v ?? []).some((p) => !PHONE.test(p))) throw new Error(t('wecom.remarks.phoneFormat'));
              },
            },
          ]}
        >
          <Select mode="tags" open={false} tokenSeparators={[',', ' ', '，']} data-testid="remark-mobiles" />
        </Form.Item>
        <Form.Item
          name="remarkCompany"
          label={t('wecom.remarks.company')}
          rules={[{ max: 20, message: t('wecom.remarks.max', { n: 20 }) }]}
        >
          <Input count={{ show: true, max: 20 }} data-testid="remark-company" />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

/** On a CRM contact: its WeCom relations, each with an edit button for the remark form. */
export function RecordRemarksPanel({ object, id }: { object: string; id: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const [editing, setEditing] = useState<RemarkRow | null>(null);
  const rows = useRemarks({ contactId: id }, object === 'contact' && can('wecom:read'));
  const items = rows.data?.items ?? [];
  if (object !== 'contact' || !items.length) return null;
  return (
    <Card size="small" title={t('wecom.remarks.panel')} data-testid="wecom-remarks-panel">
      <Space direction="vertical" style={{ width: '100%' }}>
        {items.map((r) => (
          <Space
            key={`${r.corpRef}|${r.userid}`}
            wrap
            style={{ justifyContent: 'space-between', width: '100%' }}
          >
            <Typography.Text>
              {r.staffName ?? r.userid}: {r.remark || '—'}
              {r.remarkCompany ? ` · ${r.remarkCompany}` : ''}
            </Typography.Text>
            {can('wecom:manage') && (
              <Button size="small" onClick={() => setEditing(r)} data-testid="remark-edit">
                {t('wecom.remarks.edit')}
              </Button>
            )}
          </Space>
        ))}
      </Space>
      <RemarkForm row={editing} onClose={() => setEditing(null)} />
    </Card>
  );
}
