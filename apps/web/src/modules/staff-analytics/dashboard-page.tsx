import { ArrowLeftOutlined, DownloadOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Switch,
  TreeSelect,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { buildUnitTree } from '../../app/unit-tree';
import { errorMessage } from '../../shared/error-message';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import { formatFigure, P } from './format';
import { RankingTable } from './ranking-table';
import { exportStaffCsv, type Selection, useStaffDashboard } from './staff-api';

const QUICK = [7, 30, 90];

/** The selection lives in the address, so a drill-down has a back button and a link can be shared. */
function useSelection(): [Selection, (patch: Partial<Record<keyof Selection, string | undefined>>) => void] {
  const [params, setParams] = useSearchParams();
  const sel: Selection = {
    days: Number(params.get('days')) || 30,
    from: params.get('from') ?? undefined,
    to: params.get('to') ?? undefined,
    unitId: params.get('unit') ?? undefined,
    tree: params.get('tree') !== 'false',
    staffUserId: params.get('staff') ?? undefined,
  };
  const set = (patch: Partial<Record<keyof Selection, string | undefined>>) =>
    setParams((prev) => {
      const next = new URLSearchParams(prev);
      const names: Record<string, string> = { unitId: 'unit', staffUserId: 'staff' };
      for (const [k, v] of Object.entries(patch)) {
        const name = names[k] ?? k;
        if (v === undefined || v === '') next.delete(name);
        else next.set(name, v);
      }
      return next;
    });
  return [sel, set];
}

/** 员工数据: a team's or one staff member's figures over a period (a salesperson sees herself). */
export function StaffDashboardPage() {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  const { me, can } = useSession();
  const { message } = App.useApp();
  const [sel, set] = useSelection();
  const dash = useStaffDashboard(sel);
  const d = dash.data;
  const [trendKey, setTrendKey] = useState<string>('added');
  const [exporting, setExporting] = useState(false);
  const unitTree = useMemo(() => buildUnitTree(me.units), [me.units]);
  const metrics = d?.metrics ?? [];
  const headline = metrics.filter((m) => m.headline);
  const trendMetric = metrics.find((m) => m.key === trendKey) ?? metrics[0];
  const own = d?.scope === 'own';
  // A salesperson's dashboard is her own page: all her figures rather than a ranking of one.
  const person = sel.staffUserId
    ? d?.staff.find((s) => s.userId === sel.staffUserId)
    : own
      ? d?.staff[0]
      : undefined;
  const custom = !!sel.from;
  const doExport = async () => {
    setExporting(true);
    try {
      await exportStaffCsv(sel);
      message.success(t(`${P}.exported`));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setExporting(false);
    }
  };
  const title = own ? t(`${P}.mine`) : person ? t(`${P}.staffOf`, { name: person.name }) : t(`${P}.title`);
  const nothing = d && d.staff.length === 0;
  return (
    // Busy while a new selection loads (the previous figures stay on screen until then).
    <div className="kehu-page" data-testid="staff-analytics" aria-busy={dash.isFetching}>
      <div className="kehu-page-header" style={{ flexWrap: 'wrap', gap: 8 }}>
        {sel.staffUserId && !own && (
          <Button icon={<ArrowLeftOutlined />} onClick={() => set({ staffUserId: undefined })}>
            {t(`${P}.back`)}
          </Button>
        )}
        <Typography.Title level={4} style={{ margin: 0 }} data-testid="staff-analytics-title">
          {title}
        </Typography.Title>
        <Space wrap size={8} style={{ marginLeft: 'auto' }}>
          <Segmented
            aria-label={t(`${P}.period.label`)}
            value={custom ? 'custom' : String(sel.days)}
            onChange={(v) =>
              v === 'custom'
                ? set({
                    from: dayjs()
                      .subtract((sel.days ?? 30) - 1, 'day')
                      .format('YYYY-MM-DD'),
                    to: dayjs().format('YYYY-MM-DD'),
                  })
                : set({ days: String(v), from: undefined, to: undefined })
            }
            options={[
              ...QUICK.map((n) => ({ value: String(n), label: t(`${P}.period.days`, { n }) })),
              { value: 'custom', label: t(`${P}.period.custom`) },
            ]}
          />
          {custom && (
            <DatePicker.RangePicker
              value={[dayjs(sel.from), dayjs(sel.to)]}
              allowClear={false}
              disabledDate={(day) => day.isAfter(dayjs(), 'day')}
              onChange={(v) =>
                v?.[0] && v[1] && set({ from: v[0].format('YYYY-MM-DD'), to: v[1].format('YYYY-MM-DD') })
              }
            />
          )}
          {!own && !sel.staffUserId && (
            <>
              <TreeSelect
                data-testid="staff-analytics-team"
                style={{ minWidth: 180 }}
                value={sel.unitId}
                onChange={(v) => set({ unitId: (v as string) || undefined })}
                treeData={unitTree}
                treeDefaultExpandAll
                allowClear
                showSearch
                treeNodeFilterProp="title"
                placeholder={t(`${P}.allTeams`)}
                aria-label={t(`${P}.team`)}
                popupMatchSelectWidth={false}
              />
              {sel.unitId && (
                <Space size={4}>
                  <Switch
                    size="small"
                    checked={sel.tree}
                    onChange={(v) => set({ tree: v ? undefined : 'false' })}
                    aria-label={t(`${P}.includeBelow`)}
                  />
                  <span>{t(`${P}.includeBelow`)}</span>
                </Space>
              )}
            </>
          )}
          <PermissionButton
            allowed={can('staff_analytics:export')}
            need={t(`${P}.exportNeed`)}
            icon={<DownloadOutlined />}
            loading={exporting}
            onClick={doExport}
            data-testid="staff-analytics-export"
          >
            {t(`${P}.export`)}
          </PermissionButton>
          {can('wecom:manage') && <Link to="/wecom/activity">{t(`${P}.wecomActivity`)}</Link>}
        </Space>
      </div>
      {dash.error ? (
        <ErrorResult error={dash.error} onRetry={() => dash.refetch()} />
      ) : nothing ? (
        <Card>
          <Empty
            data-testid="staff-analytics-empty"
            description={sel.unitId ? t(`${P}.emptyTeam`) : t(`${P}.empty`)}
          />
        </Card>
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }} data-testid="staff-analytics-headline">
            {headline.map((m) => (
              <Col key={m.key} xs={12} sm={8} lg={6} xl={4}>
                <Card size="small" loading={!d} style={{ opacity: dash.isPlaceholderData ? 0.6 : 1 }}>
                  <Statistic title={m.label[lang]} value={formatFigure(d?.total[m.key], m.kind, t)} />
                </Card>
              </Col>
            ))}
          </Row>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            <Col xs={24} lg={16}>
              <Card
                size="small"
                title={t(`${P}.trend`)}
                extra={
                  <Select
                    size="small"
                    value={trendMetric?.key}
                    onChange={setTrendKey}
                    aria-label={t(`${P}.trendMetric`)}
                    style={{ minWidth: 140 }}
                    popupMatchSelectWidth={false}
                    options={metrics.map((m) => ({ value: m.key, label: m.label[lang] }))}
                    data-testid="staff-analytics-trend-metric"
                  />
                }
              >
                <EChart
                  height={240}
                  option={{
                    animation: false,
                    tooltip: { trigger: 'axis' },
                    grid: { left: 40, right: 12, top: 16, bottom: 24 },
                    xAxis: { type: 'category', data: (d?.daily ?? []).map((x) => x.day.slice(5)) },
                    yAxis: { type: 'value', minInterval: trendMetric?.kind === 'count' ? 1 : undefined },
                    series: [
                      {
                        name: trendMetric?.label[lang],
                        type: trendMetric?.kind === 'count' ? 'bar' : 'line',
                        barMaxWidth: 24,
                        connectNulls: true,
                        data: (d?.daily ?? []).map((x) => (trendMetric ? x.figures[trendMetric.key] : null)),
                      },
                    ],
                  }}
                />
              </Card>
            </Col>
            <Col xs={24} lg={8}>
              <Card size="small" title={t(`${P}.channels`)} data-testid="staff-analytics-channels">
                {(d?.channels ?? []).length === 0 ? (
                  <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description="—" />
                ) : (
                  <EChart
                    height={240}
                    option={{
                      animation: false,
                      tooltip: { trigger: 'item' },
                      grid: { left: 88, right: 16, top: 8, bottom: 24 },
                      yAxis: {
                        type: 'category',
                        inverse: true,
                        data: (d?.channels ?? []).slice(0, 10).map((c) => c.channel || t(`${P}.noChannel`)),
                      },
                      xAxis: { type: 'value', minInterval: 1 },
                      series: [
                        {
                          type: 'bar',
                          barMaxWidth: 28,
                          data: (d?.channels ?? []).slice(0, 10).map((c) => c.added),
                        },
                      ],
                    }}
                  />
                )}
              </Card>
            </Col>
          </Row>
          {person ? (
            <Card size="small" title={t(`${P}.allFigures`)} data-testid="staff-analytics-person">
              <Descriptions
                size="small"
                column={{ xs: 1, sm: 2, lg: 3 }}
                items={metrics.map((m) => ({
                  key: m.key,
                  label: `${t(`${P}.sources.${m.source}`, { defaultValue: m.source })} · ${m.label[lang]}`,
                  children: formatFigure(person.figures[m.key], m.kind, t),
                }))}
              />
            </Card>
          ) : (
            <>
              {!own && (d?.teams.length ?? 0) > 1 && (
                <Card size="small" title={t(`${P}.teams`)} style={{ marginBottom: 12 }}>
                  <RankingTable
                    testId="staff-analytics-teams"
                    loading={dash.isFetching}
                    rows={(d?.teams ?? []).map((x) => ({
                      key: x.unitId,
                      name: x.unitName ?? '—',
                      sub: String(x.staff),
                      figures: x.figures,
                    }))}
                    metrics={metrics}
                    nameTitle={t(`${P}.teamCol`)}
                    subTitle={t(`${P}.staffCount`)}
                    onOpen={(unitId) => set({ unitId, tree: undefined })}
                    empty={t(`${P}.emptyTeam`)}
                  />
                </Card>
              )}
              <Card size="small" title={t(`${P}.ranking`)}>
                <RankingTable
                  testId="staff-analytics-ranking"
                  loading={dash.isFetching}
                  rows={(d?.staff ?? []).map((x) => ({
                    key: x.userId,
                    name: x.name,
                    sub: x.unitName,
                    figures: x.figures,
                  }))}
                  metrics={metrics}
                  nameTitle={t(`${P}.staffCol`)}
                  subTitle={t(`${P}.teamCol`)}
                  onOpen={(staffUserId) => set({ staffUserId })}
                  empty={t(`${P}.emptyTeam`)}
                />
              </Card>
            </>
          )}
        </>
      )}
    </div>
  );
}
