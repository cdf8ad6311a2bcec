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
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type Source, useDebug, useSources } from './cdp-api';
import { cdpKeys } from './cdp-keys';

const KINDS = ['web', 'server', 'app', 'miniprogram', 'pos', 'import'];

function Debugger({ source, onClose }: { source: Source | null; onClose: () => void }) {
  const { t } = useTranslation();
  const dbg = useDebug(source?.id ?? null);
  const isMobile = useIsMobile();
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
                <Tag color="error">{e.type ?? '?'}</Tag>
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
                <Tag color="blue">{e.type}</Tag> {e.event ?? ''} · {e.userId ?? e.anonymousId} ·{' '}
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
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setCreating(true)}
          data-testid="source-new"
        >
          {t('cdp.sources.new')}
        </Button>
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
