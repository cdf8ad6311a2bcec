import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { Flows as ApprovalFlows } from '@kehu/contracts/approvals';
import type { SalesSettings } from '@kehu/contracts/sales';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Input,
  InputNumber,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabel } from '../../app/meta';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { QuoteSettingsCard } from './quote-settings-card';
import { type Pipeline, type Stage, salesApi } from './sales-api';
import { salesKeys } from './sales-keys';

/** Comparison operators of approval conditions as people write them. */
const OP_SIGN: Record<string, string> = { gt: '>', gte: '≥', lt: '<', lte: '≤', eq: '=', ne: '≠' };

/** Sales configuration (sales:configure): pipeline stages with SOP, value-tag thresholds, approval thresholds. */
export function SalesSettingsPage() {
  const { t } = useTranslation();
  return (
    <div className="kehu-page" data-testid="sales-settings">
      <Typography.Title level={4}>{t('sales.settings.title')}</Typography.Title>
      <PipelineEditor />
      <Thresholds />
      <Flows />
      <QuoteSettingsCard />
    </div>
  );
}

function PipelineEditor() {
  const { t } = useTranslation();
  const label = useLabel();
  const { message } = App.useApp();
  const pipelines = useQuery({ queryKey: salesKeys.pipelines(), queryFn: salesApi.pipelines });
  const [id, setId] = useState<string | null>(null);
  const current = pipelines.data?.find((p) => p.id === id) ?? pipelines.data?.[0];
  const [stages, setStages] = useState<Stage[] | null>(null);
  useEffect(() => setStages(current ? structuredClone(current.stages) : null), [current]);
  const save = useMutation({
    mutationFn: () =>
      http.patch<Pipeline>(`/pipelines/${current!.id}`, { version: current!.version, stages }),
    onSuccess: () => {
      message.success(t('sales.common.saved'));
      pipelines.refetch();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  if (!stages || !current) return <Skeleton active />;
  const set = (i: number, patch: Partial<Stage>) =>
    setStages(stages.map((s, n) => (n === i ? { ...s, ...patch } : s)));
  return (
    <Card
      size="small"
      title={t('sales.settings.pipeline')}
      style={{ marginBottom: 12 }}
      extra={
        <Space>
          {(pipelines.data?.length ?? 0) > 1 && (
            <Select
              value={current.id}
              onChange={setId}
              options={pipelines.data?.map((p) => ({ value: p.id, label: label(p.name) }))}
            />
          )}
          <Button type="primary" onClick={() => save.mutate()} loading={save.isPending}>
            {t('sales.common.save')}
          </Button>
        </Space>
      }
    >
      {stages.map((s, i) => (
        <Card
          key={s.key}
          size="small"
          type="inner"
          style={{ marginBottom: 8 }}
          title={
            <Space wrap>
              <Tag color={s.kind === 'won' ? 'green' : s.kind === 'lost' ? 'red' : 'blue'}>{s.key}</Tag>
              <Input
                value={s.label['zh-CN']}
                onChange={(e) => set(i, { label: { ...s.label, 'zh-CN': e.target.value } })}
                style={{ width: 120 }}
              />
              <Input
                value={s.label['en-US']}
                onChange={(e) => set(i, { label: { ...s.label, 'en-US': e.target.value } })}
                style={{ width: 140 }}
              />
              <InputNumber
                min={0}
                max={100}
                value={s.probability}
                onChange={(v) => set(i, { probability: Number(v) || 0 })}
                addonAfter="%"
                style={{ width: 110 }}
              />
            </Space>
          }
        >
          {s.kind === 'open' && (
            <>
              {s.sop.map((item, j) => (
                <Space key={item.key} wrap style={{ marginBottom: 6 }}>
                  <Select
                    value={item.type}
                    style={{ width: 90 }}
                    onChange={(v) => set(i, { sop: s.sop.map((x, n) => (n === j ? { ...x, type: v } : x)) })}
                    options={['action', 'script', 'document'].map((k) => ({
                      value: k,
                      label: t(`sales.sopType.${k}`),
                    }))}
                  />
                  <Input
                    value={item.label['zh-CN']}
                    style={{ width: 220 }}
                    onChange={(e) =>
                      set(i, {
                        sop: s.sop.map((x, n) =>
                          n === j ? { ...x, label: { ...x.label, 'zh-CN': e.target.value } } : x,
                        ),
                      })
                    }
                  />
                  <Input
                    value={item.label['en-US']}
                    style={{ width: 220 }}
                    onChange={(e) =>
                      set(i, {
                        sop: s.sop.map((x, n) =>
                          n === j ? { ...x, label: { ...x.label, 'en-US': e.target.value } } : x,
                        ),
                      })
                    }
                  />
                  <Checkbox
                    checked={item.required}
                    onChange={(e) =>
                      set(i, {
                        sop: s.sop.map((x, n) => (n === j ? { ...x, required: e.target.checked } : x)),
                      })
                    }
                  >
                    {t('sales.settings.required')}
                  </Checkbox>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    onClick={() => set(i, { sop: s.sop.filter((_x, n) => n !== j) })}
                    aria-label="remove"
                  />
                </Space>
              ))}
              <Button
                size="small"
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() =>
                  set(i, {
                    sop: [
                      ...s.sop,
                      {
                        key: `item_${Date.now().toString(36)}`,
                        type: 'action',
                        label: { 'zh-CN': '新事项', 'en-US': 'New step' },
                        required: true,
                      },
                    ],
                  })
                }
              >
                {t('sales.settings.addItem')}
              </Button>
            </>
          )}
        </Card>
      ))}
    </Card>
  );
}

function Thresholds() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const s = useQuery({
    queryKey: salesKeys.settings(),
    queryFn: () => http.get<SalesSettings>('/sales/settings'),
  });
  const [v, setV] = useState<{ high: number; mid: number } | null>(null);
  useEffect(() => setV(s.data?.pipelineValue ?? null), [s.data]);
  const save = useMutation({
    mutationFn: () => http.put('/sales/settings', { pipelineValue: v }),
    onSuccess: () => message.success(t('sales.common.saved')),
    onError: (e) => message.error(errorMessage(e)),
  });
  if (!v) return <Skeleton active />;
  return (
    <Card size="small" title={t('sales.settings.valueTag')} style={{ marginBottom: 12 }}>
      <Space wrap>
        {t('sales.c360.tag.high')} ≥{' '}
        <InputNumber
          min={0}
          value={v.high / 100}
          onChange={(x) => setV({ ...v, high: Math.round(Number(x) * 100) })}
          addonBefore="¥"
        />
        {t('sales.c360.tag.mid')} ≥{' '}
        <InputNumber
          min={0}
          value={v.mid / 100}
          onChange={(x) => setV({ ...v, mid: Math.round(Number(x) * 100) })}
          addonBefore="¥"
        />
        <Button onClick={() => save.mutate()} loading={save.isPending}>
          {t('sales.common.save')}
        </Button>
      </Space>
    </Card>
  );
}

function Flows() {
  const { t } = useTranslation();
  const label = useLabel();
  const { message } = App.useApp();
  const flows = useQuery({
    queryKey: salesKeys.flows(),
    queryFn: () => http.get<ApprovalFlows>('/approval-flows').then((r) => r.items),
  });
  const save = useMutation({
    mutationFn: (f: any) =>
      http.patch(`/approval-flows/${f.id}`, {
        object: f.object,
        name: f.name,
        condition: f.condition,
        steps: f.steps,
        priority: f.priority,
        isActive: f.isActive,
        version: f.version,
      }),
    onSuccess: () => {
      message.success(t('sales.common.saved'));
      flows.refetch();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Card size="small" title={t('sales.settings.flows')}>
      <Table
        size="small"
        rowKey="id"
        pagination={false}
        scroll={{ x: 560 }}
        dataSource={flows.data ?? []}
        columns={[
          { title: t('sales.settings.flow'), render: (_: unknown, f: any) => label(f.name) },
          {
            title: t('sales.settings.condition'),
            render: (_: unknown, f: any) =>
              f.condition ? (
                <Space>
                  {t(`sales.settings.condField.${f.condition.field}`, { defaultValue: f.condition.field })}{' '}
                  {OP_SIGN[f.condition.op] ?? f.condition.op}
                  <InputNumber
                    size="small"
                    defaultValue={f.condition.value}
                    onBlur={(e) => {
                      const value = Number(e.target.value);
                      if (value !== f.condition.value)
                        save.mutate({ ...f, condition: { ...f.condition, value } });
                    }}
                  />
                </Space>
              ) : (
                '—'
              ),
          },
          {
            title: t('sales.settings.steps'),
            render: (_: unknown, f: any) =>
              f.steps.map((s: any, i: number) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: steps are ordered and have no id
                <Tag key={i}>
                  {label(s.name)}
                  {s.condition
                    ? ` (${t(`sales.settings.condField.${s.condition.field}`, { defaultValue: s.condition.field })} ${OP_SIGN[s.condition.op] ?? s.condition.op} ${s.condition.value})`
                    : ''}
                </Tag>
              )),
          },
        ]}
      />
    </Card>
  );
}
