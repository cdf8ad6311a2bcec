import {
  DeleteOutlined,
  EditOutlined,
  FolderAddOutlined,
  FolderOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  App,
  AutoComplete,
  Button,
  Card,
  Descriptions,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  List,
  Modal,
  Progress,
  Select,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import type { TFunction } from 'i18next';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { http } from '../../app/api-client';
import { ErrorResult, errorMessage } from '../../app/error-result';
import { useSession } from '../../app/session';
import { useIsMobile } from '../../app/use-is-mobile';
import { type Rule, type TagGroup, type Tag as TagT, useEventProperties, useTags } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { EventNameInput } from './event-editor';
import { ObjectFilter, ObjectPicker, useSubjectObjects } from './object-picker';
import {
  DEFAULT_PREDICTION,
  PredictionCard,
  type PredictionConfig,
  PredictionConfigFields,
} from './prediction-card';
import { RuleBuilder } from './rule-builder';
import { cleanRule, matches, ruleText } from './rule-model';

const KINDS = ['attribute', 'behaviour', 'metric', 'score', 'combined', 'manual', 'crm', 'predicted'];
/** What the server accepts on records of other objects (validateTag): no events, no scores. */
const RECORD_KINDS = ['attribute', 'combined', 'crm', 'manual'];
const RECORD_RULE: Rule = { and: [{ trait: 'name', op: 'contains', value: '' }] };
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

type Metric = { event: string; withinDays: number; property: string };
const DEFAULT_METRIC: Metric = { event: 'Order Completed', withinDays: 90, property: 'total' };

/** A metric tag's event and summed property, offered from the events the tenant received. */
function MetricFields({ value, onChange }: { value: Metric; onChange: (m: Metric) => void }) {
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
function initialState(tag?: TagT, object = 'profile') {
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
function TagEditor({
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

function GroupModal({
  group,
  open,
  onClose,
}: {
  group: TagGroup | null;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const save = useMutation({
    mutationFn: (v: { name: string; description?: string }) =>
      group ? http.patch(`/cdp/tag-groups/${group.id}`, v) : http.post('/cdp/tag-groups', v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
      onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Modal
      open={open}
      title={group ? t('cdp.tags.editGroup') : t('cdp.tags.newGroup')}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => save.mutate(v))}
      confirmLoading={save.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'group-save' } as Record<string, string>}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ name: group?.name, description: group?.description ?? '' }}
      >
        <Form.Item name="name" label={t('cdp.tags.groupName')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="group-name" />
        </Form.Item>
        <Form.Item name="description" label={t('cdp.tags.groupDescription')}>
          <Input.TextArea rows={2} maxLength={1000} data-testid="group-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function lineageTag(l: string, tagName: (k: string) => string, t: TFunction) {
  const [kind, ...rest] = l.split(':');
  // `event:*` is "every event" (a predicted tag's activity features).
  const what = kind === 'event' && rest.join(':') === '*' ? t('cdp.tags.allEvents') : rest.join(':');
  return (
    <Tag
      key={l}
      color={kind === 'tag' ? 'geekblue' : kind === 'event' ? 'blue' : kind === 'crm' ? 'green' : undefined}
    >
      {kind === 'tag' ? tagName(what) : what}
    </Tag>
  );
}

function TagDetails({
  tag,
  groups,
  tagName,
  onEdit,
}: {
  tag: TagT;
  groups: TagGroup[];
  tagName: (k: string) => string;
  onEdit: () => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const { can } = useSession();
  const move = useMutation({
    mutationFn: (groupId: string | null) => http.patch(`/cdp/tags/${tag.id}`, { groupId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: cdpKeys.tags.list() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const del = useMutation({
    mutationFn: () => http.del(`/cdp/tags/${tag.id}`),
    onSuccess: () => {
      message.success(t('cdp.tags.deleted'));
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
    },
    // The server names what still uses the tag (409) if the list here was stale.
    onError: (e) => message.error(errorMessage(e)),
  });
  const inUse = tag.usedBy.length > 0;
  return (
    <>
      {can('cdp:manage') && (
        <Space wrap style={{ marginBottom: 8 }}>
          <Button size="small" icon={<EditOutlined />} onClick={onEdit} data-testid="tag-edit">
            {t('cdp.tags.editShort')}
          </Button>
          <Tooltip title={inUse ? t('cdp.tags.inUseHint', { n: tag.usedBy.length }) : undefined}>
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              disabled={inUse}
              loading={del.isPending}
              data-testid="tag-delete"
              onClick={() =>
                modal.confirm({
                  title: t('cdp.tags.deleteConfirm', { name: tag.name }),
                  okButtonProps: { danger: true },
                  onOk: () => del.mutateAsync(),
                })
              }
            >
              {t('cdp.tags.delete')}
            </Button>
          </Tooltip>
        </Space>
      )}
      <Descriptions size="small" column={1} data-testid="tag-details">
        {tag.description && (
          <Descriptions.Item label={t('cdp.tags.description')}>{tag.description}</Descriptions.Item>
        )}
        {tag.rule && (
          <Descriptions.Item label={t('cdp.tags.rule')}>{ruleText(tag.rule, t, tagName)}</Descriptions.Item>
        )}
        <Descriptions.Item label={t('cdp.tags.dependsOn')}>
          {tag.lineage.length ? tag.lineage.map((l) => lineageTag(l, tagName, t)) : t('cdp.tags.none')}
        </Descriptions.Item>
        <Descriptions.Item label={t('cdp.tags.usedBy')}>
          <span data-testid="tag-used-by">
            {tag.usedBy.length
              ? tag.usedBy.map((u) =>
                  u.kind === 'segment' ? (
                    <Link key={u.id} to={`/cdp/segments/${u.id}`}>
                      <Tag color="green">
                        {t('cdp.tags.segment')}: {u.name}
                      </Tag>
                    </Link>
                  ) : (
                    <Tag key={u.id} color="geekblue">
                      {u.name}
                    </Tag>
                  ),
                )
              : t('cdp.tags.none')}
          </span>
        </Descriptions.Item>
        {can('cdp:manage') && (
          <Descriptions.Item label={t('cdp.tags.moveTo')}>
            <Select
              style={{ width: 200 }}
              value={tag.groupId ?? ''}
              loading={move.isPending}
              onChange={(v) => move.mutate(v || null)}
              options={[
                { value: '', label: t('cdp.tags.ungrouped') },
                ...groups.map((g) => ({ value: g.id, label: g.name })),
              ]}
              data-testid="tag-move"
            />
          </Descriptions.Item>
        )}
      </Descriptions>
    </>
  );
}

const nowrap = () => ({ style: { whiteSpace: 'nowrap' as const } });

export function TagsPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const tags = useTags();
  const { can } = useSession();
  const isMobile = useIsMobile();
  const [expanded, setExpanded] = useState<string | null>(null);
  const [open, setOpen] = useState<{ groupId: string | null; tag?: TagT } | null>(null);
  const [groupModal, setGroupModal] = useState<{ group: TagGroup | null } | null>(null);
  const [objectFilter, setObjectFilter] = useState('');
  const { objectLabel } = useSubjectObjects();
  const all = tags.data?.items ?? [];
  const items = objectFilter ? all.filter((x) => x.object === objectFilter) : all;
  const groups = tags.data?.groups ?? [];
  const tagName = (key: string) => all.find((x) => x.key === key)?.name ?? key;
  const objectTag = (x: TagT) =>
    x.object !== 'profile' && (
      <Tag color="purple" data-testid="tag-object-label">
        {objectLabel(x.object)}
      </Tag>
    );
  const del = useMutation({
    mutationFn: (g: TagGroup) => http.del(`/cdp/tag-groups/${g.id}`),
    onSuccess: () => {
      message.success(t('cdp.tags.deleted'));
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const columns = [
    {
      title: t('cdp.tags.name'),
      render: (_: unknown, x: TagT) => (
        <Space direction="vertical" size={0}>
          <span>
            <Tag color="geekblue">{x.name}</Tag>
            {objectTag(x)}
          </span>
          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
            {x.key}
          </Typography.Text>
          {x.description && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: x.description }}>
              {x.description}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('cdp.tags.kind'),
      dataIndex: 'kind',
      width: 96,
      onHeaderCell: nowrap,
      render: (k: string) => <span style={{ whiteSpace: 'nowrap' }}>{t(`cdp.tagKind.${k}`)}</span>,
    },
    {
      title: t('cdp.tags.owner'),
      dataIndex: 'ownerName',
      width: 96,
      responsive: ['md' as const],
      render: (n: string | null) => n ?? '—',
    },
    {
      title: t('cdp.tags.coverageCol'),
      dataIndex: 'coverage',
      width: 90,
      onHeaderCell: nowrap,
      render: (n: number) => <span data-testid="tag-coverage">{n.toLocaleString()}</span>,
    },
    {
      title: t('cdp.tags.lineage'),
      // On a phone the lineage is in the row's details.
      responsive: ['md' as const],
      render: (_: unknown, x: TagT) => (
        <Space direction="vertical" size={2}>
          <span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('cdp.tags.dependsOn')}:{' '}
            </Typography.Text>
            {x.lineage.length ? x.lineage.map((l) => lineageTag(l, tagName, t)) : '—'}
          </span>
          {x.usedBy.length > 0 && (
            <span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('cdp.tags.usedBy')}:{' '}
              </Typography.Text>
              {x.usedBy.map((u) => (
                <Tag key={u.id} color={u.kind === 'segment' ? 'green' : 'geekblue'}>
                  {u.name}
                </Tag>
              ))}
            </span>
          )}
        </Space>
      ),
    },
    {
      title: t('cdp.tags.backfill'),
      width: 140,
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
                : Math.min(99, Math.round((100 * x.backfill.done) / Math.max(1, x.backfill.total ?? 1)))
            }
          />
        ) : (
          '—'
        ),
    },
  ];
  const sections: { group: TagGroup | null; tags: TagT[] }[] = [
    ...groups.map((g) => ({ group: g, tags: items.filter((x) => x.groupId === g.id) })),
    { group: null, tags: items.filter((x) => !x.groupId || !groups.some((g) => g.id === x.groupId)) },
  ]
    // Filtered by object, a group without such tags is left out rather than shown empty.
    .filter((s) => (objectFilter ? s.tags.length : s.group || s.tags.length));
  const confirmDelete = (g: TagGroup) =>
    modal.confirm({
      title: t('cdp.tags.deleteGroupConfirm', { name: g.name }),
      onOk: () => del.mutateAsync(g),
    });
  return (
    <div className="kehu-page" data-testid="cdp-tags">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.tags.title')}
        </Typography.Title>
        <Space wrap>
          <ObjectFilter
            value={objectFilter}
            onChange={setObjectFilter}
            present={all.map((x) => x.object)}
            testId="tag-object-filter"
          />
          {can('cdp:manage') && (
            <Button
              icon={<FolderAddOutlined />}
              onClick={() => setGroupModal({ group: null })}
              data-testid="group-new"
            >
              {t('cdp.tags.newGroup')}
            </Button>
          )}
          {can('cdp:manage') && (
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => setOpen({ groupId: null })}
              data-testid="tag-new"
            >
              {t('cdp.tags.new')}
            </Button>
          )}
        </Space>
      </div>
      {tags.error ? (
        <ErrorResult error={tags.error} onRetry={() => tags.refetch()} />
      ) : !tags.isPending && items.length === 0 && groups.length === 0 ? (
        <Card>
          <Empty description={t('cdp.tags.empty')} />
        </Card>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          {sections.map(({ group, tags: list }) => (
            <Card
              key={group?.id ?? 'ungrouped'}
              size="small"
              data-testid="tag-group"
              title={
                <Space wrap size={4}>
                  <FolderOutlined />
                  <span data-testid="tag-group-name">{group ? group.name : t('cdp.tags.ungrouped')}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
                    {t('cdp.tags.tagCount', { n: list.length })}
                  </Typography.Text>
                </Space>
              }
              extra={
                group &&
                can('cdp:manage') && (
                  <Space size={0}>
                    <Button
                      size="small"
                      type="text"
                      icon={<PlusOutlined />}
                      aria-label={t('cdp.tags.new')}
                      onClick={() => setOpen({ groupId: group.id })}
                    />
                    <Button
                      size="small"
                      type="text"
                      icon={<EditOutlined />}
                      aria-label={t('cdp.tags.editGroup')}
                      onClick={() => setGroupModal({ group })}
                      data-testid="group-edit"
                    />
                    <Tooltip
                      title={list.length ? t('cdp.tags.groupNotEmpty', { n: list.length }) : undefined}
                    >
                      <Button
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        disabled={list.length > 0}
                        aria-label={t('cdp.tags.deleteGroup')}
                        onClick={() => confirmDelete(group)}
                        data-testid="group-delete"
                      />
                    </Tooltip>
                  </Space>
                )
              }
              styles={{ body: { padding: 0, overflowX: 'auto' } }}
            >
              {group?.description && (
                <Typography.Paragraph type="secondary" style={{ margin: '8px 12px 0' }}>
                  {group.description}
                </Typography.Paragraph>
              )}
              {list.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cdp.tags.groupEmpty')} />
              ) : isMobile ? (
                // A phone gets a list: name, kind, coverage and progress; details on tap.
                <List
                  size="small"
                  dataSource={list}
                  renderItem={(x) => (
                    <List.Item style={{ display: 'block', padding: '8px 12px' }}>
                      <button
                        type="button"
                        style={{
                          all: 'unset',
                          boxSizing: 'border-box',
                          width: '100%',
                          display: 'flex',
                          alignItems: 'center',
                          gap: 8,
                          cursor: 'pointer',
                        }}
                        aria-expanded={expanded === x.id}
                        onClick={() => setExpanded(expanded === x.id ? null : x.id)}
                      >
                        <span style={{ flex: 1, minWidth: 0 }}>
                          <Space size={4} wrap>
                            <Tag color="geekblue">{x.name}</Tag>
                            {objectTag(x)}
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                              {t(`cdp.tagKind.${x.kind}`)}
                            </Typography.Text>
                          </Space>
                          {x.description && (
                            <Typography.Text
                              type="secondary"
                              style={{ fontSize: 12, display: 'block' }}
                              ellipsis
                            >
                              {x.description}
                            </Typography.Text>
                          )}
                        </span>
                        <span data-testid="tag-coverage">{x.coverage.toLocaleString()}</span>
                        {x.backfill && (
                          <Progress
                            type="circle"
                            size={24}
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
                        )}
                      </button>
                      {expanded === x.id && (
                        <div style={{ marginTop: 8 }}>
                          <TagDetails
                            tag={x}
                            groups={groups}
                            tagName={tagName}
                            onEdit={() => setOpen({ groupId: x.groupId, tag: x })}
                          />
                          {x.kind === 'predicted' && <PredictionCard tag={x} />}
                        </div>
                      )}
                    </List.Item>
                  )}
                />
              ) : (
                <Table
                  rowKey="id"
                  size="small"
                  dataSource={list}
                  pagination={false}
                  scroll={{ x: 760 }}
                  columns={columns}
                  expandable={{
                    expandedRowRender: (x: TagT) => (
                      <>
                        <TagDetails
                          tag={x}
                          groups={groups}
                          tagName={tagName}
                          onEdit={() => setOpen({ groupId: x.groupId, tag: x })}
                        />
                        {x.kind === 'predicted' && <PredictionCard tag={x} />}
                      </>
                    ),
                  }}
                />
              )}
            </Card>
          ))}
        </Space>
      )}
      {open && (
        <TagEditor
          open
          onClose={() => setOpen(null)}
          tags={all}
          groups={groups}
          groupId={open.groupId}
          tag={open.tag}
          defaultObject={objectFilter || 'profile'}
        />
      )}
      {groupModal && <GroupModal open group={groupModal.group} onClose={() => setGroupModal(null)} />}
    </div>
  );
}
