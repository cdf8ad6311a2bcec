import type { Training } from '@kehu/contracts/leads';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, InputNumber, Space, Table, Tag, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabel } from '../../app/meta';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { localTime, useLeadOptionLabel } from './leads-api';
import { leadsKeys } from './leads-keys';
import { useSave, useSettings } from './settings-shared';

// Lead scoring settings: the scorecard and the learned model.

export function ScorecardTab() {
  const { t } = useTranslation();
  const label = useLabel();
  const settings = useSettings();
  const opt = useLeadOptionLabel();
  const [rows, setRows] = useState<any[]>([]);
  useEffect(() => setRows(settings.data?.scorecard.indicators ?? []), [settings.data]);
  const save = useSave(
    (indicators: any[]) => http.patch('/leads/settings', { scorecard: { indicators } }),
    [leadsKeys.all],
  );
  const total = rows.reduce((s, r) => s + (r.weight ?? 0), 0) || 1;
  return (
    <Card size="small">
      <Table
        rowKey="key"
        size="small"
        pagination={false}
        dataSource={rows}
        scroll={{ x: 560 }}
        columns={[
          { title: t('leads.settings.indicator'), render: (_, r) => label(r.label, r.key) },
          {
            title: t('leads.settings.weight'),
            width: 170,
            render: (_, r, i) => (
              <Space wrap={false}>
                <InputNumber
                  min={0}
                  max={100}
                  value={r.weight}
                  onChange={(v) => setRows(rows.map((x, j) => (j === i ? { ...x, weight: v ?? 0 } : x)))}
                  data-testid={`weight-${r.key}`}
                />
                <Typography.Text type="secondary">{Math.round((r.weight / total) * 100)}%</Typography.Text>
              </Space>
            ),
          },
          {
            title: t('leads.settings.points'),
            render: (_, r) =>
              r.points
                ? Object.entries(r.points).map(([k, v]) => <Tag key={k}>{`${opt(r.field, k)}: ${v}`}</Tag>)
                : r.thresholds
                  ? r.thresholds.map((th: any) => (
                      <Tag key={th.min}>{`≥¥${th.min.toLocaleString()}: ${th.points}`}</Tag>
                    ))
                  : '—',
          },
        ]}
      />
      <Space style={{ marginTop: 12 }}>
        <Button
          type="primary"
          loading={save.isPending}
          onClick={() => save.mutate(rows)}
          data-testid="scorecard-save"
        >
          {t('leads.common.save')}
        </Button>
        <Button onClick={() => setRows(settings.data?.defaultScorecard.indicators ?? [])}>
          {t('leads.settings.reset')}
        </Button>
      </Space>
    </Card>
  );
}

export function ModelTab() {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const settings = useSettings();
  const m = settings.data?.model;
  const train = useMutation({
    mutationFn: () => http.post<Training>('/leads/scoring/train'),
    onSuccess: (r) => {
      modal.info({
        content: r.trained
          ? t('leads.settings.trained', { samples: r.samples, auc: r.auc, card: r.scorecardAuc })
          : t('leads.settings.notTrained', { samples: r.samples }),
      });
      void qc.invalidateQueries({ queryKey: leadsKeys.all });
    },
    onError: (e) => modal.error({ content: errorMessage(e) }),
  });
  return (
    <Card size="small">
      <Alert
        type={m ? 'success' : 'info'}
        showIcon
        style={{ marginBottom: 12 }}
        message={
          m
            ? t('leads.settings.modelInfo', {
                at: localTime(m.trainedAt),
                samples: m.samples,
                auc: m.auc,
                card: m.scorecardAuc,
              })
            : t('leads.settings.modelNone')
        }
      />
      <Button
        type="primary"
        loading={train.isPending}
        onClick={() => train.mutate()}
        data-testid="model-train"
      >
        {t('leads.settings.train')}
      </Button>
    </Card>
  );
}
