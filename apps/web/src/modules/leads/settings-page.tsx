import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { errorMessage } from '../../app/error-result';
import { useLabel } from '../../app/meta';
import { UserSelect, useUserNames } from '../../records/user-select';
import { localTime, useLeadOptionLabel } from './leads-api';

const CHANNELS = [
  'web_form',
  'ad',
  'wecom',
  'exhibition',
  'call_center',
  'referral',
  'import',
  'api',
  'walk_in',
  'other',
];
const FORM_FIELDS = [
  'name',
  'company',
  'phone',
  'email',
  'title',
  'region',
  'industry',
  'need',
  'companySize',
  'decisionChain',
  'remark',
];

function useChannelOptions() {
  const opt = useLeadOptionLabel();
  return CHANNELS.map((c) => ({ value: c, label: opt('channel', c) }));
}

function useSave<T>(fn: (v: T) => Promise<unknown>, keys: string[][]) {
  const { message } = App.useApp();
  const { t } = useTranslation();
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: () => {
      message.success(t('leads.common.saved'));
      for (const k of keys) void qc.invalidateQueries({ queryKey: k });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
}

const useSettings = () =>
  useQuery({ queryKey: ['leads', 'settings'], queryFn: () => http.get<any>('/leads/settings') });

function ScorecardTab() {
  const { t } = useTranslation();
  const label = useLabel();
  const settings = useSettings();
  const opt = useLeadOptionLabel();
  const [rows, setRows] = useState<any[]>([]);
  useEffect(() => setRows(settings.data?.scorecard.indicators ?? []), [settings.data]);
  const save = useSave(
    (indicators: any[]) => http.patch('/leads/settings', { scorecard: { indicators } }),
    [['leads']],
  );
  const total = rows.reduce((s, r) => s + (r.weight ?? 0), 0) || 1;
  return (
    <Card size="small">
      <Table
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 560 }}
        columns={[
          { title: t('leads.settings.indicator'), render: (_, r) => label(r.label, r.key) },
          {
            title: t('leads.settings.weight'),
            width: 170,
            render: (_, r, i) => (
              <Space wrap={false}>
                <InputNumber
                  min={0}
                  max={100}
                  value={r.weight}
                  onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, weight: v ?? 0 } : x)))}
                  data-testid={`weight-${r.key}`}
                />
                <Typography.Text type="secondary">{Math.round((r.weight / total) * 100)}%</Typography.Text>
              </Space>
            ),
          },
          {
            title: t('leads.settings.points'),
            render: (_, r) =>
              r.points
                ? Object.entries(r.points).map(([k, v]) => <Tag key={k}>{`${opt(r.field, k)}: ${v}`}</Tag>)
                : r.thresholds
                  ? r.thresholds.map((th: any) => (
                      <Tag key={th.min}>{`≥¥${th.min.toLocaleString()}: ${th.points}`}</Tag>
                    ))
                  : '—',
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button
          type="primary"
          loading={save.isPending}
          onClick={() => save.mutate(rows)}
          data-testid="scorecard-save"
        >
          {t('leads.common.save')}
        </Button>
        <Button onClick={() => setRows(settings.data?.defaultScorecard.indicators ?? [])}>
          {t('leads.settings.reset')}
        </Button>
      </Space>
    </Card>
  );
}

function ModelTab() {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const settings = useSettings();
  const m = settings.data?.model;
  const train = useMutation({
    mutationFn: () => http.post<any>('/leads/scoring/train'),
    onSuccess: (r) => {
      modal.info({
        content: r.trained
          ? t('leads.settings.trained', { samples: r.samples, auc: r.auc, card: r.scorecardAuc })
          : t('leads.settings.notTrained', { samples: r.samples }),
      });
      void qc.invalidateQueries({ queryKey: ['leads'] });
    },
    onError: (e) => modal.error({ content: errorMessage(e) }),
  });
  return (
    <Card size="small">
      <Alert
        type={m ? 'success' : 'info'}
        showIcon
        style={{ marginBottom: 12 }}
        message={
          m
            ? t('leads.settings.modelInfo', {
                at: localTime(m.trainedAt),
                samples: m.samples,
                auc: m.auc,
                card: m.scorecardAuc,
              })
            : t('leads.settings.modelNone')
        }
      />
      <Button
        type="primary"
        loading={train.isPending}
        onClick={() => train.mutate()}
        data-testid="model-train"
      >
        {t('leads.settings.train')}
      </Button>
    </Card>
  );
}

function RulesTab() {
  const { t } = useTranslation();
  const names = useUserNames();
  const channelOptions = useChannelOptions();
  const opt = useLeadOptionLabel();
  const rules = useQuery({
    queryKey: ['leads', 'rules'],
    queryFn: () => http.get<{ items: any[] }>('/leads/rules'),
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const create = useSave(
    (v: any) =>
      http.post('/leads/rules', {
        name: v.name,
        strategy: v.strategy,
        members: (v.members ?? []).map((userId: string) => ({ userId })),
        conditions: {
          ...(v.regionPrefixes?.length ? { regionPrefixes: v.regionPrefixes } : {}),
          ...(v.channels?.length ? { channels: v.channels } : {}),
          ...(v.scoreMin !== undefined && v.scoreMin !== null ? { scoreMin: v.scoreMin } : {}),
        },
      }),
    [['leads', 'rules']],
  );
  const patch = useSave(
    (v: { id: string; body: any }) => http.patch(`/leads/rules/${v.id}`, v.body),
    [['leads', 'rules']],
  );
  const del = useSave((id: string) => http.del(`/leads/rules/${id}`), [['leads', 'rules']]);
  const cond = (c: any) => {
    const parts = [
      ...(c.regionPrefixes ?? []).map((p: string) => `${t('leads.settings.region')} ${p}*`),
      ...(c.channels ?? []).map((x: string) => opt('channel', x)),
      ...(c.industries ?? []),
      ...(c.scoreMin !== undefined && c.scoreMin !== null ? [`≥${c.scoreMin}`] : []),
      ...(c.scoreMax !== undefined && c.scoreMax !== null ? [`≤${c.scoreMax}`] : []),
    ];
    return parts.length ? (
      parts.map((p) => <Tag key={p}>{p}</Tag>)
    ) : (
      <Tag>{t('leads.settings.anyCondition')}</Tag>
    );
  };
  return (
    <Card
      size="small"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="rule-add">
          {t('leads.common.add')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        loading={rules.isPending}
        dataSource={rules.data?.items ?? []}
        scroll={{ x: 640 }}
        columns={[
          { title: '#', width: 50, render: (_, __, i) => i + 1 },
          { title: t('leads.settings.rule'), dataIndex: 'name' },
          { title: t('leads.settings.conditions'), render: (_, r) => cond(r.conditions) },
          {
            title: t('leads.settings.strategy'),
            render: (_, r) => t(`leads.settings.strategies.${r.strategy}`),
          },
          {
            title: t('leads.settings.members'),
            render: (_, r) =>
              r.members.map((m: any) => (
                <Tag key={m.userId}>{names.get(m.userId) ?? m.userId.slice(0, 8)}</Tag>
              )),
          },
          {
            title: t('leads.common.enabled'),
            width: 80,
            render: (_, r) => (
              <Switch
                size="small"
                checked={r.enabled}
                onChange={(v) => patch.mutate({ id: r.id, body: { enabled: v } })}
              />
            ),
          },
          {
            width: 50,
            render: (_, r) => (
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                onClick={() => del.mutate(r.id)}
                aria-label={t('leads.common.delete')}
              />
            ),
          },
        ]}
      />
      <Modal
        open={open}
        title={t('leads.settings.rule')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ strategy: 'round_robin' }}
          onFinish={(v) => create.mutate(v, { onSuccess: () => setOpen(false) })}
        >
          <Form.Item name="name" label={t('leads.settings.name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="regionPrefixes" label={t('leads.settings.regionPrefixes')}>
            <Select mode="tags" tokenSeparators={[',', ' ']} placeholder="31, 3301" />
          </Form.Item>
          <Form.Item name="channels" label={t('leads.settings.channels')}>
            <Select mode="multiple" options={channelOptions} />
          </Form.Item>
          <Form.Item name="scoreMin" label={t('leads.settings.scoreMin')}>
            <InputNumber min={0} max={100} />
          </Form.Item>
          <Form.Item name="strategy" label={t('leads.settings.strategy')}>
            <Select
              options={['round_robin', 'weighted', 'least_loaded', 'fixed'].map((s) => ({
                value: s,
                label: t(`leads.settings.strategies.${s}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="members" label={t('leads.settings.members')} rules={[{ required: true }]}>
            <UserSelect multiple />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

function ChannelsTab() {
  const { t } = useTranslation();
  const channelOptions = useChannelOptions();
  const opt = useLeadOptionLabel();
  const channels = useQuery({
    queryKey: ['leads', 'channels'],
    queryFn: () => http.get<{ items: any[] }>('/leads/channels'),
  });
  const rules = useQuery({
    queryKey: ['leads', 'rules'],
    queryFn: () => http.get<{ items: any[] }>('/leads/rules'),
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const create = useSave((v: any) => http.post('/leads/channels', v), [['leads', 'channels']]);
  return (
    <Card
      size="small"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="channel-add">
          {t('leads.common.add')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={channels.data?.items ?? []}
        scroll={{ x: 560 }}
        columns={[
          {
            title: t('leads.settings.code'),
            dataIndex: 'code',
            render: (v) => (
              <Typography.Text code copyable>
                {v}
              </Typography.Text>
            ),
          },
          { title: t('leads.settings.name'), dataIndex: 'name' },
          { title: t('leads.settings.channel'), dataIndex: 'channel', render: (v) => opt('channel', v) },
          { title: t('leads.settings.campaign'), dataIndex: 'campaign' },
          {
            title: t('leads.settings.tags'),
            render: (_, r) => r.defaultTags.map((x: string) => <Tag key={x}>{x}</Tag>),
          },
          {
            title: t('leads.settings.ruleForce'),
            render: (_, r) => rules.data?.items.find((x) => x.id === r.ruleId)?.name ?? '—',
          },
        ]}
      />
      <Modal
        open={open}
        title={t('leads.settings.tabs.channels')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ channel: 'wecom' }}
          onFinish={(v) => create.mutate(v, { onSuccess: () => setOpen(false) })}
        >
          <Form.Item
            name="code"
            label={t('leads.settings.code')}
            rules={[{ required: true, pattern: /^[\w.-]{1,64}$/ }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="name" label={t('leads.settings.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="channel" label={t('leads.settings.channel')}>
            <Select options={channelOptions} />
          </Form.Item>
          <Form.Item name="campaign" label={t('leads.settings.campaign')}>
            <Input />
          </Form.Item>
          <Form.Item name="defaultTags" label={t('leads.settings.tags')}>
            <Select mode="tags" />
          </Form.Item>
          <Form.Item name="ruleId" label={t('leads.settings.ruleForce')}>
            <Select
              allowClear
              options={(rules.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

function FormsTab() {
  const { t } = useTranslation();
  const forms = useQuery({
    queryKey: ['leads', 'forms'],
    queryFn: () => http.get<{ items: any[] }>('/leads/forms'),
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const create = useSave(
    (v: any) =>
      http.post('/leads/forms', {
        name: v.name,
        fields: (v.fields as string[]).map((f) => ({ field: f, required: f === 'name' || f === 'phone' })),
        thankYou: v.thankYou ? { 'zh-CN': v.thankYou, 'en-US': v.thankYou } : null,
      }),
    [['leads', 'forms']],
  );
  const snippet = (key: string) =>
    `<form id="kehu-lead">…<input name="website" style="display:none" tabindex="-1" autocomplete="off"></form>
<script>document.getElementById('kehu-lead').onsubmit=async(e)=>{e.preventDefault();
const d=Object.fromEntries(new FormData(e.target));
await fetch('${location.origin}/api/v1/public/forms/${key}/leads',{method:'POST',headers:{'content-type':'text/plain'},body:JSON.stringify(d)});};</script>`;
  return (
    <Card
      size="small"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)}>
          {t('leads.common.add')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={forms.data?.items ?? []}
        scroll={{ x: 560 }}
        expandable={{
          expandedRowRender: (r) => (
            <Typography.Paragraph copyable={{ text: snippet(r.formKey) }} style={{ marginBottom: 0 }}>
              <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>{snippet(r.formKey)}</pre>
            </Typography.Paragraph>
          ),
        }}
        columns={[
          { title: t('leads.settings.name'), dataIndex: 'name' },
          {
            title: t('leads.settings.formKey'),
            dataIndex: 'formKey',
            render: (v) => (
              <Typography.Text code copyable ellipsis style={{ maxWidth: 220 }}>
                {v}
              </Typography.Text>
            ),
          },
          {
            title: t('leads.settings.fields'),
            render: (_, r) => r.fields.map((f: any) => <Tag key={f.field}>{f.field}</Tag>),
          },
          { title: t('leads.common.enabled'), render: (_, r) => (r.enabled ? '✓' : '—') },
        ]}
      />
      <Modal
        open={open}
        title={t('leads.settings.tabs.forms')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ fields: ['name', 'phone', 'company'] }}
          onFinish={(v) => create.mutate(v, { onSuccess: () => setOpen(false) })}
        >
          <Form.Item name="name" label={t('leads.settings.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="fields" label={t('leads.settings.fields')} rules={[{ required: true }]}>
            <Select mode="multiple" options={FORM_FIELDS.map((f) => ({ value: f, label: f }))} />
          </Form.Item>
          <Form.Item name="thankYou" label={t('leads.settings.thankYou')}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

function SlaTab() {
  const { t } = useTranslation();
  const settings = useSettings();
  const opt = useLeadOptionLabel();
  const [form] = Form.useForm();
  useEffect(() => {
    if (settings.data)
      form.setFieldsValue({
        ...settings.data.pool,
        defaultMinutes: settings.data.sla.defaultMinutes,
        byChannel: settings.data.sla.byChannel,
      });
  }, [settings.data, form]);
  const save = useSave(
    (v: any) =>
      http.patch('/leads/settings', {
        sla: {
          defaultMinutes: v.defaultMinutes,
          byChannel: Object.fromEntries(Object.entries(v.byChannel ?? {}).filter(([, x]) => x)),
        },
        pool: { claimPerDay: v.claimPerDay, maxHeld: v.maxHeld, reclaimDays: v.reclaimDays },
      }),
    [['leads', 'settings']],
  );
  return (
    <Card size="small">
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} style={{ maxWidth: 520 }}>
        <Form.Item name="defaultMinutes" label={t('leads.settings.slaDefault')} rules={[{ required: true }]}>
          <InputNumber min={1} max={10080} />
        </Form.Item>
        <Typography.Text type="secondary">{t('leads.settings.slaByChannel')}</Typography.Text>
        <Space wrap style={{ margin: '8px 0 16px' }}>
          {CHANNELS.map((c) => (
            <Form.Item key={c} name={['byChannel', c]} label={opt('channel', c)} style={{ marginBottom: 0 }}>
              <InputNumber min={1} max={10080} style={{ width: 100 }} />
            </Form.Item>
          ))}
        </Space>
        <Form.Item name="claimPerDay" label={t('leads.settings.claimPerDay')}>
          <InputNumber min={0} />
        </Form.Item>
        <Form.Item name="maxHeld" label={t('leads.settings.maxHeld')}>
          <InputNumber min={0} />
        </Form.Item>
        <Form.Item name="reclaimDays" label={t('leads.settings.reclaimDays')}>
          <InputNumber min={0} max={365} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('leads.common.save')}
        </Button>
      </Form>
    </Card>
  );
}

const HOURS: Record<string, { days: number[]; start: string; end: string } | null> = {
  any: null,
  weekdays: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  daily: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '21:00' },
};
const hoursKey = (h: any) =>
  !h
    ? 'any'
    : (Object.entries(HOURS).find(([, v]) => v && JSON.stringify(v) === JSON.stringify(h))?.[0] ?? 'custom');

function CapacityTab() {
  const { t } = useTranslation();
  const users = useQuery({
    queryKey: ['users', 'directory', 'capacity'],
    queryFn: () =>
      http
        .get<any>('/users', { limit: 100 })
        .then((d) => (d.items ?? d) as { id: string; name: string; unitName?: string }[]),
  });
  const settings = useQuery({
    queryKey: ['leads', 'user-settings'],
    queryFn: () => http.get<{ items: any[] }>('/leads/user-settings'),
  });
  const save = useSave(
    (v: { userId: string; maxOpenLeads: number | null; workingHours: unknown }) =>
      http.put(`/leads/user-settings/${v.userId}`, {
        maxOpenLeads: v.maxOpenLeads,
        workingHours: v.workingHours,
      }),
    [['leads', 'user-settings']],
  );
  const byUser = new Map((settings.data?.items ?? []).map((x) => [x.userId, x]));
  return (
    <Card size="small">
      <Typography.Paragraph type="secondary">{t('leads.settings.capacityHint')}</Typography.Paragraph>
      <Table
        rowKey="id"
        size="small"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        loading={users.isPending}
        dataSource={users.data ?? []}
        scroll={{ x: 520 }}
        columns={[
          {
            title: t('leads.settings.name'),
            render: (_, u) => (u.unitName ? `${u.name} · ${u.unitName}` : u.name),
          },
          {
            title: t('leads.settings.maxOpen'),
            width: 150,
            render: (_, u) => {
              const cur = byUser.get(u.id);
              return (
                <InputNumber
                  min={0}
                  placeholder="∞"
                  defaultValue={cur?.maxOpenLeads ?? undefined}
                  key={`${u.id}:${cur?.maxOpenLeads ?? ''}`}
                  onBlur={(e) => {
                    const raw = (e.target as HTMLInputElement).value;
                    const v = raw === '' ? null : Number(raw);
                    if (v !== (cur?.maxOpenLeads ?? null))
                      save.mutate({ userId: u.id, maxOpenLeads: v, workingHours: cur?.workingHours ?? null });
                  }}
                />
              );
            },
          },
          {
            title: t('leads.settings.hours'),
            width: 200,
            render: (_, u) => {
              const cur = byUser.get(u.id);
              return (
                <Select
                  style={{ width: 180 }}
                  value={hoursKey(cur?.workingHours)}
                  options={['any', 'weekdays', 'daily'].map((k) => ({
                    value: k,
                    label: t(`leads.settings.hoursOptions.${k}`),
                  }))}
                  onChange={(k) =>
                    save.mutate({
                      userId: u.id,
                      maxOpenLeads: cur?.maxOpenLeads ?? null,
                      workingHours: HOURS[k] ?? null,
                    })
                  }
                />
              );
            },
          },
        ]}
      />
    </Card>
  );
}

export function SettingsPage() {
  const { t } = useTranslation();
  return (
    <div className="kehu-page" data-testid="leads-settings">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('leads.settings.title')}
        </Typography.Title>
      </div>
      <Tabs
        items={[
          { key: 'scorecard', label: t('leads.settings.tabs.scorecard'), children: <ScorecardTab /> },
          { key: 'model', label: t('leads.settings.tabs.model'), children: <ModelTab /> },
          { key: 'rules', label: t('leads.settings.tabs.rules'), children: <RulesTab /> },
          { key: 'capacity', label: t('leads.settings.tabs.capacity'), children: <CapacityTab /> },
          { key: 'channels', label: t('leads.settings.tabs.channels'), children: <ChannelsTab /> },
          { key: 'forms', label: t('leads.settings.tabs.forms'), children: <FormsTab /> },
          { key: 'sla', label: t('leads.settings.tabs.sla'), children: <SlaTab /> },
        ]}
      />
    </div>
  );
}
