import { ReloadOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Empty,
  Form,
  InputNumber,
  Row,
  Select,
  Space,
  Statistic,
  Typography,
} from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import type { Tag as TagT } from './cdp-api';
import { cdpKeys } from './cdp-keys';

/** Predicted tags (churn risk, repurchase propensity): the create form's fields and the model card. */
export interface PredictionConfig {
  target: 'churn' | 'repurchase';
  horizonDays: number;
  bands: { high: number; mid: number };
}
export const DEFAULT_PREDICTION: PredictionConfig = {
  target: 'churn',
  horizonDays: 90,
  bands: { high: 0.7, mid: 0.4 },
};

interface ModelCard {
  target: 'churn' | 'repurchase';
  horizonDays: number;
  bands: { high: number; mid: number };
  method: 'model' | 'heuristic' | null;
  fallbackReason: 'too_few' | 'one_class' | null;
  trainedAt: string | null;
  scored: number;
  metrics: {
    auc: number | null;
    accuracy: number | null;
    baseRate: number | null;
    labelled: number;
    trainSize: number;
    holdoutSize: number;
  } | null;
  distribution: { high: number; mid: number; low: number } | null;
  features: { key: string; label: string; weight: number }[];
}

export function PredictionConfigFields({
  value,
  onChange,
}: {
  value: PredictionConfig;
  onChange: (v: PredictionConfig) => void;
}) {
  const { t } = useTranslation();
  const pct = (x: number) => Math.round(x * 100);
  return (
    <Form layout="vertical" data-testid="prediction-config">
      <Space wrap align="start">
        <Form.Item label={t('cdp.prediction.target')}>
          <Select
            style={{ width: 180 }}
            value={value.target}
            onChange={(target) => onChange({ ...value, target })}
            data-testid="prediction-target"
            options={[
              { value: 'churn', label: t('cdp.prediction.churn') },
              { value: 'repurchase', label: t('cdp.prediction.repurchase') },
            ]}
          />
        </Form.Item>
        <Form.Item label={t('cdp.prediction.horizon')}>
          <InputNumber
            min={7}
            max={365}
            value={value.horizonDays}
            onChange={(v) => onChange({ ...value, horizonDays: Number(v ?? 90) })}
            addonAfter={t('cdp.rule.days')}
          />
        </Form.Item>
        <Form.Item label={t('cdp.prediction.highFrom')}>
          <InputNumber
            min={2}
            max={99}
            value={pct(value.bands.high)}
            onChange={(v) => onChange({ ...value, bands: { ...value.bands, high: Number(v ?? 70) / 100 } })}
            addonAfter="%"
          />
        </Form.Item>
        <Form.Item label={t('cdp.prediction.midFrom')}>
          <InputNumber
            min={1}
            max={98}
            value={pct(value.bands.mid)}
            onChange={(v) => onChange({ ...value, bands: { ...value.bands, mid: Number(v ?? 40) / 100 } })}
            addonAfter="%"
          />
        </Form.Item>
      </Space>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
        {t(value.target === 'churn' ? 'cdp.prediction.churnHelp' : 'cdp.prediction.repurchaseHelp', {
          days: value.horizonDays,
        })}
      </Typography.Paragraph>
    </Form>
  );
}

const percent = (x: number | null | undefined) =>
  x === null || x === undefined ? '—' : `${(x * 100).toFixed(1)}%`;

/**
 * Shown in an expanded row of a horizontally scrolling table: on a phone the row is wider than
 * the screen, so the card keeps to the visible width and stays put while the table scrolls.
 */
const FIT_VISIBLE = { position: 'sticky', left: 0, width: 'min(100%, calc(100vw - 72px))' } as const;

export function PredictionCard({ tag }: { tag: TagT }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const running = !!tag.backfill && tag.backfill.status !== 'done';
  const card = useQuery({
    queryKey: cdpKeys.tags.modelRun(tag.id, running),
    queryFn: () => http.get<ModelCard>(`/cdp/tags/${tag.id}/model`),
  });
  const retrain = useMutation({
    mutationFn: () => http.post(`/cdp/tags/${tag.id}/retrain`, {}),
    onSuccess: () => {
      message.success(t('cdp.prediction.queued'));
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const m = card.data;
  const weights = useMemo(() => [...(m?.features ?? [])].sort((a, b) => a.weight - b.weight), [m]);
  const weightOption = useMemo(
    () => ({
      grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
      xAxis: { type: 'value' as const },
      yAxis: { type: 'category' as const, data: weights.map((f) => f.label), axisLabel: { fontSize: 11 } },
      tooltip: { trigger: 'axis' as const },
      series: [
        {
          type: 'bar' as const,
          data: weights.map((f) => ({
            value: f.weight,
            itemStyle: { color: f.weight >= 0 ? '#cf1322' : '#389e0d' },
          })),
        },
      ],
    }),
    [weights],
  );
  const bandOption = useMemo(() => {
    const d = m?.distribution ?? { high: 0, mid: 0, low: 0 };
    const keys = ['high', 'mid', 'low'] as const;
    return {
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category' as const, data: keys.map((k) => t(`cdp.prediction.band.${k}`)) },
      yAxis: { type: 'value' as const, minInterval: 1 },
      tooltip: { trigger: 'axis' as const },
      series: [
        {
          type: 'bar' as const,
          label: { show: true, position: 'top' as const },
          data: keys.map((k, i) => ({
            value: d[k],
            itemStyle: { color: ['#cf1322', '#fa8c16', '#8c8c8c'][i] },
          })),
        },
      ],
    };
  }, [m, t]);
  if (card.error) return <ErrorResult error={card.error} onRetry={() => card.refetch()} />;
  const retrainButton = can('cdp:manage') && (
    <Button
      size="small"
      icon={<ReloadOutlined />}
      loading={retrain.isPending}
      disabled={running}
      onClick={() => retrain.mutate()}
      data-testid="prediction-retrain"
    >
      {t('cdp.prediction.retrain')}
    </Button>
  );
  if (!m?.method)
    return (
      <Card size="small" style={FIT_VISIBLE} data-testid="prediction-card" loading={card.isPending}>
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          description={running ? t('cdp.prediction.training') : t('cdp.prediction.notTrained')}
        >
          {!running && retrainButton}
        </Empty>
      </Card>
    );
  const x = m.metrics;
  return (
    <Card
      size="small"
      style={FIT_VISIBLE}
      data-testid="prediction-card"
      title={
        <Space wrap size={4}>
          {t('cdp.prediction.cardTitle', {
            target: t(m.target === 'churn' ? 'cdp.prediction.churn' : 'cdp.prediction.repurchase'),
            days: m.horizonDays,
          })}
        </Space>
      }
      extra={retrainButton}
    >
      {m.method === 'heuristic' && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="prediction-heuristic"
          message={t('cdp.prediction.heuristic')}
          description={t(
            m.fallbackReason === 'one_class' ? 'cdp.prediction.oneClass' : 'cdp.prediction.tooFew',
            { n: x?.labelled ?? 0 },
          )}
        />
      )}
      <Row gutter={[12, 12]}>
        <Col xs={12} md={6}>
          <Statistic
            title={t('cdp.prediction.auc')}
            value={x?.auc === null || x?.auc === undefined ? '—' : x.auc.toFixed(3)}
            data-testid="prediction-auc"
          />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('cdp.prediction.accuracy')} value={percent(x?.accuracy)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic title={t('cdp.prediction.baseRate')} value={percent(x?.baseRate)} />
        </Col>
        <Col xs={12} md={6}>
          <Statistic
            title={t('cdp.prediction.trainSize')}
            value={(x?.labelled ?? 0).toLocaleString()}
            suffix={
              x && x.holdoutSize > 0 ? (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('cdp.prediction.holdout', { n: x.holdoutSize })}
                </Typography.Text>
              ) : undefined
            }
          />
        </Col>
        <Col xs={24} md={14}>
          <Typography.Text strong>{t('cdp.prediction.weights')}</Typography.Text>
          <EChart option={weightOption} height={300} testId="prediction-weights" />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
            {t('cdp.prediction.weightsHelp')}
          </Typography.Paragraph>
        </Col>
        <Col xs={24} md={10}>
          <Typography.Text strong>{t('cdp.prediction.distribution', { n: m.scored })}</Typography.Text>
          <EChart option={bandOption} height={220} testId="prediction-bands" />
          <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginBottom: 0 }}>
            {t('cdp.prediction.bandsHelp', {
              high: Math.round(m.bands.high * 100),
              mid: Math.round(m.bands.mid * 100),
              key: tag.key,
            })}
          </Typography.Paragraph>
          {m.trainedAt && (
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('cdp.prediction.trainedAt', { at: new Date(m.trainedAt).toLocaleString() })}
            </Typography.Paragraph>
          )}
        </Col>
      </Row>
    </Card>
  );
}
