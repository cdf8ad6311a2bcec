import { WarningOutlined } from '@ant-design/icons';
import { Alert, Card, Col, Descriptions, Empty, Image, Row, Space, Statistic, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../shared/ui/echart';
import { type Activity, type Proof, proofImageUrl, STATUS_COLOR, useProofs, useRoi, yuan } from './tpm-api';

/** One proof thumbnail with its flags (the reviewer reads why before opening the photo). */
export function ProofCard({ p, onView }: { p: Proof; onView?: () => void }) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid="tpm-proof"
      data-status={p.status}
      styles={{ body: { padding: 8 } }}
      style={{ borderColor: p.status === 'flagged' ? '#faad14' : undefined }}
    >
      <Image
        src={proofImageUrl(p.id, 'thumb')}
        preview={{ src: proofImageUrl(p.id, 'full'), onVisibleChange: (v) => v && onView?.() }}
        alt={p.storeName ?? ''}
        style={{ width: '100%', aspectRatio: '4 / 3', objectFit: 'cover' }}
      />
      <Space direction="vertical" size={2} style={{ width: '100%', marginTop: 6 }}>
        <Typography.Text strong ellipsis>
          {p.storeName} · {p.uploadedBy}
        </Typography.Text>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {new Date(p.takenAt ?? p.uploadedAt).toLocaleString()}
          {p.distanceM !== null && ` · ${t('tpm.distance', { m: p.distanceM })}`}
        </Typography.Text>
        {p.flags.map((f) => (
          <Typography.Text
            key={f.code}
            type="warning"
            style={{ fontSize: 12 }}
            data-testid={`tpm-flag-${f.code}`}
          >
            <WarningOutlined /> {f.message}
          </Typography.Text>
        ))}
      </Space>
    </Card>
  );
}

export function ProofGallery({ activityId, onView }: { activityId: string; onView?: (id: string) => void }) {
  const { t } = useTranslation();
  const q = useProofs(activityId);
  const items = q.data?.items ?? [];
  if (!q.isLoading && items.length === 0) return <Empty description={t('tpm.activities.noProofs')} />;
  return (
    <Row gutter={[8, 8]}>
      {items.map((p) => (
        <Col key={p.id} xs={12} sm={8} lg={6}>
          <ProofCard p={p} onView={() => onView?.(p.id)} />
        </Col>
      ))}
    </Row>
  );
}

export function RoiPanel({ activity }: { activity: Activity }) {
  const { t, i18n } = useTranslation();
  const q = useRoi(activity.id);
  const r = q.data;
  if (q.error) return null;
  if (!r) return null;
  const money = (v: number) => yuan(v, i18n.language);
  const none = r.activityStores.baseline + r.activityStores.during + r.comparableStores.during === 0;
  return (
    <Card size="small" title={t('tpm.activities.roi')} data-testid="tpm-roi">
      {none ? (
        <Typography.Text type="secondary">{t('tpm.activities.roiNone')}</Typography.Text>
      ) : (
        <>
          <Row gutter={[8, 8]}>
            <Col xs={12} md={6}>
              <Statistic title={t('tpm.activities.incremental')} value={money(r.incremental)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('tpm.activities.expected')} value={money(r.expected)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic title={t('tpm.activities.cost')} value={money(r.cost)} />
            </Col>
            <Col xs={12} md={6}>
              <Statistic
                title={t('tpm.activities.roiValue')}
                value={r.roi === null ? '—' : `${Math.round(r.roi * 100)}%`}
                valueStyle={{ color: (r.roi ?? 0) >= 0 ? '#3f8600' : '#cf1322' }}
              />
            </Col>
          </Row>
          <EChart
            height={220}
            option={{
              animation: false,
              tooltip: { trigger: 'axis' },
              legend: { top: 0 },
              grid: { left: 8, right: 8, top: 32, bottom: 8, containLabel: true },
              xAxis: { type: 'category', data: r.series.map((d) => d.day.slice(5)) },
              yAxis: { type: 'value', axisLabel: { formatter: (v: number) => `${Math.round(v / 100)}` } },
              series: [
                {
                  name: t('tpm.activities.roiActivity'),
                  type: 'bar',
                  data: r.series.map((d) => d.activity),
                  markArea: {
                    silent: true,
                    itemStyle: { color: 'rgba(22,119,255,0.06)' },
                    data: [[{ xAxis: r.period.from.slice(5) }, { xAxis: r.period.to.slice(5) }]],
                  },
                },
                {
                  name: t('tpm.activities.roiComparable'),
                  type: 'line',
                  smooth: true,
                  data: r.series.map((d) => d.comparable),
                },
              ],
            }}
          />
        </>
      )}
    </Card>
  );
}

export function ActivitySummary({ a }: { a: Activity }) {
  const { t, i18n } = useTranslation();
  const money = (v: number) => yuan(v, i18n.language);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {a.flaggedCount > 0 && (
        <Alert type="warning" showIcon message={t('tpm.activities.flagged', { n: a.flaggedCount })} />
      )}
      <Descriptions size="small" column={{ xs: 1, sm: 2 }} bordered>
        <Descriptions.Item label={t('tpm.activities.status')}>
          <Tag color={STATUS_COLOR[a.status]} data-testid="tpm-activity-status">
            {t(`tpm.statuses.${a.status}`)}
          </Tag>
          {a.sampled && <Tag color="magenta">{t('tpm.activities.sampled')}</Tag>}
        </Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.type')}>
          {t(`tpm.types.${a.activityType}`)}
        </Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.dealer')}>{a.dealerName}</Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.stores')}>
          {a.stores.map((s) => s.name).join('、')}
        </Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.dates')}>
          {a.startsOn} ~ {a.endsOn}
        </Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.amount')}>{money(a.amount)}</Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.committed')}>{money(a.committed)}</Descriptions.Item>
        <Descriptions.Item label={t('tpm.activities.used')}>{money(a.used)}</Descriptions.Item>
        {a.verifyComment && (
          <Descriptions.Item label={t('tpm.activities.comment')} span={2}>
            {a.verifyComment}
          </Descriptions.Item>
        )}
        {a.description && (
          <Descriptions.Item label={t('tpm.activities.description')} span={2}>
            {a.description}
          </Descriptions.Item>
        )}
      </Descriptions>
    </Space>
  );
}
