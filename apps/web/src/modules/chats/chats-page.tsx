import { AlertOutlined, CopyOutlined, SyncOutlined } from '@ant-design/icons';
import type { ChatRule, ChatRuleInput, Conversation } from '@kehu/contracts/chats';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Input,
  List,
  Popconfirm,
  Segmented,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { ApiError } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { ReplySuggestions, useTextSuggestions } from '../scripts';
import { chatKeys, chatsApi, useConversations } from './chats-api';

const when = (iso: string) => dayjs(iso).format('MM-DD HH:mm');

function Conversations() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const list = useConversations(q);
  const [open, setOpen] = useState<Conversation | null>(null);
  const msgs = useQuery({
    queryKey: open ? chatKeys.messages(open) : ['chats', 'none'],
    queryFn: () => chatsApi.messages(open!),
    enabled: !!open,
  });
  const { message } = App.useApp();
  const { can } = useSession();
  // Suggestions answer the customer's latest text, if the conversation ends with one unanswered.
  const last = msgs.data?.at(-1);
  const ask = last?.direction === 'in' && last.msgtype === 'text' ? last.content : null;
  const mayUseScripts = can('scripts:read');
  const suggestions = useTextSuggestions(mayUseScripts ? ask : null);
  if (list.error) return <ErrorResult error={list.error} onRetry={() => list.refetch()} />;
  return (
    <>
      <Input.Search
        allowClear
        placeholder={t('chats.searchPlaceholder')}
        onSearch={setQ}
        style={{ maxWidth: 320, marginBottom: 12 }}
      />
      <List
        data-testid="chat-conversations"
        loading={list.isPending}
        dataSource={list.data ?? []}
        locale={{ emptyText: <Empty description={t('chats.emptyConversations')} /> }}
        renderItem={(c) => (
          <List.Item
            style={{ cursor: 'pointer' }}
            onClick={() => setOpen(c)}
            data-testid="chat-conversation"
            extra={<Typography.Text type="secondary">{when(c.lastAt)}</Typography.Text>}
          >
            <List.Item.Meta
              title={`${c.customerName ?? c.externalUserid} · ${c.staffName ?? c.staffUserid}`}
              description={
                <Typography.Text type="secondary" ellipsis>
                  {c.lastText ?? t('chats.media')} · {t('chats.count', { n: c.messages })}
                </Typography.Text>
              }
            />
          </List.Item>
        )}
      />
      <Drawer
        open={!!open}
        onClose={() => setOpen(null)}
        width={Math.min(520, window.innerWidth)}
        title={
          open ? `${open.customerName ?? open.externalUserid} · ${open.staffName ?? open.staffUserid}` : ''
        }
      >
        {msgs.error ? (
          <ErrorResult error={msgs.error} />
        ) : (
          <div data-testid="chat-messages" style={{ display: 'flex', flexDirection: 'column', gap: 8 }}>
            {(msgs.data ?? []).map((m) => (
              <div
                key={m.msgid}
                style={{ alignSelf: m.direction === 'out' ? 'flex-end' : 'flex-start', maxWidth: '80%' }}
              >
                <div
                  style={{
                    background: m.direction === 'out' ? '#95ec69' : '#fff',
                    border: '1px solid #eee',
                    borderRadius: 6,
                    padding: '6px 10px',
                    whiteSpace: 'pre-wrap',
                  }}
                >
                  {m.content ?? t('chats.media')}
                </div>
                <Typography.Text type="secondary" style={{ fontSize: 11 }}>
                  {when(m.msgtime)}
                </Typography.Text>
              </div>
            ))}
            <ReplySuggestions
              basedOn={mayUseScripts ? ask : null}
              items={suggestions.data?.items ?? []}
              loading={suggestions.isPending}
              actionLabel={t('chats.copy')}
              onUse={async (s) => {
                await navigator.clipboard?.writeText(s.body);
                message.success(t('chats.copied'));
              }}
            />
          </div>
        )}
      </Drawer>
    </>
  );
}

function Alerts() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [status, setStatus] = useState<'open' | 'closed' | ''>('open');
  const alerts = useQuery({ queryKey: chatKeys.alerts(status), queryFn: () => chatsApi.alerts(status) });
  const close = useMutation({
    mutationFn: chatsApi.closeAlert,
    onSuccess: () => qc.invalidateQueries({ queryKey: chatKeys.all }),
    onError: (e) => message.error(errorMessage(e)),
  });
  if (alerts.error) return <ErrorResult error={alerts.error} onRetry={() => alerts.refetch()} />;
  return (
    <>
      <Segmented
        value={status}
        onChange={(v) => setStatus(v as typeof status)}
        options={[
          { value: 'open', label: t('chats.open') },
          { value: 'closed', label: t('chats.closed') },
          { value: '', label: t('chats.all') },
        ]}
        style={{ marginBottom: 12 }}
      />
      <List
        data-testid="chat-alerts"
        loading={alerts.isPending}
        dataSource={alerts.data ?? []}
        locale={{ emptyText: <Empty description={t('chats.emptyAlerts')} /> }}
        renderItem={(a) => (
          <List.Item
            data-testid="chat-alert"
            actions={
              a.status === 'open'
                ? [
                    <Button key="close" size="small" onClick={() => close.mutate(a.id)}>
                      {t('chats.close')}
                    </Button>,
                  ]
                : []
            }
          >
            <List.Item.Meta
              avatar={
                <AlertOutlined style={{ color: a.kind === 'risky' ? '#cf1322' : '#d48806', fontSize: 18 }} />
              }
              title={
                <Space wrap>
                  <span>{a.ruleName}</span>
                  <Tag color={a.kind === 'risky' ? 'red' : 'gold'}>{a.keyword}</Tag>
                </Space>
              }
              description={
                <>
                  <div>{a.excerpt}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {a.staffName ?? '—'} → {a.customerName ?? a.externalUserid ?? '—'} · {when(a.msgtime)}
                  </Typography.Text>
                </>
              }
            />
          </List.Item>
        )}
      />
    </>
  );
}

function Figures() {
  const { t } = useTranslation();
  const [days, setDays] = useState(30);
  const figures = useQuery({ queryKey: chatKeys.figures(days), queryFn: () => chatsApi.figures(days) });
  const rows = figures.data ?? [];
  if (figures.error) return <ErrorResult error={figures.error} onRetry={() => figures.refetch()} />;
  return (
    <>
      <Segmented
        value={days}
        onChange={(v) => setDays(Number(v))}
        options={[7, 30, 90].map((d) => ({ value: d, label: t('chats.days', { n: d }) }))}
        style={{ marginBottom: 12 }}
      />
      {rows.length === 0 && !figures.isPending ? (
        <Empty description={t('chats.emptyFigures')} />
      ) : (
        <>
          <Card size="small" title={t('chats.figuresChart')} style={{ marginBottom: 12 }}>
            <EChart
              height={Math.max(160, rows.length * 36 + 60)}
              option={{
                animation: false,
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 72, right: 32, top: 56, bottom: 32 },
                yAxis: { type: 'category', data: rows.map((r) => r.staffName ?? r.staffUserid) },
                // Minutes and percentages on their own axes: one scale would squash the minutes.
                xAxis: [
                  { type: 'value', name: t('chats.minutesAxis'), nameLocation: 'middle', nameGap: 22 },
                  { type: 'value', max: 100, position: 'top', axisLabel: { formatter: '{value}%' } },
                ],
                series: [
                  {
                    name: t('chats.firstReply'),
                    type: 'bar',
                    data: rows.map((r) => r.firstReplyMinutes ?? 0),
                  },
                  {
                    name: t('chats.replyRate'),
                    type: 'bar',
                    xAxisIndex: 1,
                    data: rows.map((r) => r.replyRate ?? 0),
                  },
                ],
              }}
            />
          </Card>
          <Table
            size="small"
            rowKey="staffUserid"
            pagination={false}
            dataSource={rows}
            scroll={{ x: true }}
            columns={[
              { title: t('chats.staff'), render: (_, r) => r.staffName ?? r.staffUserid },
              { title: t('chats.asked'), dataIndex: 'asked' },
              { title: t('chats.replied'), dataIndex: 'replied' },
              {
                title: t('chats.replyRate'),
                render: (_, r) => (r.replyRate === null ? '—' : `${r.replyRate}%`),
              },
              {
                title: t('chats.firstReply'),
                render: (_, r) =>
                  r.firstReplyMinutes === null ? '—' : t('chats.minutes', { n: r.firstReplyMinutes }),
              },
            ]}
          />
        </>
      )}
    </>
  );
}

function Rules({ canManage }: { canManage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const rules = useQuery({ queryKey: chatKeys.rules, queryFn: chatsApi.rules });
  const [editing, setEditing] = useState<ChatRule | 'new' | null>(null);
  const [form] = Form.useForm<ChatRuleInput & { keywordsText: string }>();
  const kind = Form.useWatch('kind', form);
  const tags = useQuery({
    queryKey: ['chats', 'manual-tags'],
    queryFn: chatsApi.manualTags,
    enabled: kind === 'auto_tag',
  });
  const save = useMutation({
    mutationFn: (v: ChatRuleInput & { keywordsText: string }) =>
      chatsApi.saveRule(editing && editing !== 'new' ? editing.id : null, {
        name: v.name,
        kind: v.kind,
        appliesTo: v.appliesTo,
        tagId: v.kind === 'auto_tag' ? (v.tagId ?? null) : null,
        enabled: v.enabled ?? true,
        keywords: v.keywordsText
          .split(/[,，、\n]/)
          .map((k) => k.trim())
          .filter(Boolean),
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: chatKeys.rules });
      setEditing(null);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.errors?.length)
        form.setFields(
          e.problem.errors.map((fe) => ({
            name: (fe.field.startsWith('keywords') ? 'keywordsText' : fe.field) as 'name',
            errors: [fe.message ?? ''],
          })),
        );
      else message.error(errorMessage(e));
    },
  });
  const remove = useMutation({
    mutationFn: chatsApi.deleteRule,
    onSuccess: () => qc.invalidateQueries({ queryKey: chatKeys.rules }),
  });
  const openEditor = (r: ChatRule | 'new') => {
    setEditing(r);
    form.setFieldsValue(
      r === 'new'
        ? { name: '', kind: 'sensitive', appliesTo: 'both', keywordsText: '', enabled: true, tagId: null }
        : { ...r, keywordsText: r.keywords.join('，') },
    );
  };
  if (rules.error) return <ErrorResult error={rules.error} onRetry={() => rules.refetch()} />;
  return (
    <>
      {canManage && (
        <Button
          type="primary"
          onClick={() => openEditor('new')}
          style={{ marginBottom: 12 }}
          data-testid="chat-rule-new"
        >
          {t('chats.newRule')}
        </Button>
      )}
      <Table
        size="small"
        rowKey="id"
        loading={rules.isPending}
        dataSource={rules.data ?? []}
        pagination={false}
        scroll={{ x: true }}
        locale={{ emptyText: <Empty description={t('chats.emptyRules')} /> }}
        columns={[
          { title: t('chats.ruleName'), dataIndex: 'name' },
          { title: t('chats.kind'), render: (_, r) => <Tag>{t(`chats.kinds.${r.kind}`)}</Tag> },
          { title: t('chats.keywords'), render: (_, r) => r.keywords.join('、') },
          { title: t('chats.appliesTo'), render: (_, r) => t(`chats.sides.${r.appliesTo}`) },
          { title: t('chats.enabled'), render: (_, r) => (r.enabled ? t('chats.on') : t('chats.off')) },
          ...(canManage
            ? [
                {
                  title: '',
                  render: (_: unknown, r: ChatRule) => (
                    <Space>
                      <Button size="small" onClick={() => openEditor(r)}>
                        {t('common.edit')}
                      </Button>
                      <Popconfirm title={t('chats.deleteRule')} onConfirm={() => remove.mutate(r.id)}>
                        <Button size="small" danger>
                          {t('common.delete')}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
                },
              ]
            : []),
        ]}
      />
      <Drawer
        open={!!editing}
        onClose={() => setEditing(null)}
        width={Math.min(480, window.innerWidth)}
        title={editing === 'new' ? t('chats.newRule') : t('chats.editRule')}
        extra={
          <Button
            type="primary"
            loading={save.isPending}
            onClick={() => form.submit()}
            data-testid="chat-rule-save"
          >
            {t('common.save')}
          </Button>
        }
      >
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item name="name" label={t('chats.ruleName')} rules={[{ required: true, whitespace: true }]}>
            <Input maxLength={60} data-testid="chat-rule-name" />
          </Form.Item>
          <Form.Item name="kind" label={t('chats.kind')}>
            <Select
              options={(['sensitive', 'risky', 'auto_tag'] as const).map((k) => ({
                value: k,
                label: t(`chats.kinds.${k}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="keywordsText"
            label={t('chats.keywords')}
            extra={t('chats.keywordsHint')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input.TextArea rows={3} data-testid="chat-rule-keywords" />
          </Form.Item>
          <Form.Item name="appliesTo" label={t('chats.appliesTo')}>
            <Select
              options={(['both', 'staff', 'customer'] as const).map((k) => ({
                value: k,
                label: t(`chats.sides.${k}`),
              }))}
            />
          </Form.Item>
          {kind === 'auto_tag' && (
            <Form.Item name="tagId" label={t('chats.tag')} rules={[{ required: true }]}>
              <Select
                showSearch
                optionFilterProp="label"
                loading={tags.isPending}
                options={(tags.data ?? [])
                  .filter((x) => x.kind === 'manual' && (x.object ?? 'profile') === 'profile')
                  .map((x) => ({ value: x.id, label: x.name }))}
              />
            </Form.Item>
          )}
          <Form.Item name="enabled" label={t('chats.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Form>
      </Drawer>
    </>
  );
}

function Settings() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const corps = useQuery({ queryKey: chatKeys.corps, queryFn: chatsApi.corps });
  const [corpRef, setCorpRef] = useState<string | null>(null);
  const current = corpRef ?? corps.data?.[0]?.id ?? null;
  const settings = useQuery({
    queryKey: chatKeys.settings(current ?? ''),
    queryFn: () => chatsApi.settings(current!),
    enabled: !!current,
  });
  const [form] = Form.useForm<{ sidecarUrl: string; archiveSecret?: string }>();
  const save = useMutation({
    mutationFn: (v: { sidecarUrl: string; archiveSecret?: string; newKeys?: boolean }) =>
      chatsApi.saveSettings(current!, { ...v, archiveSecret: v.archiveSecret || undefined }),
    onSuccess: (s) => {
      qc.setQueryData(chatKeys.settings(current!), s);
      form.setFieldValue('archiveSecret', '');
      message.success(t('common.savedToast'));
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.errors?.length)
        form.setFields(
          e.problem.errors.map((fe) => ({ name: fe.field as 'sidecarUrl', errors: [fe.message ?? ''] })),
        );
      else message.error(errorMessage(e));
    },
  });
  const pull = useMutation({
    mutationFn: () => chatsApi.pull(current!),
    onSuccess: (r) => {
      message.success(t('chats.pulled', r));
      qc.invalidateQueries({ queryKey: chatKeys.all });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  if (corps.data && corps.data.length === 0) return <Empty description={t('chats.noCorp')} />;
  const s = settings.data;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      {(corps.data?.length ?? 0) > 1 && (
        <Select
          value={current}
          onChange={setCorpRef}
          options={(corps.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          style={{ minWidth: 220 }}
        />
      )}
      <Card size="small" title={t('chats.settingsTitle')}>
        <Typography.Paragraph type="secondary">{t('chats.settingsHint')}</Typography.Paragraph>
        <Form
          form={form}
          layout="vertical"
          key={`${current}:${s?.sidecarUrl ?? ''}`}
          initialValues={{ sidecarUrl: s?.sidecarUrl ?? '' }}
          onFinish={(v) => save.mutate(v)}
          style={{ maxWidth: 560 }}
        >
          <Form.Item name="sidecarUrl" label={t('chats.sidecarUrl')} rules={[{ required: true }]}>
            <Input placeholder="http://10.0.3.7:9400/" data-testid="chat-sidecar-url" />
          </Form.Item>
          <Form.Item
            name="archiveSecret"
            label={t('chats.archiveSecret')}
            extra={s?.secretSet ? t('chats.secretKept') : undefined}
          >
            <Input.Password autoComplete="new-password" data-testid="chat-archive-secret" />
          </Form.Item>
          <Space wrap>
            <Button
              type="primary"
              htmlType="submit"
              loading={save.isPending}
              data-testid="chat-settings-save"
            >
              {t('common.save')}
            </Button>
            {s && (
              <Popconfirm
                title={t('chats.newKeysConfirm')}
                onConfirm={() => save.mutate({ sidecarUrl: form.getFieldValue('sidecarUrl'), newKeys: true })}
              >
                <Button>{t('chats.newKeys')}</Button>
              </Popconfirm>
            )}
          </Space>
        </Form>
      </Card>
      {s && (
        <Card
          size="small"
          title={t('chats.publicKey', { v: s.keyVersion })}
          extra={
            <Button
              size="small"
              icon={<CopyOutlined />}
              onClick={() =>
                navigator.clipboard?.writeText(s.publicKey).then(() => message.success(t('chats.copied')))
              }
            >
              {t('chats.copy')}
            </Button>
          }
        >
          <Typography.Paragraph type="secondary">{t('chats.publicKeyHint')}</Typography.Paragraph>
          <pre
            data-testid="chat-public-key"
            style={{ fontSize: 11, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
          >
            {s.publicKey}
          </pre>
        </Card>
      )}
      {s && (
        <Card size="small">
          <Space wrap>
            <Button
              icon={<SyncOutlined />}
              loading={pull.isPending}
              onClick={() => pull.mutate()}
              data-testid="chat-pull"
            >
              {t('chats.pullNow')}
            </Button>
            <Typography.Text type="secondary">
              {s.lastPulledAt
                ? t('chats.lastPulled', { at: when(s.lastPulledAt), seq: s.lastSeq })
                : t('chats.neverPulled')}
            </Typography.Text>
            {s.lastError && <Typography.Text type="danger">{s.lastError}</Typography.Text>}
          </Space>
        </Card>
      )}
    </Space>
  );
}

/** 会话存档: conversations, alerts, reply figures, rules, and the archive's set-up. */
export function ChatsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [params, setParams] = useSearchParams();
  const canManage = can('chats:manage');
  const tab = params.get('tab') ?? 'conversations';
  return (
    <div className="kehu-page" data-testid="chats-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('chats.title')}
        </Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('chats.hint')}</Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={(k) => setParams({ tab: k }, { replace: true })}
        items={[
          { key: 'conversations', label: t('chats.conversations'), children: <Conversations /> },
          { key: 'alerts', label: t('chats.alerts'), children: <Alerts /> },
          { key: 'figures', label: t('chats.figures'), children: <Figures /> },
          { key: 'rules', label: t('chats.rules'), children: <Rules canManage={canManage} /> },
          ...(canManage ? [{ key: 'settings', label: t('chats.settings'), children: <Settings /> }] : []),
        ]}
      />
    </div>
  );
}
