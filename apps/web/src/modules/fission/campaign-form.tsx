import { ReloadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  DatePicker,
  Drawer,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, http } from '../../shared/api-client';
import { errorMessage } from '../../shared/error-message';
import {
  type Campaign,
  createCampaign,
  fissionKeys,
  REWARD_TYPES,
  TASK_KINDS,
  updateCampaign,
  useCorpGroups,
  useCorpStaff,
  useCorps,
  useCouponTemplates,
  usePosters,
} from './fission-api';

interface Values {
  name: string;
  period: [Dayjs, Dayjs];
  corpRef: string;
  staff: string[];
  posterMaterialId?: string | null;
  inviteTarget: number;
  task: (typeof TASK_KINDS)[number];
  groupChatIds?: string[];
  rewardType: (typeof REWARD_TYPES)[number];
  rewardText: string;
  couponTemplateId?: string | null;
  budget?: number | null;
  rewardCost?: number;
}

/**
 * Create or edit a campaign in a drawer (full width on a phone). An edit sends the version it loaded;
 * someone else's save meanwhile is a 409: the drawer shows the server's words and offers the latest.
 */
export function CampaignForm({
  open,
  editing,
  onClose,
}: {
  open: boolean;
  editing: Campaign | null;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const [version, setVersion] = useState(editing?.version ?? 0);
  const [stale, setStale] = useState<string | null>(null);
  const corps = useCorps();
  const posters = usePosters();
  const corpRef = Form.useWatch('corpRef', form);
  const staff = useCorpStaff(corpRef);
  const task = Form.useWatch('task', form);
  const rewardType = Form.useWatch('rewardType', form);
  const groups = useCorpGroups(corpRef, task === 'join_group');
  const templates = useCouponTemplates(rewardType === 'coupon');
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    setStale(null);
    setVersion(editing?.version ?? 0);
    if (editing)
      form.setFieldsValue({
        ...editing,
        period: [dayjs(editing.startsOn), dayjs(editing.endsOn)],
      });
    else form.setFieldsValue({ inviteTarget: 3, task: 'add_staff', rewardType: 'gift', rewardCost: 0 });
  }, [open, editing, form]);
  const reload = async () => {
    if (!editing) return;
    setBusy(true);
    try {
      const fresh = await http.get<Campaign>(`/fission/campaigns/${editing.id}`);
      form.resetFields();
      form.setFieldsValue({ ...fresh, period: [dayjs(fresh.startsOn), dayjs(fresh.endsOn)] });
      setVersion(fresh.version);
      setStale(null);
      await qc.invalidateQueries({ queryKey: fissionKeys.all });
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = async (v: Values) => {
    setBusy(true);
    const common = {
      name: v.name,
      startsOn: v.period[0].format('YYYY-MM-DD'),
      endsOn: v.period[1].format('YYYY-MM-DD'),
      posterMaterialId: v.posterMaterialId ?? null,
      inviteTarget: v.inviteTarget,
      rewardType: v.rewardType,
      rewardText: v.rewardText,
      couponTemplateId: v.rewardType === 'coupon' ? (v.couponTemplateId ?? null) : null,
      budget: v.budget ?? null,
      rewardCost: v.rewardCost ?? 0,
    };
    try {
      if (editing) await updateCampaign(editing.id, { ...common, version });
      else
        await createCampaign({
          ...common,
          corpRef: v.corpRef,
          staff: v.staff,
          task: v.task,
          ...(v.task === 'join_group' ? { groupChatIds: v.groupChatIds ?? [] } : {}),
        });
      await qc.invalidateQueries({ queryKey: fissionKeys.all });
      message.success(t('fission.saved'));
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && editing) setStale(e.problem.detail || e.message);
      else message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={editing ? t('fission.edit') : t('fission.new')}
      width="min(560px, 100vw)"
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t('fission.form.cancel')}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="fission-save">
            {t('fission.form.save')}
          </Button>
        </Space>
      }
    >
      {stale && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={stale}
          description={t('form.conflictHint')}
          action={
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="fission-conflict-reload">
              {t('form.reload')}
            </Button>
          }
          data-testid="fission-conflict"
        />
      )}
      <Form form={form} layout="vertical" onFinish={submit} data-testid="fission-form">
        <Form.Item name="name" label={t('fission.form.name')} rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="period" label={t('fission.form.period')} rules={[{ required: true }]}>
          <DatePicker.RangePicker style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="corpRef" label={t('fission.form.corp')} rules={[{ required: true }]}>
          <Select
            disabled={Boolean(editing)}
            loading={corps.isLoading}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
        <Form.Item
          name="staff"
          label={t('fission.form.staff')}
          rules={[{ required: true }]}
          extra={editing ? t('fission.form.fixed') : undefined}
        >
          <Select
            mode="multiple"
            disabled={Boolean(editing)}
            loading={staff.isLoading}
            optionFilterProp="label"
            options={(staff.data?.items ?? [])
              .filter((s) => s.active)
              .map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
          />
        </Form.Item>
        <Form.Item name="task" label={t('fission.form.task')} rules={[{ required: true }]}>
          <Select
            disabled={Boolean(editing)}
            options={TASK_KINDS.map((k) => ({ value: k, label: t(`fission.tasks.${k}`) }))}
            data-testid="fission-task"
          />
        </Form.Item>
        {task === 'join_group' && (
          <Form.Item
            name="groupChatIds"
            label={t('fission.form.groups')}
            rules={[{ required: true }]}
            extra={
              groups.data && !groups.data.items.length
                ? t('fission.form.noGroups')
                : t('fission.form.groupsHint')
            }
          >
            <Select
              mode="multiple"
              maxCount={5}
              disabled={Boolean(editing)}
              loading={groups.isLoading}
              optionFilterProp="label"
              options={(groups.data?.items ?? []).map((g) => ({
                value: g.chatId,
                label: g.name || g.chatId,
              }))}
            />
          </Form.Item>
        )}
        <Form.Item name="posterMaterialId" label={t('fission.form.poster')}>
          <Select
            allowClear
            loading={posters.isLoading}
            options={(posters.data?.items ?? []).map((m) => ({ value: m.id, label: m.title }))}
          />
        </Form.Item>
        <Space wrap>
          <Form.Item name="inviteTarget" label={t('fission.form.target')} rules={[{ required: true }]}>
            <InputNumber min={1} max={100} />
          </Form.Item>
          <Form.Item name="rewardType" label={t('fission.form.rewardType')} rules={[{ required: true }]}>
            <Select
              style={{ minWidth: 140 }}
              options={REWARD_TYPES.map((r) => ({ value: r, label: t(`fission.rewardTypes.${r}`) }))}
            />
          </Form.Item>
        </Space>
        {rewardType === 'coupon' && (
          <Form.Item
            name="couponTemplateId"
            label={t('fission.form.couponTemplate')}
            rules={[{ required: true }]}
            extra={t('fission.form.couponHint')}
          >
            <Select
              loading={templates.isLoading}
              optionFilterProp="label"
              showSearch
              notFoundContent={t('fission.form.noTemplates')}
              options={(templates.data?.items ?? [])
                .filter((x) => x.status === 'active')
                .map((x) => ({ value: x.id, label: x.name }))}
              data-testid="fission-coupon-template"
            />
          </Form.Item>
        )}
        <Form.Item
          name="rewardText"
          label={t('fission.form.rewardText')}
          rules={[{ required: true, max: 200 }]}
        >
          <Input />
        </Form.Item>
        <Space wrap>
          <Form.Item name="budget" label={t('fission.form.budget')}>
            <InputNumber min={0} max={10_000_000} />
          </Form.Item>
          <Form.Item name="rewardCost" label={t('fission.form.rewardCost')}>
            <InputNumber min={0} max={1_000_000} />
          </Form.Item>
        </Space>
        <Typography.Paragraph type="secondary">{t('fission.funnel.rule')}</Typography.Paragraph>
      </Form>
    </Drawer>
  );
}
