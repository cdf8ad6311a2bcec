import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../app/api-client';
import { ErrorResult, errorMessage } from '../../app/error-result';
import { useSession } from '../../app/session';
import { useIsMobile } from '../../app/use-is-mobile';
import { type Rule, type Tag as TagT, useTags } from './cdp-api';
import {
  DEFAULT_PREDICTION,
  PredictionCard,
  type PredictionConfig,
  PredictionConfigFields,
} from './prediction-card';
import { RuleBuilder } from './rule-builder';

const KINDS = ['attribute', 'behaviour', 'metric', 'score', 'combined', 'manual', 'crm', 'predicted'];
const DEFAULT_RULE: Record<string, Rule> = {
  attribute: { and: [{ trait: 'plan', op: 'eq', value: 'gold' }] },
  behaviour: { and: [{ event: 'Product Viewed', withinDays: 7, op: 'gte', value: 3 }] },
  combined: {
    and: [
      { trait: 'plan', op: 'eq', value: 'gold' },
      { event: 'Order Completed', withinDays: 90, op: 'gte', value: 1 },
    ],
  },
  crm: { and: [{ crm: 'contact', field: 'title', op: 'contains', value: '经理' }] },
};

interface Preview {
  coverage: number | null;
  sampled: number | null;
  samples: { profileId: string; name: string | null; value: unknown }[];
}

function TagEditor({ open, onClose, tags }: { open: boolean; onClose: () => void; tags: TagT[] }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const [form] = Form.useForm();
  const [kind, setKind] = useState('attribute');
  const [rule, setRule] = useState<Rule>(DEFAULT_RULE.attribute!);
  const [metric, setMetric] = useState({ event: 'Order Completed', withinDays: 90, property: 'total' });
  const [points, setPoints] = useState(10);
  const [prediction, setPrediction] = useState<PredictionConfig>(DEFAULT_PREDICTION);
  const [preview, setPreview] = useState<Preview | null>(null);
  const body = () => {
    const v = form.getFieldsValue();
    return {
      key: v.key,
      name: v.name,
      kind,
      description: v.description,
      rule: ['manual', 'metric', 'score', 'predicted'].includes(kind) ? null : rule,
      config:
        kind === 'predicted'
          ? prediction
          : kind === 'metric'
            ? { metric: { ...metric, agg: 'sum' as const } }
            : kind === 'score'
              ? { scores: [{ rule, points }] }
              : {},
    };
  };
  const previewM = useMutation({
    mutationFn: () =>
      http.post<Preview>('/cdp/tags/preview', {
        ...body(),
        key: body().key || 'preview',
        name: body().name || 'preview',
      }),
    onSuccess: setPreview,
    onError: (e) => message.error(errorMessage(e)),
  });
  const save = useMutation({
    mutationFn: () => http.post('/cdp/tags', body()),
    onSuccess: () => {
      message.success(t('cdp.tags.saved'));
      void qc.invalidateQueries({ queryKey: ['cdp', 'tags'] });
      onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Drawer
      open={open}
      onClose={onClose}
      width={isMobile ? '100%' : 820}
      title={t('cdp.tags.new')}
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={() => previewM.mutate()} loading={previewM.isPending} data-testid="tag-preview">
            {t('cdp.tags.preview')}
          </Button>
          <Button
            type="primary"
            onClick={() => form.validateFields().then(() => save.mutate())}
            loading={save.isPending}
            data-testid="tag-save"
          >
            {t('common.save', { defaultValue: '保存' })}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical">
        <Form.Item name="name" label={t('cdp.tags.name')} rules={[{ required: true }]}>
          <Input data-testid="tag-name" />
        </Form.Item>
        <Form.Item
          name="key"
          label={t('cdp.tags.key')}
          rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,62}$/ }]}
        >
          <Input data-testid="tag-key" />
        </Form.Item>
        <Form.Item label={t('cdp.tags.kind')}>
          <Select
            value={kind}
            data-testid="tag-kind"
            onChange={(k) => {
              setKind(k);
              if (DEFAULT_RULE[k]) setRule(DEFAULT_RULE[k]!);
            }}
            options={KINDS.map((k) => ({ value: k, label: t(`cdp.tagKind.${k}`) }))}
          />
        </Form.Item>
        <Form.Item name="description" label={t('cdp.tags.description')}>
          <Input.TextArea rows={2} />
        </Form.Item>
      </Form>
      {kind === 'metric' && (
        <Space wrap>
          <Input
            value={metric.event}
            onChange={(e) => setMetric({ ...metric, event: e.target.value })}
            addonBefore={t('cdp.rule.event')}
          />
          <Input
            value={metric.property}
            onChange={(e) => setMetric({ ...metric, property: e.target.value })}
            addonBefore={t('cdp.rule.sum')}
          />
          <InputNumber
            value={metric.withinDays}
            min={1}
            max={730}
            onChange={(v) => setMetric({ ...metric, withinDays: Number(v ?? 1) })}
            addonAfter={t('cdp.rule.days')}
          />
        </Space>
      )}
      {kind === 'score' && (
        <Space style={{ marginBottom: 8 }}>
          {t('cdp.tags.points')}
          <InputNumber value={points} onChange={(v) => setPoints(Number(v ?? 0))} />
        </Space>
      )}
      {kind === 'predicted' && <PredictionConfigFields value={prediction} onChange={setPrediction} />}
      {!['manual', 'metric', 'predicted'].includes(kind) && (
        <RuleBuilder value={rule} onChange={setRule} tags={tags.map((x) => ({ key: x.key, name: x.name }))} />
      )}
      {preview && (
        <Card
          size="small"
          style={{ marginTop: 12 }}
          title={t('cdp.tags.previewTitle')}
          data-testid="tag-preview-result"
        >
          {preview.coverage !== null && (
            <Typography.Paragraph>{t('cdp.tags.coverage', { n: preview.coverage })}</Typography.Paragraph>
          )}
          <Table
            size="small"
            rowKey="profileId"
            pagination={false}
            dataSource={preview.samples}
            columns={[
              { title: t('cdp.tags.sample'), render: (_: unknown, s) => s.name ?? s.profileId.slice(0, 8) },
              {
                title: t('cdp.tags.value'),
                render: (_: unknown, s) => (s.value === null ? '—' : String(s.value)),
              },
            ]}
          />
        </Card>
      )}
    </Drawer>
  );
}

export function TagsPage() {
  const { t } = useTranslation();
  const tags = useTags();
  const { can } = useSession();
  const [open, setOpen] = useState(false);
  const groups = new Map((tags.data?.groups ?? []).map((g) => [g.id, g.name]));
  return (
    <div className="kehu-page" data-testid="cdp-tags">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.tags.title')}
        </Typography.Title>
        {can('cdp:manage') && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="tag-new">
            {t('cdp.tags.new')}
          </Button>
        )}
      </div>
      {tags.error ? (
        <ErrorResult error={tags.error} onRetry={() => tags.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={tags.isPending}
            dataSource={tags.data?.items ?? []}
            pagination={false}
            scroll={{ x: 700 }}
            expandable={{
              rowExpandable: (x: TagT) => x.kind === 'predicted',
              expandedRowRender: (x: TagT) => <PredictionCard tag={x} />,
            }}
            columns={[
              {
                title: t('cdp.tags.name'),
                render: (_: unknown, x: TagT) => <Tag color="geekblue">{x.name}</Tag>,
              },
              { title: t('cdp.tags.kind'), dataIndex: 'kind', render: (k: string) => t(`cdp.tagKind.${k}`) },
              {
                title: t('cdp.tags.group'),
                render: (_: unknown, x: TagT) => (x.groupId ? groups.get(x.groupId) : '—'),
              },
              { title: t('cdp.tags.object'), dataIndex: 'object' },
              { title: t('cdp.tags.coverageCol'), dataIndex: 'coverage' },
              {
                title: t('cdp.tags.lineage'),
                render: (_: unknown, x: TagT) => x.lineage.map((l) => <Tag key={l}>{l}</Tag>),
              },
              {
                title: t('cdp.tags.backfill'),
                render: (_: unknown, x: TagT) =>
                  x.backfill ? (
                    <Progress
                      size="small"
                      style={{ width: 120 }}
                      data-testid="tag-backfill"
                      status={x.backfill.status === 'done' ? 'success' : 'active'}
                      percent={
                        x.backfill.status === 'done'
                          ? 100
                          : Math.min(
                              99,
                              Math.round((100 * x.backfill.done) / Math.max(1, x.backfill.total ?? 1)),
                            )
                      }
                    />
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
        </Card>
      )}
      <TagEditor open={open} onClose={() => setOpen(false)} tags={tags.data?.items ?? []} />
    </div>
  );
}
