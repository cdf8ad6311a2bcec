import { ArrowLeftOutlined } from '@ant-design/icons';
import { Button, Card, Col, Empty, Row, Statistic, Table, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { useMaterialReport } from './materials-api';

/** How one material did: the funnel figures, opens per day and a table by staff member. */
export function ReportPage() {
  const { t } = useTranslation();
  const nav = useNavigate();
  const { id } = useParams<{ id: string }>();
  const r = useMaterialReport(id!);
  if (r.isLoading) return <PageSkeleton />;
  if (r.error || !r.data) return <ErrorResult error={r.error} />;
  const { total, byStaff, daily, material } = r.data;
  const P = 'materials.reportPage';
  const stats: Array<[string, number | string]> = [
    ['sent', total.sent],
    ['opens', total.opens],
    ['uniqueReaders', total.uniqueReaders],
    ['avgRead', t(`${P}.seconds`, { n: total.avgReadSeconds })],
    ['forwards', total.forwards],
    ['leads', total.leads],
  ];
  return (
    <div className="kehu-page" data-testid="material-report-page">
      <Button
        type="link"
        icon={<ArrowLeftOutlined />}
        onClick={() => nav('/materials')}
        style={{ paddingLeft: 0 }}
      >
        {t(`${P}.back`)}
      </Button>
      <Typography.Title level={4} style={{ marginTop: 0 }} data-testid="report-title">
        {t(`${P}.title`)} · {material.title}
      </Typography.Title>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        {stats.map(([k, v]) => (
          <Col key={k} xs={12} md={8} xl={4}>
            <Card size="small">
              <Statistic title={t(`${P}.${k}`)} value={v} data-testid={`report-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      {total.opens === 0 ? (
        <Empty description={t(`${P}.empty`)} style={{ padding: 32 }} />
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} lg={12}>
            <Card size="small" title={t(`${P}.perDay`)} data-testid="report-chart">
              <EChart
                height={240}
                option={{
                  animation: false,
                  tooltip: { trigger: 'axis' },
                  legend: { top: 0 },
                  grid: { left: 40, right: 40, top: 40, bottom: 24 },
                  xAxis: { type: 'category', data: daily.map((d) => d.day.slice(5)) },
                  yAxis: [
                    { type: 'value', minInterval: 1 },
                    { type: 'value', minInterval: 1 },
                  ],
                  series: [
                    { name: t(`${P}.opens`), type: 'bar', data: daily.map((d) => d.opens) },
                    {
                      name: t(`${P}.readSeconds`),
                      type: 'line',
                      yAxisIndex: 1,
                      data: daily.map((d) => d.seconds),
                    },
                  ],
                }}
              />
            </Card>
          </Col>
          <Col xs={24} lg={12}>
            <Card size="small" title={t(`${P}.byStaff`)} styles={{ body: { padding: 0, overflowX: 'auto' } }}>
              <Table
                size="small"
                rowKey="staffId"
                pagination={false}
                dataSource={byStaff}
                columns={[
                  { title: t(`${P}.staff`), dataIndex: 'staffName' },
                  { title: t(`${P}.sent`), dataIndex: 'sent' },
                  { title: t(`${P}.opens`), dataIndex: 'opens' },
                  {
                    title: t(`${P}.avgRead`),
                    dataIndex: 'avgReadSeconds',
                    render: (n: number) => t(`${P}.seconds`, { n }),
                  },
                  { title: t(`${P}.forwards`), dataIndex: 'forwards' },
                  { title: t(`${P}.leads`), dataIndex: 'leads' },
                ]}
              />
            </Card>
          </Col>
        </Row>
      )}
    </div>
  );
}
