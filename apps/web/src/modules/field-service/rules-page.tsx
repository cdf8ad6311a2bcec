import { PlayCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  List,
  Popconfirm,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import {
  createRule,
  deleteRule,
  fieldErrorsOf,
  fsKeys,
  type PredictiveRule,
  previewRule,
  runRule,
  updateRule,
  useRules,
  useSegments,
} from './field-service-api';

const R = 'fieldService.rules';

/** Predictive service (R8.3): segment + category + daily cap, with live previews scoped to the viewer. */
export function RulesPage() {
  const { t } = useTranslation();
  const rules = useRules();
  const [editing, setEditing] = useState<PredictiveRule | 'new' | null>(null);
  return (
    <div className="kehu-page" data-testid="fs-rules">
      <div className="kehu-page-header">
        <Typography.Title level={4}>{t(`${R}.title`)}</Typography.Title>
        <Button
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
          data-testid="fs-rule-new"
        >
          {t(`${R}.new`)}
        </Button>
      </div>
      <Typography.Paragraph type="secondary">{t(`${R}.intro`)}</Typography.Paragraph>
      {rules.isLoading ? (
        <PageSkeleton />
      ) : rules.error ? (
        <ErrorResult error={rules.error} onRetry={() => rules.refetch()} />
      ) : !rules.data?.items.length ? (
        <Empty description={t(`${R}.empty`)} style={{ padding: 32 }} />
      ) : (
        <List
          grid={{ gutter: 12, xs: 1, md: 2, xl: 3 }}
          dataSource={rules.data.items}
          renderItem={(r) => (
            <List.Item>
              <RuleCard rule={r} onEdit={() => setEditing(r)} />
            </List.Item>
          )}
        />
      )}
      <RuleDrawer editing={editing} onClose={() => setEditing(null)} />
    </div>
  );
}

function RuleCard({ rule, onEdit }: { rule: PredictiveRule; onEdit: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const preview = useQuery({
    queryKey: fsKeys.rulePreview(rule.id),
    queryFn: () =>
      http.get<{ members: number; due: number; nextRun: number }>(
        `/field-service/predictive-rules/${rule.id}/preview`,
      ),
  });
  const [busy, setBusy] = useState(false);
  return (
    <Card
      size="small"
      title={rule.name}
      extra={rule.active ? <Tag color="green">{t(`${R}.active`)}</Tag> : <Tag>—</Tag>}
      actions={[
        <Button key="edit" type="link" size="small" onClick={onEdit}>
          {t(`${R}.edit`)}
        </Button>,
        <Button
          key="run"
          type="link"
          size="small"
          icon={<PlayCircleOutlined />}
          loading={busy}
          onClick={async () => {
            setBusy(true);
            try {
              const r = await runRule(rule.id);
              message.success(t(`${R}.ran`, { created: r.created }));
              await qc.invalidateQueries({ queryKey: fsKeys.rules });
            } catch (e) {
              message.error(errorMessage(e));
            } finally {
              setBusy(false);
            }
          }}
        >
          {t(`${R}.run`)}
        </Button>,
        <Popconfirm
          key="del"
          title={t(`${R}.deleteConfirm`)}
          onConfirm={async () => {
            try {
              await deleteRule(rule.id);
              await qc.invalidateQueries({ queryKey: fsKeys.rules });
            } catch (e) {
              message.error(errorMessage(e));
            }
          }}
        >
          <Button type="link" size="small" danger>
            {t(`${R}.delete`)}
          </Button>
        </Popconfirm>,
      ]}
    >
      <Space direction="vertical" size={2}>
        <Typography.Text>
          {t(`${R}.segment`)}：{rule.segmentName ?? rule.segmentId}
        </Typography.Text>
        <Typography.Text>
          {t(`${R}.category`)}：{rule.categoryKey} · {t(`${R}.priorities.${rule.priority}`)}
        </Typography.Text>
        <Typography.Text>
          {t(`${R}.dailyCap`)}：{rule.dailyCap} · {t(`${R}.period`)}
          {t(`${R}.periods.${rule.period}`)}
        </Typography.Text>
        <Typography.Text type="secondary">
          {t(`${R}.created`)}：{rule.created}
          {rule.lastRunAt ? ` · ${t(`${R}.lastRun`)} ${dayjs(rule.lastRunAt).format('MM-DD HH:mm')}` : ''}
        </Typography.Text>
        {preview.data && (
          <Typography.Text type="secondary" data-testid="fs-rule-preview">
            {t(`${R}.previewSaved`, {
              members: preview.data.members,
              due: preview.data.due,
              next: preview.data.nextRun,
            })}
          </Typography.Text>
        )}
      </Space>
    </Card>
  );
}

function RuleDrawer({ editing, onClose }: { editing: PredictiveRule | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const segments = useSegments();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const segmentId = Form.useWatch('segmentId', form);
  const dailyCap = Form.useWatch('dailyCap', form);
  const preview = useQuery({
    queryKey: ['field-service', 'preview', segmentId, dailyCap],
    enabled: Boolean(segmentId && dailyCap),
    queryFn: () => previewRule(segmentId, dailyCap),
  });
  useEffect(() => {
    if (!editing) return;
    form.resetFields();
    form.setFieldsValue(
      editing === 'new' ? { priority: 'normal', dailyCap: 20, period: 'month', active: true } : editing,
    );
  }, [editing, form]);
  const submit = async (v: any) => {
    setBusy(true);
    try {
      if (editing === 'new') await createRule(v);
      else if (editing) await updateRule(editing.id, { ...v, version: editing.version });
      await qc.invalidateQueries({ queryKey: fsKeys.rules });
      onClose();
    } catch (e) {
      form.setFields(fieldErrorsOf(e));
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={editing !== null}
      onClose={onClose}
      width="min(480px, 100vw)"
      title={editing === 'new' ? t(`${R}.new`) : (editing?.name ?? '')}
      extra={
        <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="fs-rule-save">
          {t('fieldService.form.save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="name" label={t(`${R}.name`)} rules={[{ required: true, max: 60 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="segmentId" label={t(`${R}.segment`)} rules={[{ required: true }]}>
          <Select
            showSearch
            optionFilterProp="label"
            loading={segments.isLoading}
            options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
          />
        </Form.Item>
        {preview.data && (
          <Alert
            type="info"
            showIcon
            style={{ marginBottom: 16 }}
            message={t(`${R}.preview`, { members: preview.data.members })}
          />
        )}
        <Form.Item name="categoryKey" label={t(`${R}.category`)} rules={[{ required: true, max: 60 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="priority" label={t(`${R}.priority`)}>
          <Select
            options={(['low', 'normal', 'high', 'urgent'] as const).map((p) => ({
              value: p,
              label: t(`${R}.priorities.${p}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="dailyCap" label={t(`${R}.dailyCap`)} rules={[{ required: true }]}>
          <InputNumber min={1} max={1000} />
        </Form.Item>
        <Form.Item name="period" label={t(`${R}.period`)}>
          <Select
            options={(['month', 'quarter', 'year'] as const).map((p) => ({
              value: p,
              label: t(`${R}.periods.${p}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="active" label={t(`${R}.active`)} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
