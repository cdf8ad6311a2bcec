import {
  ArrowLeftOutlined,
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  LoadingOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  Empty,
  Form,
  Input,
  Progress,
  Row,
  Select,
  Skeleton,
  Space,
  Statistic,
  Table,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { apiFetch, http, saveResponse } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import {
  type PersonLabel,
  type Rule,
  type Segment,
  useEventWords,
  useSegment,
  useSegmentHistory,
  useSegmentMembers,
  useTags,
} from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { ObjectPicker, useSubjectObjects } from './object-picker';
import { usePersonText } from './person-label';
import { RuleBuilder } from './rule-builder';
import { cleanRule, newLeaf, ruleWords } from './rule-model';

/** A new segment starts empty: its first condition comes from an example or is added by hand. */
const emptyRule = (): Rule => ({ and: [] });
const isEmptyRule = (r: Rule) => 'and' in r && r.and.length === 0;

/** Examples to start from, per object (names are message keys under cdp.builder). */
function examplesFor(object: string): { key: string; rule: Rule }[] {
  const viewed: Rule = { and: [{ event: 'Product Viewed', withinDays: 30, op: 'gte', value: 1 }] };
  if (object === 'profile')
    return [
      { key: 'viewed30', rule: viewed },
      {
        key: 'highValue',
        rule: {
          and: [
            {
              event: 'Order Completed',
              agg: 'sum',
              property: 'revenue',
              withinDays: 90,
              op: 'gte',
              value: 2000,
            },
          ],
        },
      },
      {
        key: 'cartNoOrder',
        rule: {
          and: [
            { event: 'Product Added', withinDays: 14, op: 'gte', value: 1 },
            { event: 'Order Completed', withinDays: 14, op: 'eq', value: 0 },
          ],
        },
      },
      {
        key: 'cityMembers',
        rule: {
          and: [
            { trait: 'city', op: 'eq', value: '深圳' },
            { trait: 'member_level', op: 'exists' },
          ],
        },
      },
    ];
  if (object === 'customer')
    return [
      { key: 'customersViewed', rule: viewed },
      { key: 'customerLevel', rule: { and: [{ trait: 'level', op: 'eq', value: 'A' }] } },
    ];
  return [{ key: 'nameContains', rule: { and: [{ trait: 'name', op: 'contains', value: '' }] } }];
}

function useDebounced<T>(v: T, ms: number): T {
  const [d, setD] = useState(v);
  useEffect(() => {
    const h = setTimeout(() => setD(v), ms);
    return () => clearTimeout(h);
  }, [v, ms]);
  return d;
}

/** Create or edit: the builder with a live count of matching profiles (or records of the object). */
export function SegmentEditor({ segment, onDone }: { segment?: Segment; onDone?: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const nav = useNavigate();
  const qc = useQueryClient();
  const tags = useTags();
  const [params] = useSearchParams();
  const [object, setObject] = useState(segment?.object ?? params.get('object') ?? 'profile');
  const tagName = (key: string) => tags.data?.items.find((x) => x.key === key)?.name ?? key;
  const [name, setName] = useState(segment?.name ?? '');
  const [description, setDescription] = useState(segment?.description ?? '');
  const [purpose, setPurpose] = useState(segment?.purpose ?? 'analytics');
  const [rule, setRule] = useState<Rule>(segment?.rule ?? emptyRule());
  const [tried, setTried] = useState(false);
  const words = useEventWords();
  const pickObject = (o: string) => {
    setObject(o);
    setRule(emptyRule());
  };
  const empty = isEmptyRule(rule);
  const nameMissing = !name.trim();
  // Memoised: a fresh object each render would restart the debounce forever.
  const draft = useMemo(() => ({ rule: cleanRule(rule), purpose }), [rule, purpose]);
  const records = object !== 'profile';
  const live = useDebounced(draft, 400);
  const count = useQuery({
    queryKey: cdpKeys.segments.preview(object, live),
    queryFn: () =>
      http.post<{ count: number; total: number }>('/cdp/segments/preview', {
        name: 'preview',
        object,
        ...live,
      }),
    retry: false,
    // Nothing to count before the first condition.
    enabled: !isEmptyRule(live.rule),
  });
  /** Names and conditions are checked here, before anything is sent. */
  const submit = () => {
    setTried(true);
    if (nameMissing || empty) return;
    save.mutate();
  };
  const save = useMutation({
    mutationFn: () =>
      segment
        ? http.patch<Segment>(`/cdp/segments/${segment.id}`, {
            name,
            description: description || null,
            ...draft,
          })
        : http.post<Segment>('/cdp/segments', {
            name,
            description: description || null,
            object,
            ...draft,
          }),
    onSuccess: (s) => {
      void qc.invalidateQueries({ queryKey: cdpKeys.all });
      if (segment) message.success(t('cdp.segments.saved'));
      // Editing happens on the segment's own page: go back to its view.
      if (onDone) onDone();
      else nav(`/cdp/segments/${s.id}`);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <div className="kehu-page" data-testid="segment-editor">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {segment ? `${t('cdp.segments.edit')} · ${segment.name}` : t('cdp.segments.new')}
        </Typography.Title>
        <Space>
          {onDone && (
            <Button onClick={onDone} data-testid="segment-cancel">
              {t('cdp.segments.cancel')}
            </Button>
          )}
          <Button type="primary" loading={save.isPending} onClick={submit} data-testid="segment-save">
            {t('common.save', { defaultValue: '保存' })}
          </Button>
        </Space>
      </div>
      <Row gutter={[12, 12]}>
        <Col xs={{ span: 24, order: 2 }} lg={{ span: 18, order: 1 }}>
          <Form layout="vertical">
            <Form.Item
              label={t('cdp.segments.name')}
              required
              validateStatus={tried && nameMissing ? 'error' : undefined}
              help={tried && nameMissing ? t('cdp.builder.nameRequired') : undefined}
            >
              <Input
                value={name}
                maxLength={200}
                onChange={(e) => setName(e.target.value)}
                data-testid="segment-name"
              />
            </Form.Item>
            <Form.Item label={t('cdp.segments.description')}>
              <Input.TextArea
                rows={2}
                maxLength={1000}
                value={description}
                onChange={(e) => setDescription(e.target.value)}
                data-testid="segment-description"
              />
            </Form.Item>
            <Form.Item
              label={t('cdp.segments.objectPick')}
              extra={!segment && records ? t('cdp.segments.objectHint') : undefined}
            >
              <ObjectPicker
                value={object}
                onChange={pickObject}
                disabled={!!segment}
                testId="segment-object"
                width="100%"
              />
            </Form.Item>
            <Form.Item label={t('cdp.segments.purpose')}>
              <Select
                value={purpose}
                onChange={setPurpose}
                options={['analytics', 'marketing', 'service'].map((p) => ({
                  value: p,
                  label: t(`cdp.purpose.${p}`),
                }))}
              />
            </Form.Item>
          </Form>
          {empty ? (
            <Card size="small" data-testid="segment-rule-empty">
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={
                  <Space direction="vertical" size={2}>
                    <Typography.Text strong>{t('cdp.builder.emptyTitle')}</Typography.Text>
                    <Typography.Text type="secondary">{t('cdp.builder.emptyHint')}</Typography.Text>
                    {tried && (
                      <Typography.Text type="danger">{t('cdp.builder.ruleRequired')}</Typography.Text>
                    )}
                  </Space>
                }
              >
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Typography.Text type="secondary">{t('cdp.builder.examples')}</Typography.Text>
                  <Space wrap style={{ justifyContent: 'center' }}>
                    {examplesFor(object).map((x) => (
                      <Button
                        key={x.key}
                        onClick={() => {
                          setRule(x.rule);
                          if (!name.trim()) setName(t(`cdp.builder.${x.key}`));
                        }}
                        data-testid={`segment-example-${x.key}`}
                      >
                        {t(`cdp.builder.${x.key}`)}
                      </Button>
                    ))}
                  </Space>
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => setRule({ and: [newLeaf(object)] })}
                    data-testid="segment-add-first"
                  >
                    {t('cdp.builder.addFirst')}
                  </Button>
                </Space>
              </Empty>
            </Card>
          ) : (
            <RuleBuilder
              value={rule}
              onChange={setRule}
              object={object}
              tags={(tags.data?.items ?? [])
                .filter((x) => x.object === object)
                .map((x) => ({ key: x.key, name: x.name }))}
            />
          )}
        </Col>
        {/* On a phone the live count sits above the builder, so it stays in view while editing. */}
        <Col xs={{ span: 24, order: 1 }} lg={{ span: 6, order: 2 }}>
          <Card size="small" style={{ position: 'sticky', top: 12 }} data-testid="segment-live">
            <Statistic
              title={t('cdp.segments.liveCount')}
              value={empty ? '—' : (count.data?.count ?? '—')}
              suffix={count.data && !empty ? `/ ${count.data.total}` : undefined}
              loading={count.isFetching && !count.data}
            />
            <div data-testid="segment-live-count" style={{ display: 'none' }}>
              {count.data?.count}
            </div>
            {count.data && count.data.total > 0 && (
              <Progress
                percent={Math.round((1000 * count.data.count) / count.data.total) / 10}
                size="small"
                showInfo
              />
            )}
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {count.isFetching ? <LoadingOutlined /> : null}{' '}
              {records ? t('cdp.segments.liveHintRecords') : t('cdp.segments.liveHint')}
            </Typography.Text>
            {count.error && (
              <div>
                <Typography.Text type="danger">{errorMessage(count.error)}</Typography.Text>
              </div>
            )}
            {!empty && (
              <Typography.Paragraph
                type="secondary"
                style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}
                data-testid="segment-rule-draft"
              >
                {ruleWords(draft.rule, t, { tag: tagName, event: words.event, prop: words.prop })}
              </Typography.Paragraph>
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}

export function SegmentPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const personText = usePersonText();
  const personOf = (m: { name?: string | null; label?: PersonLabel }) =>
    m.label ? personText(m.label) : (m.name ?? personText(null));
  const { message, modal } = App.useApp();
  const { can } = useSession();
  const nav = useNavigate();
  const qc = useQueryClient();
  const seg = useSegment(id);
  const history = useSegmentHistory(id);
  const members = useSegmentMembers(id);
  const { objectLabel } = useSubjectObjects();
  const tags = useTags();
  const words = useEventWords();
  const tagName = (key: string) => tags.data?.items.find((x) => x.key === key)?.name ?? key;
  const [editing, setEditing] = useState(false);
  const del = useMutation({
    mutationFn: () => http.del(`/cdp/segments/${id}`),
    onSuccess: () => {
      message.success(t('cdp.segments.deleted'));
      qc.removeQueries({ queryKey: cdpKeys.segments.detail(id) });
      void qc.invalidateQueries({ queryKey: cdpKeys.segments.list() });
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
      nav('/cdp/segments');
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const option = useMemo(() => {
    const items = history.data?.items ?? [];
    return {
      tooltip: { trigger: 'axis' as const },
      // Legend above the plot and labels inside the grid, so neither covers the axis on a phone.
      legend: {
        top: 0,
        data: [t('cdp.segments.members_'), t('cdp.segments.entered'), t('cdp.segments.exited')],
      },
      grid: { left: 8, right: 16, top: 36, bottom: 8, containLabel: true },
      xAxis: { type: 'category' as const, data: items.map((i) => i.day) },
      yAxis: { type: 'value' as const },
      series: [
        { name: t('cdp.segments.members_'), type: 'line' as const, data: items.map((i) => i.members) },
        { name: t('cdp.segments.entered'), type: 'bar' as const, data: items.map((i) => i.entered) },
        { name: t('cdp.segments.exited'), type: 'bar' as const, data: items.map((i) => -i.exited) },
      ],
    };
  }, [history.data, t]);
  const exportCsv = async () => {
    try {
      const res = await apiFetch(`/cdp/segments/${id}/export`);
      await saveResponse(res, `segment-${id}.csv`);
    } catch (e) {
      message.error(errorMessage(e));
    }
  };
  if (seg.error) return <PageError error={seg.error} onRetry={() => seg.refetch()} />;
  if (!seg.data) return <Skeleton active />;
  if (editing) return <SegmentEditor segment={seg.data} onDone={() => setEditing(false)} />;
  return (
    <div className="kehu-page" data-testid="segment-page">
      <div className="kehu-page-header">
        <Space>
          <Link to="/cdp/segments">
            <Button icon={<ArrowLeftOutlined />} aria-label={t('common.back')} />
          </Link>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {seg.data.name}
          </Typography.Title>
        </Space>
        <Space wrap>
          <PermissionButton
            allowed={can('cdp:manage')}
            need={t('cdp.perm.segments')}
            icon={<EditOutlined />}
            onClick={() => setEditing(true)}
            data-testid="segment-edit"
          >
            {t('cdp.segments.edit')}
          </PermissionButton>
          {can('cdp:manage') && (
            <Button
              danger
              icon={<DeleteOutlined />}
              loading={del.isPending}
              data-testid="segment-delete"
              onClick={() =>
                modal.confirm({
                  title: t('cdp.segments.deleteConfirm', { name: seg.data!.name }),
                  okButtonProps: { danger: true },
                  onOk: () => del.mutateAsync(),
                })
              }
            >
              {t('cdp.segments.delete')}
            </Button>
          )}
          {can('segment:export') && (
            <Button icon={<DownloadOutlined />} onClick={exportCsv} data-testid="segment-export">
              {t('cdp.segments.export')}
            </Button>
          )}
        </Space>
      </div>
      {seg.data.description && (
        <Typography.Paragraph type="secondary" data-testid="segment-description-text">
          {seg.data.description}
        </Typography.Paragraph>
      )}
      <Card size="small" style={{ marginBottom: 12 }} title={t('cdp.builder.rule')}>
        <Typography.Text data-testid="segment-rule-words">
          {ruleWords(seg.data.rule, t, { tag: tagName, event: words.event, prop: words.prop })}
        </Typography.Text>
      </Card>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={8}>
          <Card size="small">
            <Statistic
              title={
                seg.data.object === 'profile'
                  ? t('cdp.segments.memberCount')
                  : `${t('cdp.segments.memberCount')} · ${objectLabel(seg.data.object)}`
              }
              value={seg.data.memberCount}
            />
            <div data-testid="segment-member-count" style={{ display: 'none' }}>
              {seg.data.memberCount}
            </div>
          </Card>
        </Col>
        <Col xs={24} lg={16}>
          <Card size="small" title={t('cdp.segments.chart')}>
            <EChart option={option} height={240} testId="segment-chart" />
          </Card>
        </Col>
        <Col xs={24}>
          <Card size="small" title={t('cdp.segments.memberList')} data-testid="segment-members">
            <Table
              size="small"
              rowKey="id"
              loading={members.isPending}
              dataSource={members.data?.items ?? []}
              pagination={{ pageSize: 20, hideOnSinglePage: true, size: 'small', showSizeChanger: false }}
              scroll={{ x: 'max-content' }}
              locale={{ emptyText: t('cdp.segments.noMembers') }}
              onRow={() => ({ 'data-testid': 'segment-member' }) as React.HTMLAttributes<HTMLElement>}
              columns={[
                {
                  title: t('cdp.builder.memberName'),
                  key: 'name',
                  render: (_: unknown, m) =>
                    seg.data.object === 'profile' ? (
                      <Link to={`/cdp/profiles/${m.id}`}>{personOf(m)}</Link>
                    ) : m.visible === false ? (
                      <Typography.Text type="secondary">{t('cdp.segments.hiddenMember')}</Typography.Text>
                    ) : (
                      <Link to={`/o/${seg.data.object}/${m.id}`}>
                        {m.name || t('cdp.segments.unnamedMember')}
                      </Link>
                    ),
                },
                ...(seg.data.object === 'profile'
                  ? [
                      {
                        title: t('cdp.builder.memberContact'),
                        key: 'contact',
                        render: (_: unknown, m: { phone?: string | null; email?: string | null }) =>
                          [m.phone, m.email].filter(Boolean).join(' · ') || '—',
                      },
                    ]
                  : []),
                {
                  title: t('cdp.builder.memberEntered'),
                  key: 'enteredAt',
                  render: (_: unknown, m) => dayjs(m.enteredAt).format('YYYY-MM-DD HH:mm'),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
