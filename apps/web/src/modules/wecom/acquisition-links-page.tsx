import { CopyOutlined, DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Input,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  type AcquisitionLink,
  acquisitionKeys,
  useAcquisitionDaily,
  useAcquisitionLinks,
  useAcquisitionQuota,
} from './acquisition-api';
import { useCorps, useStaff } from './wecom-api';

type Editing = { mode: 'new' } | { mode: 'edit'; link: AcquisitionLink } | null;

function LinkEditor({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const corps = useCorps();
  const [form] = Form.useForm();
  const link = editing?.mode === 'edit' ? editing.link : null;
  const corpRef = Form.useWatch('corpRef', form) ?? link?.corpRef ?? null;
  const staff = useStaff(corpRef);
  const save = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      link
        ? http.patch<AcquisitionLink>(`/wecom/acquisition-links/${link.id}`, v)
        : http.post<AcquisitionLink>('/wecom/acquisition-links', v),
    onSuccess: () => {
      onClose();
      void qc.invalidateQueries({ queryKey: acquisitionKeys.links() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Drawer
      open={!!editing}
      onClose={onClose}
      width={isMobile ? '100%' : 520}
      title={t(link ? 'wecom.acquisition.edit' : 'wecom.acquisition.new')}
      destroyOnHidden
      extra={
        <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="link-save">
          {t('common.save')}
        </Button>
      }
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={link ?? { skipVerify: true, corpRef: corps.data?.items[0]?.id }}
        onFinish={(v) => {
          const { corpRef: c, state, ...rest } = v;
          save.mutate(link ? rest : { ...rest, corpRef: c, state });
        }}
      >
        <Form.Item name="corpRef" label={t('wecom.acquisition.corp')} rules={[{ required: true }]}>
          <Select
            disabled={!!link}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
        <Form.Item
          name="name"
          label={t('wecom.acquisition.name')}
          extra={t('wecom.acquisition.nameHelp')}
          rules={[{ required: true, max: 30 }]}
        >
          <Input maxLength={30} showCount data-testid="link-name" />
        </Form.Item>
        <Form.Item
          name="state"
          label={t('wecom.acquisition.state')}
          extra={t('wecom.acquisition.stateHelp')}
          rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{1,30}$/ }]}
        >
          <Input maxLength={30} disabled={!!link} data-testid="link-state" />
        </Form.Item>
        <Form.Item name="staff" label={t('wecom.acquisition.staff')} rules={[{ required: true }]}>
          <Select
            mode="multiple"
            data-testid="link-staff"
            loading={staff.isPending && !!corpRef}
            options={(staff.data?.items ?? [])
              .filter((s) => s.active)
              .map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
            optionFilterProp="label"
          />
        </Form.Item>
        <Form.Item name="skipVerify" label={t('wecom.acquisition.skipVerify')} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

function CopyButton({ url }: { url: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  return (
    <Button
      size="small"
      icon={<CopyOutlined />}
      onClick={() =>
        navigator.clipboard?.writeText(url).then(
          () => message.success(t('wecom.acquisition.copied')),
          () => undefined,
        )
      }
    >
      {t('wecom.acquisition.copy')}
    </Button>
  );
}

function LinkDetail({ link, onClose }: { link: AcquisitionLink | null; onClose: () => void }) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const daily = useAcquisitionDaily(link?.id ?? null);
  const days = daily.data?.items ?? [];
  return (
    <Drawer open={!!link} onClose={onClose} width={isMobile ? '100%' : 640} title={link?.name}>
      {link && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Card size="small" title={t('wecom.acquisition.url')}>
            <Typography.Paragraph copyable={{ text: link.url }} style={{ wordBreak: 'break-all' }}>
              {link.url}
            </Typography.Paragraph>
            <Typography.Text>
              {t('wecom.acquisition.addsToday')}: {link.addsToday} · {t('wecom.acquisition.addsTotal')}:{' '}
              {link.addsTotal}
            </Typography.Text>
          </Card>
          <Card size="small" title={t('wecom.acquisition.perDay')}>
            <EChart
              height={220}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 32, right: 12, top: 16, bottom: 24 },
                xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: t('wecom.acquisition.addsToday'), type: 'bar', data: days.map((d) => d.adds) },
                ],
              }}
            />
          </Card>
        </Space>
      )}
    </Drawer>
  );
}

/** Quota of one corp, and WeCom's last balance warning as a banner people cannot miss. */
function QuotaBanner({ corpRef, corpName }: { corpRef: string; corpName: string }) {
  const { t } = useTranslation();
  const quota = useAcquisitionQuota(corpRef);
  if (!quota.data) return null;
  const q = quota.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {q.alert && (
        <Alert
          type={q.alert.kind === 'balance_exhausted' ? 'error' : 'warning'}
          showIcon
          data-testid={`quota-${q.alert.kind}`}
          message={`${corpName} · ${t(`wecom.acquisition.${q.alert.kind}`)}`}
        />
      )}
      <Typography.Text type="secondary">
        {corpName} · {t('wecom.acquisition.quota')}:{' '}
        {q.balance === null
          ? t('wecom.acquisition.quotaUnknown')
          : t('wecom.acquisition.quotaLeft', { balance: q.balance, total: q.total ?? '—' })}
      </Typography.Text>
    </Space>
  );
}

export function AcquisitionLinksPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const links = useAcquisitionLinks();
  const corps = useCorps();
  const [editing, setEditing] = useState<Editing>(null);
  const [shown, setShown] = useState<AcquisitionLink | null>(null);
  const remove = useMutation({
    mutationFn: (l: AcquisitionLink) => http.del(`/wecom/acquisition-links/${l.id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: acquisitionKeys.links() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const manage = can('wecom:manage');
  const items = links.data?.items ?? [];
  return (
    <div className="kehu-page" data-testid="wecom-acquisition-links">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.acquisition.title')}
        </Typography.Title>
        {manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ mode: 'new' })}
            data-testid="link-new"
          >
            {t('wecom.acquisition.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('wecom.acquisition.intro')}</Typography.Paragraph>
      <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }}>
        {(corps.data?.items ?? []).map((c) => (
          <QuotaBanner key={c.id} corpRef={c.id} corpName={c.name} />
        ))}
      </Space>
      {links.error ? (
        <ErrorResult error={links.error} onRetry={() => links.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={links.isPending}
            dataSource={items}
            pagination={false}
            locale={{
              emptyText: (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wecom.acquisition.empty')} />
              ),
            }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('wecom.acquisition.name'),
                dataIndex: 'name',
                render: (v: string, l: AcquisitionLink) => (
                  <Typography.Link onClick={() => setShown(l)}>{v}</Typography.Link>
                ),
              },
              { title: t('wecom.acquisition.state'), dataIndex: 'state', responsive: ['md'] },
              {
                title: t('wecom.acquisition.staff'),
                dataIndex: 'staff',
                responsive: ['lg'],
                render: (s: string[]) => s.join('、'),
              },
              { title: t('wecom.acquisition.addsToday'), dataIndex: 'addsToday', align: 'right' },
              {
                title: t('wecom.acquisition.addsTotal'),
                dataIndex: 'addsTotal',
                align: 'right',
                responsive: ['md'],
              },
              {
                key: 'actions',
                render: (_: unknown, l: AcquisitionLink) => (
                  <Space>
                    <CopyButton url={l.url} />
                    {manage && (
                      <>
                        <Button
                          size="small"
                          type="text"
                          icon={<EditOutlined />}
                          aria-label={t('wecom.acquisition.edit')}
                          onClick={() => setEditing({ mode: 'edit', link: l })}
                        />
                        <Popconfirm
                          title={t('wecom.acquisition.deleteConfirm')}
                          onConfirm={() => remove.mutate(l)}
                        >
                          <Button
                            size="small"
                            type="text"
                            danger
                            icon={<DeleteOutlined />}
                            aria-label={t('common.delete')}
                          />
                        </Popconfirm>
                      </>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
      <LinkEditor editing={editing} onClose={() => setEditing(null)} />
      <LinkDetail link={shown} onClose={() => setShown(null)} />
    </div>
  );
}
