import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  App,
  AutoComplete,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type Rule, type TagGroup, type Tag as TagT, useEventProperties } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { EventNameInput } from './event-editor';
import { ObjectPicker } from './object-picker';
import { DEFAULT_PREDICTION, type PredictionConfig, PredictionConfigFields } from './prediction-card';
import { RuleBuilder } from './rule-builder';
import { cleanRule, matches } from './rule-model';

// Creating or editing a tag: kind, rule or metric, preview of who gets it, and saving.

export const KINDS = ['attribute', 'behaviour', 'metric', 'score', 'combined', 'manual', 'crm', 'predicted'];

/** What the server accepts on records of other objects (validateTag): no events, no scores. */
export const RECORD_KINDS = ['attribute', 'combined', 'crm', 'manual'];

export const RECORD_RULE: Rule = { and: [{ trait: 'name', op: 'contains', value: '' }] };

export const DEFAULT_RULE: Record<string, Rule> = {
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

export interface Preview {
  coverage: number | null;
  sampled: number | null;
  samples: { profileId: string; name: string | null; value: unknown }[];
}

export type Metric = { event: string; withinDays: number; property: string };

export const DEFAULT_METRIC: Metric = { event: 'Order Completed', withinDays: 90, property: 'total' };

/** A metric tag's event and summed property, offered from the events the tenant received. */
export function MetricFields({ value, onChange }: { value: Metric; onChange: (m: Metric) => void }) {
  const { t } = useTranslation();
  const props = useEventProperties(value.event || undefined);
  const numeric = (props.data?.items ?? []).filter((p) => p.types.includes('number'));
  return (
    <Form layout="vertical" component="div">
      <Space wrap align="start">
        <Form.Item label={t('cdp.tags.metricEvent')} style={{ marginBottom: 8 }}>
          <EventNameInput
            width={220}
            value={value.event}
            onChange={(event) => onChange({ ...value, event })}
            testId="metric-event"
          />
        </Form.Item>
        <Form.Item label={t('cdp.tags.metricProperty')} style={{ marginBottom: 8 }}>
          <AutoComplete
            style={{ width: 160 }}
            value={value.property}
            onChange={(property) => onChange({ ...value, property })}
            options={numeric.map((p) => ({
              value: p.key,
              label: (
                <span>
                  {p.key}{' '}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {p.examples.slice(0, 2).join(', ')}
                  </Typography.Text>
                </span>
              ),
            }))}
            filterOption={matches}
            placeholder={t('cdp.rule.property')}
            data-testid="metric-property"
          />
        </Form.Item>
        <Form.Item label={t('cdp.rule.within')} style={{ marginBottom: 8 }}>
          <InputNumber
            value={value.withinDays}
            min={1}
            max={730}
            onChange={(v) => onChange({ ...value, withinDays: Number(v ?? 1) })}
            addonAfter={t('cdp.rule.days')}
            data-testid="metric-window"
          />
        </Form.Item>
      </Space>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('cdp.tags.metricHint')}
      </Typography.Paragraph>
    </Form>
  );
}

/** What the form starts from: the tag being edited, or the defaults of a new one. */
export function initialState(tag?: TagT, object = 'profile') {
  const config = (tag?.config ?? {}) as {
    scores?: { rule: Rule; points: number }[];
    metric?: Partial<Metric>;
  };
  const kind = tag?.kind ?? 'attribute';
  return {
    kind,
    rule:
      (kind === 'score' ? config.scores?.[0]?.rule : tag?.rule) ??
      ((tag?.object ?? object) !== 'profile' ? RECORD_RULE : (DEFAULT_RULE[kind] ?? DEFAULT_RULE.attribute!)),
    points: config.scores?.[0]?.points ?? 10,
    metric: { ...DEFAULT_METRIC, ...(config.metric ?? {}) } as Metric,
    prediction:
      kind === 'predicted'
        ? ({ ...DEFAULT_PREDICTION, ...tag!.config } as PredictionConfig)
        : DEFAULT_PREDICTION,
  };
}

/** New tag, or edit one (same form and rule builder; key, kind and object stay as created). */
export function TagEditor({
  open,
  onClose,
  tags,
  groups,
  groupId,
  tag,
  defaultObject = 'profile',
}: {
  open: boolean;
  onClose: () => void;
  tags: TagT[];
  groups: TagGroup[];
  groupId: string | null;
  tag?: TagT;
  /** A new tag applies to this object unless changed (the list's object filter). */
  defaultObject?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const [form] = Form.useForm();
  const init = useMemo(() => initialState(tag, defaultObject), [tag, defaultObject]);
  const [kind, setKind] = useState(init.kind);
  const [rule, setRule] = useState<Rule>(init.rule);
  const [metric, setMetric] = useState<Metric>(init.metric);
  const [points, setPoints] = useState(init.points);
  const [prediction, setPrediction] = useState<PredictionConfig>(init.prediction);
  const [preview, setPreview] = useState<Preview | null>(null);
  const [object, setObject] = useState(tag?.object ?? defaultObject);
  const records = object !== 'profile';
  const kinds = records ? RECORD_KINDS : KINDS;
  const pickObject = (o: string) => {
    setObject(o);
    setPreview(null);
    const onRecords = o !== 'profile';
    const k = onRecords && !RECORD_KINDS.includes(kind) ? 'attribute' : kind;
    setKind(k);
    // Conditions differ: fields of the object's records, or traits/events of people.
    setRule(onRecords ? RECORD_RULE : (DEFAULT_RULE[k] ?? DEFAULT_RULE.attribute!));
  };
  const body = () => {
    const v = form.getFieldsValue();
    // A score tag edited here keeps any further score rules it was created with through the API.
    const moreScores = ((tag?.config as { scores?: unknown[] } | undefined)?.scores ?? []).slice(1);
    return {
      key: tag?.key ?? v.key,
      name: v.name,
      kind,
      object,
      description: v.description || null,
      groupId: v.groupId || null,
      rule: ['manual', 'metric', 'score', 'predicted'].includes(kind) ? null : cleanRule(rule),
      config:
        kind === 'predicted'
          ? prediction
          : kind === 'metric'
            ? { metric: { ...metric, agg: 'sum' as const } }
            : kind === 'score'
              ? { scores: [{ rule: cleanRule(rule), points }, ...moreScores] }
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
    mutationFn: () => {
      const { key: _k, kind: _kind, object: _o, ...changes } = body();
      return tag ? http.patch<TagT>(`/cdp/tags/${tag.id}`, changes) : http.post<TagT>('/cdp/tags', body());
    },
    onSuccess: (saved) => {
      const recomputing = !!saved.backfill && saved.backfill.status !== 'done';
      message.success(
        !tag ? t('cdp.tags.saved') : recomputing ? t('cdp.tags.updatedBackfill') : t('cdp.tags.updated'),
      );
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.model(saved.id) });
      onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Drawer
      open={open}
      onClose={onClose}
      width={isMobile ? '100%' : 820}
      title={tag ? t('cdp.tags.edit') : t('cdp.tags.new')}
      destroyOnHidden
      data-testid="tag-editor"
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
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          name: tag?.name,
          key: tag?.key,
          description: tag?.description ?? '',
          groupId: (tag ? tag.groupId : groupId) ?? '',
        }}
      >
        <Form.Item name="name" label={t('cdp.tags.name')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="tag-name" />
        </Form.Item>
        <Form.Item
          label={t('cdp.tags.objectPick')}
          extra={!tag && records ? t('cdp.tags.objectHint') : undefined}
        >
          <ObjectPicker value={object} onChange={pickObject} disabled={!!tag} testId="tag-object" />
        </Form.Item>
        <Form.Item
          name="key"
          label={t('cdp.tags.key')}
          rules={tag ? [] : [{ required: true, pattern: /^[a-z][a-z0-9_]{0,62}$/ }]}
          extra={tag ? t('cdp.tags.fixedHint') : undefined}
        >
          <Input data-testid="tag-key" disabled={!!tag} />
        </Form.Item>
        <Space wrap style={{ width: '100%' }} size={12}>
          <Form.Item label={t('cdp.tags.kind')}>
            <Select
              value={kind}
              style={{ width: 160 }}
              disabled={!!tag}
              data-testid="tag-kind"
              onChange={(k) => {
                setKind(k);
                if (!records && DEFAULT_RULE[k]) setRule(DEFAULT_RULE[k]!);
              }}
              options={kinds.map((k) => ({ value: k, label: t(`cdp.tagKind.${k}`) }))}
            />
          </Form.Item>
          <Form.Item name="groupId" label={t('cdp.tags.group')}>
            <Select
              style={{ width: 200 }}
              data-testid="tag-group-select"
              options={[
                { value: '', label: t('cdp.tags.ungrouped') },
                ...groups.map((g) => ({ value: g.id, label: g.name })),
              ]}
            />
          </Form.Item>
        </Space>
        <Form.Item name="description" label={t('cdp.tags.description')} rules={[{ max: 1000 }]}>
          <Input.TextArea rows={2} data-testid="tag-description" />
        </Form.Item>
      </Form>
      {kind === 'metric' && <MetricFields value={metric} onChange={setMetric} />}
      {kind === 'score' && (
        <Space style={{ marginBottom: 8 }}>
          {t('cdp.tags.points')}
          <InputNumber value={points} onChange={(v) => setPoints(Number(v ?? 0))} />
        </Space>
      )}
      {kind === 'predicted' && <PredictionConfigFields value={prediction} onChange={setPrediction} />}
      {!['manual', 'metric', 'predicted'].includes(kind) && (
        <RuleBuilder
          value={rule}
          onChange={setRule}
          object={object}
          tags={tags
            .filter((x) => x.object === object && x.id !== tag?.id)
            .map((x) => ({ key: x.key, name: x.name }))}
        />
      )}
      {kind !== 'manual' && !records && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 12 }}>
          {t('cdp.tags.previewHint')}
        </Typography.Paragraph>
      )}
      {preview && (
        <Card
          size="small"
          style={{ marginTop: 12 }}
          title={t('cdp.tags.previewTitle')}
          data-testid="tag-preview-result"
        >
          {preview.coverage !== null && (
            <Typography.Paragraph data-testid="tag-preview-coverage">
              {records
                ? t('cdp.tags.coverageRecords', { n: preview.coverage })
                : t('cdp.tags.coverage', { n: preview.coverage })}
            </Typography.Paragraph>
          )}
          {preview.samples.length === 0 && (preview.sampled ?? 0) === 0 ? null : preview.samples.length ===
            0 ? (
            <Typography.Paragraph type="secondary">{t('cdp.tags.previewNoSamples')}</Typography.Paragraph>
          ) : null}
          {preview.sampled !== null && (
            <Table
              size="small"
              rowKey="profileId"
              pagination={false}
              dataSource={preview.samples}
              locale={{ emptyText: <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} /> }}
              columns={[
                { title: t('cdp.tags.sample'), render: (_: unknown, s) => s.name ?? s.profileId.slice(0, 8) },
                {
                  title: t('cdp.tags.value'),
                  render: (_: unknown, s) =>
                    s.value === null ? '—' : s.value === true ? t('cdp.tags.hit') : String(s.value),
                },
              ]}
            />
          )}
        </Card>
      )}
    </Drawer>
  );
}
