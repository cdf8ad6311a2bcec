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
  Empty,
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
import { API_BASE, http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { useGroups } from './groups-api';
import { type JoinCode, joinCodeKeys, useJoinCodeDaily, useJoinCodes } from './join-codes-api';
import { useCorps } from './wecom-api';

type Editing = { mode: 'new' } | { mode: 'edit'; code: JoinCode } | null;

function JoinCodeEditor({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const corps = useCorps();
  const groups = useGroups('active');
  const [form] = Form.useForm();
  const code = editing?.mode === 'edit' ? editing.code : null;
  const corpRef = Form.useWatch('corpRef', form) ?? code?.corpRef ?? null;
  const auto = Form.useWatch('autoCreateRoom', form) ?? code?.autoCreateRoom ?? true;
  const save = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      code
        ? http.patch<JoinCode>(`/wecom/join-codes/${code.id}`, v)
        : http.post<JoinCode>('/wecom/join-codes', v),
    onSuccess: () => {
      onClose();
      void qc.invalidateQueries({ queryKey: joinCodeKeys.list() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Drawer
      open={!!editing}
      onClose={onClose}
      width={isMobile ? '100%' : 520}
      title={t(code ? 'wecom.joinCodes.edit' : 'wecom.joinCodes.new')}
      destroyOnHidden
      extra={
        <Button type="primary" loading={save.isPending} onClick={() => form.submit()} data-testid="join-save">
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
                roomBaseName: code.roomBaseName ?? undefined,
                roomBaseId: code.roomBaseId ?? undefined,
              }
            : { autoCreateRoom: true, roomBaseId: 1, corpRef: corps.data?.items[0]?.id }
        }
        onFinish={(v) => {
          const { corpRef: c, state, ...rest } = v;
          save.mutate(code ? rest : { ...rest, corpRef: c, state });
        }}
      >
        <Form.Item name="corpRef" label={t('wecom.joinCodes.corp')} rules={[{ required: true }]}>
          <Select
            disabled={!!code}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
        <Form.Item name="name" label={t('wecom.joinCodes.name')} rules={[{ required: true, max: 30 }]}>
          <Input maxLength={30} data-testid="join-name" />
        </Form.Item>
        <Form.Item
          name="state"
          label={t('wecom.joinCodes.state')}
          extra={t('wecom.joinCodes.stateHelp')}
          rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{1,30}$/ }]}
        >
          <Input maxLength={30} disabled={!!code} data-testid="join-state" />
        </Form.Item>
        <Form.Item
          name="chatIds"
          label={t('wecom.joinCodes.groups')}
          rules={[{ required: true }, { type: 'array', max: 5 }]}
        >
          <Select
            mode="multiple"
            maxCount={5}
            data-testid="join-groups"
            optionFilterProp="label"
            options={(groups.data?.items ?? [])
              .filter((g) => !corpRef || g.corpRef === corpRef)
              .map((g) => ({ value: g.chatId, label: g.name || g.chatId }))}
          />
        </Form.Item>
        <Form.Item name="autoCreateRoom" label={t('wecom.joinCodes.autoCreate')} valuePropName="checked">
          <Switch />
        </Form.Item>
        {auto && (
          <Space wrap>
            <Form.Item
              name="roomBaseName"
              label={t('wecom.joinCodes.roomBaseName')}
              rules={[{ required: true }]}
            >
              <Input maxLength={40} />
            </Form.Item>
            <Form.Item name="roomBaseId" label={t('wecom.joinCodes.roomBaseId')}>
              <InputNumber min={1} />
            </Form.Item>
          </Space>
        )}
      </Form>
    </Drawer>
  );
}

function JoinCodeDetail({ code, onClose }: { code: JoinCode | null; onClose: () => void }) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const daily = useJoinCodeDaily(code?.id ?? null);
  const days = daily.data?.items ?? [];
  const qr = code ? `${API_BASE}/wecom/join-codes/${code.id}/qr` : '';
  return (
    <Drawer open={!!code} onClose={onClose} width={isMobile ? '100%' : 640} title={code?.name}>
      {code && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle">
          <Card size="small" title={t('wecom.joinCodes.qr')}>
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
                  {t('wecom.joinCodes.state')}: <Typography.Text code>{code.state}</Typography.Text>
                </Typography.Text>
                <Typography.Text>
                  {t('wecom.joinCodes.joinsToday')}: {code.joinsToday} · {t('wecom.joinCodes.joinsTotal')}:{' '}
                  {code.joinsTotal}
                </Typography.Text>
                <Space wrap>
                  {code.groups.map((g) => (
                    <Tag key={g.chatId}>
                      {g.name ?? g.chatId} · {t('wecom.joinCodes.members', { n: g.memberCount })}
                    </Tag>
                  ))}
                </Space>
                {code.qrCode && (
                  <Space wrap>
                    <Button icon={<DownloadOutlined />} href={qr} download={`${code.state}.png`}>
                      {t('wecom.joinCodes.download')}
                    </Button>
                    <Link to={`/wecom/posters/join-code/${code.id}`}>
                      <Button icon={<PrinterOutlined />}>{t('wecom.joinCodes.poster')}</Button>
                    </Link>
                  </Space>
                )}
              </Space>
            </Space>
          </Card>
          <Card size="small" title={t('wecom.joinCodes.perDay')}>
            <EChart
              height={220}
              option={{
                tooltip: { trigger: 'axis' },
                grid: { left: 32, right: 12, top: 16, bottom: 24 },
                xAxis: { type: 'category', data: days.map((d) => d.day.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: t('wecom.joinCodes.joinsToday'), type: 'bar', data: days.map((d) => d.joins) },
                ],
              }}
            />
          </Card>
        </Space>
      )}
    </Drawer>
  );
}

export function JoinCodesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const codes = useJoinCodes();
  const [editing, setEditing] = useState<Editing>(null);
  const [shown, setShown] = useState<JoinCode | null>(null);
  const remove = useMutation({
    mutationFn: (c: JoinCode) => http.del(`/wecom/join-codes/${c.id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: joinCodeKeys.list() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const manage = can('wecom:manage');
  return (
    <div className="kehu-page" data-testid="wecom-join-codes">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.joinCodes.title')}
        </Typography.Title>
        {manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ mode: 'new' })}
            data-testid="join-new"
          >
            {t('wecom.joinCodes.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('wecom.joinCodes.intro')}</Typography.Paragraph>
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
            locale={{
              emptyText: (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wecom.joinCodes.empty')} />
              ),
            }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('wecom.joinCodes.name'),
                dataIndex: 'name',
                render: (v: string, c: JoinCode) => (
                  <Typography.Link onClick={() => setShown(c)}>{v}</Typography.Link>
                ),
              },
              { title: t('wecom.joinCodes.state'), dataIndex: 'state', responsive: ['md'] },
              {
                title: t('wecom.joinCodes.groups'),
                dataIndex: 'groups',
                responsive: ['lg'],
                render: (g: JoinCode['groups']) => g.map((x) => x.name ?? x.chatId).join('、'),
              },
              { title: t('wecom.joinCodes.joinsToday'), dataIndex: 'joinsToday', align: 'right' },
              {
                title: t('wecom.joinCodes.joinsTotal'),
                dataIndex: 'joinsTotal',
                align: 'right',
                responsive: ['md'],
              },
              ...(manage
                ? [
                    {
                      key: 'actions',
                      render: (_: unknown, c: JoinCode) => (
                        <Space>
                          <Button
                            size="small"
                            type="text"
                            icon={<EditOutlined />}
                            aria-label={t('wecom.joinCodes.edit')}
                            onClick={() => setEditing({ mode: 'edit', code: c })}
                          />
                          <Popconfirm
                            title={t('wecom.joinCodes.deleteConfirm')}
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
      <JoinCodeEditor editing={editing} onClose={() => setEditing(null)} />
      <JoinCodeDetail code={shown} onClose={() => setShown(null)} />
    </div>
  );
}
