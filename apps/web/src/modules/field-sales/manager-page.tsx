import { ArrowDownOutlined, ArrowUpOutlined, BulbOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Image,
  List,
  Row,
  Select,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import {
  addDays,
  type Plan,
  photoUrl,
  proposePlan,
  putStore,
  savePlan,
  todayStr,
  useCoverage,
  useFslMutation,
  usePhotos,
  usePlans,
  useReps,
  useStores,
  useVisits,
  weekStartOf,
} from './field-sales-api';
import { STATUS_COLOR } from './today-page';
import { VisitMap } from './visit-map';

/** The manager's view (PC first, works at 390 px): today's map, coverage by tier, photos, stores, plans. */
export function ManagerPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [tab, setTab] = useState('map');
  return (
    <div className="kehu-page" data-testid="fsl-manager">
      <Typography.Title level={4}>{t('fieldSales.manager.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('fieldSales.manager.intro')}</Typography.Paragraph>
      <Tabs
        activeKey={tab}
        onChange={setTab}
        destroyOnHidden
        items={[
          { key: 'map', label: t('fieldSales.manager.tabs.map'), children: <MapTab /> },
          { key: 'coverage', label: t('fieldSales.manager.tabs.coverage'), children: <CoverageTab /> },
          { key: 'photos', label: t('fieldSales.manager.tabs.photos'), children: <PhotosTab /> },
          {
            key: 'plans',
            label: t('fieldSales.manager.tabs.plans'),
            children: <PlansTab canPlan={can('field_sales:plan')} />,
          },
          {
            key: 'stores',
            label: t('fieldSales.manager.tabs.stores'),
            children: <StoresTab canPlan={can('field_sales:plan')} />,
          },
        ]}
      />
    </div>
  );
}

function RepFilter({ value, onChange }: { value?: string; onChange: (v?: string) => void }) {
  const { t } = useTranslation();
  const reps = useReps();
  return (
    <Select
      allowClear
      style={{ minWidth: 160 }}
      placeholder={t('fieldSales.manager.allReps')}
      value={value}
      onChange={(v) => onChange(v ?? undefined)}
      options={(reps.data?.items ?? [])
        .filter((r) => r.stores > 0)
        .map((r) => ({ value: r.id, label: r.name }))}
      aria-label={t('fieldSales.manager.rep')}
      data-testid="fsl-rep-filter"
    />
  );
}

function MapTab() {
  const { t } = useTranslation();
  const [day, setDay] = useState(todayStr());
  const [repId, setRepId] = useState<string>();
  const q = useVisits(day, repId);
  const items = q.data?.items ?? [];
  const done = items.filter((v) => v.status === 'done').length;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Space wrap>
        <DatePicker
          value={dayjs(day)}
          allowClear={false}
          onChange={(d) => d && setDay(d.format('YYYY-MM-DD'))}
          aria-label={t('fieldSales.manager.day')}
        />
        <RepFilter value={repId} onChange={setRepId} />
      </Space>
      {q.isLoading ? (
        <PageSkeleton />
      ) : q.error ? (
        <ErrorResult error={q.error} onRetry={() => q.refetch()} />
      ) : !items.length ? (
        <Empty description={t('fieldSales.manager.noVisits')} />
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} lg={16}>
            <Card size="small">
              {repId ? (
                <VisitMap visits={items} />
              ) : (
                // One map per rep: each rep's stores are local, while a branch may span cities
                // (one map of both would squeeze every store into two dots).
                <Row gutter={[12, 12]}>
                  {[...new Set(items.map((v) => v.repId))].map((r) => {
                    const mine = items.filter((v) => v.repId === r);
                    return (
                      <Col key={r} xs={24} xl={12}>
                        <Typography.Text strong>{mine[0]?.repName}</Typography.Text>
                        <VisitMap visits={mine} width={520} height={360} title={mine[0]?.repName ?? ''} />
                      </Col>
                    );
                  })}
                </Row>
              )}
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('fieldSales.map.legend')}
              </Typography.Text>
            </Card>
          </Col>
          <Col xs={24} lg={8}>
            <Card size="small">
              <Space size={24} style={{ marginBottom: 8 }}>
                <Statistic title={t('fieldSales.manager.planned')} value={items.length} />
                <Statistic title={t('fieldSales.manager.done')} value={done} />
                <Statistic
                  title={t('fieldSales.flagged')}
                  value={items.filter((v) => v.flagged).length}
                  valueStyle={{ color: '#cf1322' }}
                />
              </Space>
              <List
                size="small"
                dataSource={items}
                renderItem={(v) => (
                  <List.Item data-testid="fsl-map-row">
                    <List.Item.Meta
                      title={`${v.repName} · ${v.storeName}`}
                      description={
                        <Space wrap size={4}>
                          <Tag color={STATUS_COLOR[v.status]}>{t(`fieldSales.status.${v.status}`)}</Tag>
                          {v.distanceM != null && <Tag>{v.distanceM} m</Tag>}
                          {v.flagged && (
                            <Tag color="red" title={v.offFenceReason ?? ''}>
                              {t('fieldSales.flagged')}
                            </Tag>
                          )}
                          {v.durationS != null && (
                            <Tag>{t('fieldSales.duration', { min: Math.round(v.durationS / 60) })}</Tag>
                          )}
                        </Space>
                      }
                    />
                  </List.Item>
                )}
              />
            </Card>
          </Col>
        </Row>
      )}
    </Space>
  );
}

function CoverageTab() {
  const { t } = useTranslation();
  const q = useCoverage();
  if (q.isLoading) return <PageSkeleton />;
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  const c = q.data!;
  if (!c.tiers.some((x) => x.stores)) return <Empty description={t('fieldSales.manager.noTiers')} />;
  const tiers = c.tiers.map((x) => t('fieldSales.tier', { tier: x.tier }));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <Typography.Text type="secondary">
        {t('fieldSales.manager.coveragePeriod', { from: c.from, to: c.to })}
      </Typography.Text>
      <Row gutter={[12, 12]}>
        {c.tiers.map((x) => (
          <Col key={x.tier} xs={24} md={8}>
            <Card size="small" title={t('fieldSales.tierEvery', { tier: x.tier, days: x.everyDays })}>
              <Statistic
                title={t('fieldSales.manager.coveredStores')}
                value={x.covered}
                suffix={`/ ${x.stores}`}
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Card size="small">
        <EChart
          height={280}
          option={{
            animation: false,
            tooltip: { trigger: 'axis' },
            legend: { top: 0 },
            grid: { left: 8, right: 16, top: 32, bottom: 8, containLabel: true },
            xAxis: { type: 'category', data: tiers },
            yAxis: { type: 'value', minInterval: 1 },
            series: [
              {
                type: 'bar',
                name: t('fieldSales.manager.expected'),
                data: c.tiers.map((x) => x.expected),
                itemStyle: { color: '#d9d9d9' },
              },
              {
                type: 'bar',
                name: t('fieldSales.manager.planned'),
                data: c.tiers.map((x) => x.planned),
                itemStyle: { color: '#1677ff' },
              },
              {
                type: 'bar',
                name: t('fieldSales.manager.done'),
                data: c.tiers.map((x) => x.done),
                itemStyle: { color: '#52c41a' },
              },
            ],
          }}
        />
      </Card>
    </Space>
  );
}

function PhotosTab() {
  const { t } = useTranslation();
  const [repId, setRepId] = useState<string>();
  const q = usePhotos(repId);
  const items = q.data?.items ?? [];
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      <RepFilter value={repId} onChange={setRepId} />
      {q.isLoading ? (
        <PageSkeleton />
      ) : !items.length ? (
        <Empty description={t('fieldSales.manager.noPhotos')} />
      ) : (
        <Image.PreviewGroup>
          <Row gutter={[12, 12]}>
            {items.map((p) => (
              <Col key={p.id} xs={12} sm={8} md={6} lg={4}>
                <Card
                  size="small"
                  cover={
                    <Image
                      src={photoUrl(p.id, true)}
                      preview={{ src: photoUrl(p.id) }}
                      alt={p.storeName ?? ''}
                    />
                  }
                  data-testid="fsl-gallery-photo"
                >
                  <Typography.Text strong ellipsis style={{ display: 'block' }}>
                    {p.storeName}
                  </Typography.Text>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {p.repName} · {dayjs(p.uploadedAt).format('MM-DD HH:mm')}
                  </Typography.Text>
                  <div>
                    {p.status === 'flagged' ? (
                      <Tag color="red" title={p.flags.map((f) => f.message).join('；')}>
                        {p.flags[0]?.message}
                      </Tag>
                    ) : (
                      <Tag color="green">{t('fieldSales.photoOk')}</Tag>
                    )}
                  </div>
                </Card>
              </Col>
            ))}
          </Row>
        </Image.PreviewGroup>
      )}
    </Space>
  );
}

function StoresTab({ canPlan }: { canPlan: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const q = useStores();
  const reps = useReps();
  const save = useFslMutation(putStore);
  if (q.isLoading) return <PageSkeleton />;
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  const update = (id: string, tier: string, repId: string | null, version: number) =>
    save.mutate(
      { id, tier, repId, version },
      {
        onSuccess: () => message.success(t('fieldSales.manager.saved')),
        onError: (e) => message.error(errorMessage(e)),
      },
    );
  return (
    <Table
      rowKey="unitId"
      size="small"
      scroll={{ x: 640 }}
      dataSource={q.data?.items ?? []}
      pagination={false}
      locale={{ emptyText: t('fieldSales.manager.noStores') }}
      columns={[
        { title: t('fieldSales.cols.store'), dataIndex: 'name' },
        {
          title: t('fieldSales.cols.tier'),
          dataIndex: 'tier',
          render: (v, s) => (
            <Select
              value={v ?? undefined}
              disabled={!canPlan}
              placeholder={t('fieldSales.manager.chooseTier')}
              style={{ width: 170 }}
              aria-label={t('fieldSales.cols.tier')}
              options={(['A', 'B', 'C'] as const).map((x) => ({
                value: x,
                label: t('fieldSales.tierEvery', { tier: x, days: { A: 7, B: 14, C: 28 }[x] }),
              }))}
              onChange={(tier) => update(s.unitId, tier, s.repId, s.version)}
            />
          ),
        },
        {
          title: t('fieldSales.cols.rep'),
          dataIndex: 'repId',
          render: (v, s) => (
            <Select
              allowClear
              value={v ?? undefined}
              disabled={!canPlan || !s.tier}
              style={{ width: 140 }}
              aria-label={t('fieldSales.cols.rep')}
              options={(reps.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
              onChange={(repId) => update(s.unitId, s.tier!, repId ?? null, s.version)}
            />
          ),
        },
        {
          title: t('fieldSales.cols.geofence'),
          render: (_, s) =>
            s.lng != null ? `${s.radiusM} m` : <Tag>{t('fieldSales.manager.noLocation')}</Tag>,
        },
        { title: t('fieldSales.cols.lastVisit'), dataIndex: 'lastVisitDay', render: (v) => v ?? '—' },
      ]}
    />
  );
}

type PlanRow = Plan['visits'][number];

function PlansTab({ canPlan }: { canPlan: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [week, setWeek] = useState(weekStartOf(todayStr()));
  const [repId, setRepId] = useState<string>();
  const plans = usePlans(week);
  const [draft, setDraft] = useState<{ repId: string; rows: PlanRow[]; version: number } | null>(null);
  const propose = useFslMutation(proposePlan);
  const save = useFslMutation(savePlan);
  const days = Array.from({ length: 7 }, (_, i) => addDays(week, i));
  const current = (plans.data?.items ?? []).find((p) => p.repId === repId);
  const rows = draft && draft.repId === repId ? draft.rows : (current?.visits ?? []);
  const editing = !!draft && draft.repId === repId;
  const move = (i: number, d: number) => {
    if (!draft) return;
    const r = [...draft.rows];
    const j = i + d;
    if (j < 0 || j >= r.length) return;
    [r[i], r[j]] = [r[j]!, r[i]!];
    setDraft({ ...draft, rows: r });
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Space wrap>
        <DatePicker
          picker="week"
          value={dayjs(week)}
          allowClear={false}
          onChange={(d) => {
            if (!d) return;
            setWeek(weekStartOf(d.format('YYYY-MM-DD')));
            setDraft(null);
          }}
          aria-label={t('fieldSales.manager.week')}
        />
        <RepFilter
          value={repId}
          onChange={(v) => {
            setRepId(v);
            setDraft(null);
          }}
        />
        {canPlan && repId && (
          <Button
            icon={<BulbOutlined />}
            loading={propose.isPending}
            onClick={() =>
              propose.mutate(
                { repId, weekStart: week },
                {
                  onSuccess: (p) => setDraft({ repId, rows: p.visits, version: current?.version ?? 0 }),
                  onError: (e) => message.error(errorMessage(e)),
                },
              )
            }
            data-testid="fsl-propose"
          >
            {t('fieldSales.manager.propose')}
          </Button>
        )}
        {canPlan && repId && !editing && current && (
          <Button onClick={() => setDraft({ repId, rows: current.visits, version: current.version })}>
            {t('fieldSales.manager.adjust')}
          </Button>
        )}
        {editing && (
          <Button
            type="primary"
            loading={save.isPending}
            onClick={() =>
              save.mutate(
                {
                  repId: repId!,
                  weekStart: week,
                  version: draft!.version,
                  visits: draft!.rows.map((r) => ({
                    storeUnitId: r.storeUnitId,
                    day: r.day,
                    visitType: r.visitType,
                  })),
                },
                {
                  onSuccess: () => {
                    setDraft(null);
                    message.success(t('fieldSales.manager.saved'));
                  },
                  onError: (e) => message.error(errorMessage(e)),
                },
              )
            }
            data-testid="fsl-save-plan"
          >
            {t('fieldSales.manager.savePlan')}
          </Button>
        )}
      </Space>
      {!repId ? (
        <PlanOverview plans={plans.data?.items ?? []} days={days} />
      ) : !rows.length ? (
        <Empty description={t('fieldSales.manager.noPlan')} />
      ) : (
        <Table
          rowKey={(r) => `${r.storeUnitId}:${r.day}`}
          size="small"
          pagination={false}
          scroll={{ x: 560 }}
          dataSource={rows}
          columns={[
            {
              title: t('fieldSales.cols.day'),
              dataIndex: 'day',
              render: (d: string, _r, i) =>
                editing ? (
                  <Select
                    value={d}
                    style={{ width: 150 }}
                    aria-label={t('fieldSales.cols.day')}
                    options={days.map((x) => ({ value: x, label: dayjs(x).format('MM-DD ddd') }))}
                    onChange={(v) =>
                      setDraft(
                        (dr) =>
                          dr && { ...dr, rows: dr.rows.map((r, j) => (j === i ? { ...r, day: v } : r)) },
                      )
                    }
                  />
                ) : (
                  dayjs(d).format('MM-DD ddd')
                ),
            },
            { title: '#', dataIndex: 'seq', width: 48 },
            {
              title: t('fieldSales.cols.store'),
              render: (_, r) => (
                <Space>
                  {r.storeName}
                  {r.tier && <Tag>{t('fieldSales.tier', { tier: r.tier })}</Tag>}
                </Space>
              ),
            },
            {
              title: t('fieldSales.cols.leg'),
              dataIndex: 'legM',
              render: (m) => (m == null ? '—' : `${(m / 1000).toFixed(1)} km`),
            },
            {
              title: t('fieldSales.cols.status'),
              dataIndex: 'status',
              render: (s) =>
                s ? (
                  <Tag color={STATUS_COLOR[s]}>{t(`fieldSales.status.${s}`)}</Tag>
                ) : (
                  <Tag>{t('fieldSales.manager.proposed')}</Tag>
                ),
            },
            ...(editing
              ? [
                  {
                    title: '',
                    key: 'move',
                    render: (_: unknown, __: PlanRow, i: number) => (
                      <Space>
                        <Button
                          size="small"
                          icon={<ArrowUpOutlined />}
                          aria-label={t('fieldSales.manager.up')}
                          onClick={() => move(i, -1)}
                        />
                        <Button
                          size="small"
                          icon={<ArrowDownOutlined />}
                          aria-label={t('fieldSales.manager.down')}
                          onClick={() => move(i, 1)}
                        />
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
    </Space>
  );
}

/** All reps' week as a small calendar: one row per rep, one column per day, stores in order. */
function PlanOverview({ plans, days }: { plans: Plan[]; days: string[] }) {
  const { t } = useTranslation();
  if (!plans.length) return <Empty description={t('fieldSales.manager.noPlans')} />;
  return (
    <Table
      rowKey={(p) => p.id ?? p.repId}
      size="small"
      pagination={false}
      scroll={{ x: 900 }}
      dataSource={plans}
      data-testid="fsl-plan-calendar"
      columns={[
        { title: t('fieldSales.cols.rep'), dataIndex: 'repName', fixed: 'left', width: 90 },
        ...days.map((d) => ({
          title: dayjs(d).format('MM-DD ddd'),
          key: d,
          render: (_: unknown, p: Plan) => (
            <Space direction="vertical" size={2}>
              {p.visits
                .filter((v) => v.day === d)
                .map((v) => (
                  <Tag
                    key={v.storeUnitId}
                    color={STATUS_COLOR[v.status ?? 'planned']}
                    style={{ marginInlineEnd: 0 }}
                  >
                    {v.seq}. {v.storeName}
                  </Tag>
                ))}
            </Space>
          ),
        })),
      ]}
    />
  );
}
