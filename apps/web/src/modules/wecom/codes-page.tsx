import {
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  PlusOutlined,
  PrinterOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { API_BASE, ApiError, http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  type ChannelCode,
  CODE_CHANNELS,
  useCodeStats,
  useCodes,
  useCorps,
  useStaff,
  wecomKeys,
} from './wecom-api';
import { foldAttachmentErrors, WelcomeAttachmentsField } from './welcome-attachments-field';

type Editing = { mode: 'new' } | { mode: 'edit'; code: ChannelCode } | null;

function CodeEditor({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const corps = useCorps();
  const [form] = Form.useForm();
  const code = editing?.mode === 'edit' ? editing.code : null;
  const corpRef = Form.useWatch('corpRef', form) ?? code?.corpRef ?? null;
  const staff = useStaff(corpRef);
  const save = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      code
        ? http.patch<ChannelCode>(`/wecom/codes/${code.id}`, v)
        : http.post<ChannelCode>('/wecom/codes', v),
    onSuccess: () => {
      onClose();
      void qc.invalidateQueries({ queryKey: wecomKeys.codes() });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.status === 422 && e.problem.errors?.length)
        form.setFields(
          foldAttachmentErrors(e.problem.errors).map((f) => ({
            name: f.field as never,
            errors: [f.message],
          })),
        );
      else message.error(errorMessage(e));
    },
  });
  return (
    <Drawer
      open={!!editing}
      onClose={onClose}
      width={isMobile ? '100%' : 520}
      title={t(code ? 'wecom.codes.edit' : 'wecom.codes.new')}
      destroyOnHidden
      extra={
        <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="code-save">
          {t('common.save')}
        </Button>
      }
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          code
            ? {
                ...code,
                dailyCap: code.dailyCap ?? undefined,
                welcomeAttachments: code.welcomeAttachments.map((a) => a.materialId),
              }
            : {
                channel: 'wecom',
                skipVerify: true,
                corpRef: corps.data?.items[0]?.id,
                tags: [],
                welcomeAttachments: [],
              }
        }
        onFinish={(v) => {
          const { corpRef: c, state, ...rest } = v;
          save.mutate(code ? { ...rest, dailyCap: rest.dailyCap ?? null } : { ...rest, corpRef: c, state });
        }}
      >
        <Form.Item name="corpRef" label={t('wecom.codes.corp')} rules={[{ required: true }]}>
          <Select
            disabled={!!code}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
        <Form.Item name="name" label={t('wecom.codes.name')} rules={[{ required: true }]}>
          <Input maxLength={100} data-testid="code-name" />
        </Form.Item>
        <Form.Item
          name="state"
          label={t('wecom.codes.state')}
          extra={t('wecom.codes.stateHelp')}
          rules={[
            { required: true },
            { pattern: /^[A-Za-z0-9_.-]{1,30}$/, message: t('wecom.codes.stateInvalid') },
          ]}
        >
          <Input maxLength={30} disabled={!!code} data-testid="code-state" />
        </Form.Item>
        <Form.Item name="channel" label={t('wecom.codes.channel')}>
          <Select options={CODE_CHANNELS.map((c) => ({ value: c, label: t(`wecom.channel.${c}`) }))} />
        </Form.Item>
        <Form.Item name="staff" label={t('wecom.codes.staff')} rules={[{ required: true }]}>
          <Select
            mode="multiple"
            data-testid="code-staff"
            loading={staff.isPending && !!corpRef}
            options={(staff.data?.items ?? [])
              .filter((s) => s.active)
              .map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
            optionFilterProp="label"
          />
        </Form.Item>
        <Form.Item name="dailyCap" label={t('wecom.codes.dailyCap')} extra={t('wecom.codes.dailyCapHelp')}>
          <InputNumber min={1} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="skipVerify" label={t('wecom.codes.skipVerify')} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="tags" label={t('wecom.codes.tags')}>
          <Select mode="tags" data-testid="code-tags" />
        </Form.Item>
        <Form.Item name="welcomeText" label={t('wecom.codes.welcome')}>
          <Input.TextArea rows={4} maxLength={4000} showCount data-testid="code-welcome" />
        </Form.Item>
        <WelcomeAttachmentsField current={code?.welcomeAttachments} />
      </Form>
    </Drawer>
  );
}

function CodeDetail({ code, onClose }: { code: ChannelCode | null; onClose: () => void }) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const stats = useCodeStats(code?.id ?? null);
  const qr = code ? `${API_BASE}/wecom/codes/${code.id}/qr` : '';
  const days = stats.data?.days ?? [];
  return (
    <Drawer open={!!code} onClose={onClose} width={isMobile ? '100%' : 640} title={code?.name}>
      {code && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Card size="small" title={t('wecom.codes.qr')}>
            <Space align="start" wrap>
              {code.qrCode && (
                <img
                  src={qr}
                  alt={code.name}
                  width={180}
                  height={180}
                  style={{ border: '1px solid #f0f0f0' }}
                />
              )}
              <Space direction="vertical">
                <Typography.Text>
                  {t('wecom.codes.state')}: <Typography.Text code>{code.state}</Typography.Text>
                </Typography.Text>
                <Typography.Text>
                  {t('wecom.codes.addsToday')}: {code.addsToday} · {t('wecom.codes.addsTotal')}:{' '}
                  {code.addsTotal}
                </Typography.Text>
                {code.qrCode && (
                  <Space wrap>
                    <Button icon={<DownloadOutlined />} href={qr} download={`${code.state}.png`}>
                      {t('wecom.codes.download')}
                    </Button>
                    <Link to={`/wecom/posters/code/${code.id}`}>
                      <Button icon={<PrinterOutlined />}>{t('wecom.joinCodes.poster')}</Button>
                    </Link>
                  </Space>
                )}
              </Space>
            </Space>
          </Card>
          <Card size="small" title={t('wecom.codes.stats')}>
            <EChart
              height={220}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0, data: [t('wecom.codes.adds'), t('wecom.codes.losses')] },
                grid: { left: 32, right: 12, top: 32, bottom: 24 },
                xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: t('wecom.codes.adds'), type: 'bar', data: days.map((d) => d.adds) },
                  { name: t('wecom.codes.losses'), type: 'bar', data: days.map((d) => d.losses) },
                ],
              }}
            />
            <Typography.Title level={5}>{t('wecom.codes.byStaff')}</Typography.Title>
            <Space wrap>
              {(stats.data?.byStaff ?? []).map((s) => (
                <Tag key={s.userid}>
                  {s.userid} · {s.adds}
                </Tag>
              ))}
            </Space>
          </Card>
        </Space>
      )}
    </Drawer>
  );
}

export function CodesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const codes = useCodes();
  const [editing, setEditing] = useState<Editing>(null);
  // Each opening gets a fresh editor (and form): a closed or saved draft never leaks into the next one.
  const [opening, setOpening] = useState(0);
  const openEditor = (e: Editing) => {
    setOpening((n) => n + 1);
    setEditing(e);
  };
  const [shown, setShown] = useState<ChannelCode | null>(null);
  const remove = useMutation({
    mutationFn: (c: ChannelCode) => http.del(`/wecom/codes/${c.id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: wecomKeys.codes() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const manage = can('wecom:manage');
  return (
    <div className="kehu-page" data-testid="wecom-codes">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.codes.title')}
        </Typography.Title>
        {manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => openEditor({ mode: 'new' })}
            data-testid="code-new"
          >
            {t('wecom.codes.new')}
          </Button>
        )}
      </div>
      {codes.error ? (
        <ErrorResult error={codes.error} onRetry={() => codes.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={codes.isPending}
            dataSource={codes.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('wecom.codes.empty') }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('wecom.codes.name'),
                dataIndex: 'name',
                render: (v: string, c: ChannelCode) => (
                  <Typography.Link onClick={() => setShown(c)}>{v}</Typography.Link>
                ),
              },
              { title: t('wecom.codes.state'), dataIndex: 'state', responsive: ['md'] },
              {
                title: t('wecom.codes.channel'),
                dataIndex: 'channel',
                responsive: ['lg'],
                render: (c: string) => t(`wecom.channel.${c}`),
              },
              {
                title: t('wecom.codes.staff'),
                dataIndex: 'staff',
                responsive: ['lg'],
                render: (s: string[]) => s.join('、'),
              },
              { title: t('wecom.codes.addsToday'), dataIndex: 'addsToday', align: 'right' },
              {
                title: t('wecom.codes.addsTotal'),
                dataIndex: 'addsTotal',
                align: 'right',
                responsive: ['md'],
              },
              ...(manage
                ? [
                    {
                      key: 'actions',
                      render: (_: unknown, c: ChannelCode) => (
                        <Space>
                          <Button
                            size="small"
                            type="text"
                            icon={<EditOutlined />}
                            aria-label={t('wecom.codes.edit')}
                            onClick={() => openEditor({ mode: 'edit', code: c })}
                          />
                          <Popconfirm
                            title={t('wecom.codes.deleteConfirm')}
                            onConfirm={() => remove.mutate(c)}
                          >
                            <Button
                              size="small"
                              type="text"
                              danger
                              icon={<DeleteOutlined />}
                              aria-label={t('common.delete')}
                            />
                          </Popconfirm>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        </Card>
      )}
      <CodeEditor key={opening} editing={editing} onClose={() => setEditing(null)} />
      <CodeDetail code={shown} onClose={() => setShown(null)} />
    </div>
  );
}
