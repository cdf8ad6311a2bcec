import { BugOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  List,
  Modal,
  Segmented,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type Source, useDebug, useEventWords, useSources, useSourceVolume } from './cdp-api';
import { cdpKeys } from './cdp-keys';

const KINDS = ['web', 'server', 'app', 'miniprogram', 'pos', 'import'];

/** Message types in the order a chart stacks them (events first, the rarer ones on top). */
const TYPE_ORDER = ['track', 'page', 'screen', 'identify', 'group', 'alias'];

/** A source's events per day (30 days) or hour (48 hours), stacked by message type. */
function VolumeChart({ sources }: { sources: Source[] }) {
  const { t, i18n } = useTranslation();
  const [picked, setPicked] = useState<string | null>(null);
  const [by, setBy] = useState<'day' | 'hour'>('day');
  const id = picked ?? sources[0]?.id ?? null;
  const volume = useSourceVolume(id, by);
  const option = useMemo(() => {
    const items = volume.data?.items ?? [];
    // Every bucket of the period, empty ones included, in the reader's time zone.
    const step = by === 'day' ? 86_400_000 : 3_600_000;
    const count = by === 'day' ? 30 : 48;
    const last = Math.floor(Date.now() / step) * step;
    const buckets = Array.from({ length: count }, (_, i) => last - (count - 1 - i) * step);
    const fmt = new Intl.DateTimeFormat(
      i18n.language,
      by === 'day' ? { month: '2-digit', day: '2-digit' } : { day: '2-digit', hour: '2-digit' },
    );
    const types = TYPE_ORDER.filter((ty) => items.some((x) => x.type === ty));
    const n = new Map(items.map((x) => [`${x.type}|${Date.parse(x.bucket)}`, x.n]));
    return {
      tooltip: { trigger: 'axis' as const },
      legend: { top: 0, data: types.map((ty) => t(`cdp.msgType.${ty}`)) },
      grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
      xAxis: { type: 'category' as const, data: buckets.map((b) => fmt.format(b)) },
      yAxis: { type: 'value' as const, minInterval: 1 },
      series: types.map((ty) => ({
        name: t(`cdp.msgType.${ty}`),
        type: 'bar' as const,
        stack: 'all',
        data: buckets.map((b) => n.get(`${ty}|${b}`) ?? 0),
      })),
    };
  }, [volume.data, by, t, i18n.language]);
  if (!sources.length) return null;
  const empty = !volume.isPending && (volume.data?.items.length ?? 0) === 0;
  return (
    <Card
      size="small"
      style={{ marginTop: 12 }}
      title={t('cdp.charts.volume')}
      data-testid="source-volume"
      extra={
        <Space wrap size={4}>
          {sources.length > 1 && (
            <Select
              size="small"
              style={{ width: 140 }}
              value={id}
              onChange={setPicked}
              options={sources.map((s) => ({ value: s.id, label: s.name }))}
              data-testid="source-volume-source"
            />
          )}
          <Segmented
            size="small"
            value={by}
            onChange={(v) => setBy(v as 'day' | 'hour')}
            options={[
              { value: 'day', label: t('cdp.charts.byDay') },
              { value: 'hour', label: t('cdp.charts.byHour') },
            ]}
          />
        </Space>
      }
    >
      {empty ? (
        <Typography.Text type="secondary">{t('cdp.charts.volumeEmpty')}</Typography.Text>
      ) : (
        <EChart option={option} height={220} testId="source-volume-chart" />
      )}
    </Card>
  );
}

function Debugger({ source, onClose }: { source: Source | null; onClose: () => void }) {
  const { t } = useTranslation();
  const dbg = useDebug(source?.id ?? null);
  const isMobile = useIsMobile();
  const words = useEventWords();
  return (
    <Drawer
      open={!!source}
      onClose={onClose}
      width={isMobile ? '100%' : 720}
      title={t('cdp.sources.debugger', { name: source?.name })}
    >
      <Typography.Paragraph type="secondary">{t('cdp.sources.debuggerHint')}</Typography.Paragraph>
      <Typography.Title level={5}>{t('cdp.sources.errors')}</Typography.Title>
      <List
        size="small"
        data-testid="debug-errors"
        dataSource={dbg.data?.errors ?? []}
        locale={{ emptyText: t('cdp.sources.noErrors') }}
        renderItem={(e) => (
          <List.Item>
            <Space direction="vertical" size={0}>
              <Space>
                <Tag color="error">{e.type ? t(`cdp.msgType.${e.type}`, { defaultValue: e.type }) : '?'}</Tag>
                <Typography.Text>{e.reason}</Typography.Text>
              </Space>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {new Date(e.at).toLocaleString()} {e.messageId}
              </Typography.Text>
            </Space>
          </List.Item>
        )}
      />
      <Typography.Title level={5}>{t('cdp.sources.events')}</Typography.Title>
      <List
        size="small"
        data-testid="debug-events"
        dataSource={dbg.data?.events ?? []}
        locale={{ emptyText: t('cdp.sources.noEvents') }}
        renderItem={(e) => (
          <List.Item>
            <details style={{ width: '100%' }}>
              <summary>
                <Tag color="blue">{t(`cdp.msgType.${e.type}`, { defaultValue: e.type })}</Tag>{' '}
                {e.event ? words.event(e.event) : ''} · {e.userId ?? e.anonymousId} ·{' '}
                {new Date(e.receivedAt).toLocaleTimeString()}
              </summary>
              <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
                {JSON.stringify(e.raw, null, 2)}
              </pre>
            </details>
          </List.Item>
        )}
      />
    </Drawer>
  );
}

export function SourcesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const sources = useSources();
  const [creating, setCreating] = useState(false);
  const [shownKey, setShownKey] = useState<Source | null>(null);
  const [debug, setDebug] = useState<Source | null>(null);
  const [form] = Form.useForm();
  const create = useMutation({
    mutationFn: (v: { name: string; kind: string }) => http.post<Source>('/cdp/sources', v),
    onSuccess: (s) => {
      setCreating(false);
      form.resetFields();
      setShownKey(s);
      void qc.invalidateQueries({ queryKey: cdpKeys.sources.list() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const toggle = useMutation({
    mutationFn: (s: Source) => http.patch(`/cdp/sources/${s.id}`, { enabled: !s.enabled }),
    onSuccess: () => qc.invalidateQueries({ queryKey: cdpKeys.sources.list() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const rotate = useMutation({
    mutationFn: (s: Source) => http.post<Source>(`/cdp/sources/${s.id}/rotate-key`),
    onSuccess: (s) => setShownKey(s),
    onError: (e) => message.error(errorMessage(e)),
  });
  const origin = window.location.origin;
  return (
    <div className="kehu-page" data-testid="cdp-sources">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.sources.title')}
        </Typography.Title>
        <PermissionButton
          allowed={can('cdp:manage')}
          need={t('cdp.perm.sources')}
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          data-testid="source-new"
        >
          {t('cdp.sources.new')}
        </PermissionButton>
      </div>
      {sources.error ? (
        <ErrorResult error={sources.error} onRetry={() => sources.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={sources.isPending}
            dataSource={sources.data?.items ?? []}
            pagination={false}
            scroll={{ x: 'max-content' }}
            columns={[
              { title: t('cdp.sources.name'), dataIndex: 'name' },
              // On a phone the switch and the debugger matter more than the kind and the key prefix.
              {
                title: t('cdp.sources.kind'),
                dataIndex: 'kind',
                responsive: ['md'],
                render: (k: string) => t(`cdp.kind.${k}`),
              },
              {
                title: t('cdp.sources.key'),
                dataIndex: 'keyPrefix',
                responsive: ['md'],
                render: (p: string) => <code>{p}…</code>,
              },
              {
                title: t('cdp.sources.lastEvent'),
                dataIndex: 'lastEventAt',
                render: (v: string | null) => (v ? new Date(v).toLocaleString() : '—'),
              },
              {
                title: t('cdp.sources.enabled'),
                render: (_: unknown, s: Source) => (
                  <Switch
                    checked={s.enabled}
                    onChange={() => toggle.mutate(s)}
                    data-testid="source-enabled"
                  />
                ),
              },
              {
                title: '',
                render: (_: unknown, s: Source) => (
                  <Space wrap>
                    <Button
                      size="small"
                      icon={<BugOutlined />}
                      onClick={() => setDebug(s)}
                      data-testid="source-debug"
                    >
                      {t('cdp.sources.debug')}
                    </Button>
                    <Button size="small" onClick={() => rotate.mutate(s)}>
                      {t('cdp.sources.rotate')}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
      <VolumeChart sources={sources.data?.items ?? []} />
      <Modal
        open={creating}
        title={t('cdp.sources.new')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ kind: 'web' }}
          onFinish={(v) => create.mutate(v)}
        >
          <Form.Item name="name" label={t('cdp.sources.name')} rules={[{ required: true }]}>
            <Input data-testid="source-name" />
          </Form.Item>
          <Form.Item name="kind" label={t('cdp.sources.kind')}>
            <Select options={KINDS.map((k) => ({ value: k, label: t(`cdp.kind.${k}`) }))} />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!shownKey}
        title={t('cdp.sources.keyTitle')}
        footer={null}
        onCancel={() => setShownKey(null)}
        width={640}
      >
        <Alert type="warning" showIcon message={t('cdp.sources.keyOnce')} style={{ marginBottom: 12 }} />
        <Typography.Paragraph copyable={{ text: shownKey?.writeKey }}>
          <code data-testid="write-key">{shownKey?.writeKey}</code>
        </Typography.Paragraph>
        <Typography.Text strong>{t('cdp.sources.snippetNode')}</Typography.Text>
        <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap' }}>
          {`import { Analytics } from '@segment/analytics-node';\nconst analytics = new Analytics({ writeKey: '${shownKey?.writeKey}', host: '${origin}' });\nanalytics.track({ userId: 'u-1', event: 'Order Completed', properties: { total: 299 } });`}
        </pre>
        <Typography.Text strong>{t('cdp.sources.snippetWeb')}</Typography.Text>
        <pre style={{ fontSize: 12, whiteSpace: 'pre-wrap' }}>
          {`import { AnalyticsBrowser } from '@segment/analytics-next';\nconst analytics = AnalyticsBrowser.load({ writeKey: '${shownKey?.writeKey}', cdnURL: '${origin}' });\nanalytics.track('Product Viewed', { sku: 'P1' });`}
        </pre>
      </Modal>
      <Debugger source={debug} onClose={() => setDebug(null)} />
    </div>
  );
}
