import { useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import {
  createReward,
  deleteReward,
  mallKeys,
  REWARD_KINDS,
  type Reward,
  type RewardInput,
  saveSettings,
  updateReward,
  useCouponTemplates,
  useMallSettings,
  usePrograms,
  useRewards,
} from './member-mall-api';

const P = 'member-mall.rewards';

/** 积分商城: the rewards with stock and redemptions; add, edit, remove; the card link and settings. */
export function RewardsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const list = useRewards();
  const settings = useMallSettings();
  const [editing, setEditing] = useState<Reward | null | undefined>(undefined);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const manage = can('member_mall:manage');
  const remove = async (id: string) => {
    try {
      await deleteReward(id);
      await qc.invalidateQueries({ queryKey: mallKeys.all });
    } catch (e) {
      message.error(errorMessage(e));
    }
  };
  return (
    <div className="kehu-page" data-testid="mall-rewards">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t(`${P}.title`)}
        </Typography.Title>
        <Space wrap>
          {manage && <Button onClick={() => setSettingsOpen(true)}>{t(`${P}.settings`)}</Button>}
          {manage && (
            <Button type="primary" onClick={() => setEditing(null)} data-testid="mall-new">
              {t(`${P}.new`)}
            </Button>
          )}
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t(`${P}.intro`)}</Typography.Paragraph>
      {settings.data && (
        <Typography.Paragraph>
          {t(`${P}.cardLink`)}:{' '}
          <Typography.Text copyable={{ text: settings.data.cardUrl }} code data-testid="mall-card-url">
            {settings.data.cardUrl}
          </Typography.Text>
        </Typography.Paragraph>
      )}
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t(`${P}.empty`) }}
            columns={[
              {
                title: t(`${P}.cols.name`),
                dataIndex: 'name',
                render: (v: string, r) => (
                  <div>
                    <div>{v}</div>
                    {r.description && <Typography.Text type="secondary">{r.description}</Typography.Text>}
                  </div>
                ),
              },
              { title: t(`${P}.cols.kind`), dataIndex: 'kind', render: (k: string) => t(`${P}.kinds.${k}`) },
              { title: t(`${P}.cols.points`), dataIndex: 'pointsCost' },
              {
                title: t(`${P}.cols.stock`),
                key: 'stock',
                render: (_, r) =>
                  r.stockLeft === null ? (
                    t(`${P}.unlimited`)
                  ) : (
                    <Typography.Text type={r.stockLeft === 0 ? 'danger' : undefined}>
                      {r.stockLeft} / {r.stockTotal}
                    </Typography.Text>
                  ),
              },
              { title: t(`${P}.cols.redeemed`), dataIndex: 'redeemed' },
              {
                title: t(`${P}.cols.status`),
                dataIndex: 'status',
                render: (s: string) => (
                  <Tag color={s === 'active' ? 'green' : undefined}>{t(`${P}.statuses.${s}`)}</Tag>
                ),
              },
              {
                key: 'actions',
                render: (_, r) =>
                  manage && (
                    <Space wrap size={4}>
                      <Button size="small" type="link" onClick={() => setEditing(r)}>
                        {t(`${P}.edit`)}
                      </Button>
                      <Popconfirm title={t(`${P}.removeConfirm`)} onConfirm={() => remove(r.id)}>
                        <Button size="small" type="link" danger>
                          {t(`${P}.remove`)}
                        </Button>
                      </Popconfirm>
                    </Space>
                  ),
              },
            ]}
          />
        </Card>
      )}
      <RewardForm editing={editing} onClose={() => setEditing(undefined)} />
      <SettingsDrawer open={settingsOpen} onClose={() => setSettingsOpen(false)} />
    </div>
  );
}

type Values = RewardInput;

function RewardForm({ editing, onClose }: { editing: Reward | null | undefined; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [busy, setBusy] = useState(false);
  const templates = useCouponTemplates();
  const kind = Form.useWatch('kind', form);
  const open = editing !== undefined;
  useEffect(() => {
    if (!open) return;
    form.resetFields();
    if (editing)
      form.setFieldsValue({
        ...editing,
        stock: editing.stockLeft,
        description: editing.description ?? undefined,
      } as Values);
    else form.setFieldsValue({ kind: 'coupon', pointsCost: 500, perMemberLimit: 1, status: 'active' });
  }, [open, editing, form]);
  const submit = async (v: Values) => {
    setBusy(true);
    try {
      const body = {
        name: v.name,
        description: v.description || null,
        pointsCost: v.pointsCost,
        couponTemplateId: v.kind === 'coupon' ? v.couponTemplateId : null,
        stock: v.kind === 'coupon' ? null : (v.stock ?? null),
        perMemberLimit: v.perMemberLimit,
        status: v.status,
      };
      if (editing) await updateReward(editing.id, { ...body, version: editing.version });
      else await createReward({ ...body, kind: v.kind });
      await qc.invalidateQueries({ queryKey: mallKeys.all });
      message.success(t(`${P}.saved`));
      onClose();
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={editing ? t(`${P}.edit`) : t(`${P}.new`)}
      width="min(520px, 100vw)"
      destroyOnHidden
      extra={
        <Space>
          <Button onClick={onClose}>{t(`${P}.form.cancel`)}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="mall-save">
            {t(`${P}.form.save`)}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid="mall-form">
        <Form.Item name="name" label={t(`${P}.form.name`)} rules={[{ required: true, max: 60 }]}>
          <Input />
        </Form.Item>
        <Form.Item name="description" label={t(`${P}.form.description`)} rules={[{ max: 500 }]}>
          <Input.TextArea autoSize={{ minRows: 2, maxRows: 4 }} />
        </Form.Item>
        <Form.Item name="kind" label={t(`${P}.form.kind`)} rules={[{ required: true }]}>
          <Select
            disabled={Boolean(editing)}
            options={REWARD_KINDS.map((k) => ({ value: k, label: t(`${P}.kinds.${k}`) }))}
          />
        </Form.Item>
        {kind === 'coupon' ? (
          <Form.Item name="couponTemplateId" label={t(`${P}.form.template`)} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              loading={templates.isLoading}
              options={(templates.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
            />
          </Form.Item>
        ) : (
          <Form.Item name="stock" label={t(`${P}.form.stock`)}>
            <InputNumber min={0} max={10_000_000} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        )}
        <Form.Item name="pointsCost" label={t(`${P}.form.points`)} rules={[{ required: true }]}>
          <InputNumber min={1} max={10_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="perMemberLimit" label={t(`${P}.form.limit`)} rules={[{ required: true }]}>
          <InputNumber min={1} max={1000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="status" label={t(`${P}.form.status`)}>
          <Select options={['active', 'paused'].map((s) => ({ value: s, label: t(`${P}.statuses.${s}`) }))} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

function SettingsDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const settings = useMallSettings();
  const templates = useCouponTemplates();
  const programs = usePrograms();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const S = 'member-mall.settings';
  useEffect(() => {
    if (open && settings.data) form.setFieldsValue(settings.data);
  }, [open, settings.data, form]);
  const options = (templates.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }));
  const submit = async (v: Record<string, any>) => {
    setBusy(true);
    try {
      await saveSettings({
        programId: v.programId || null,
        pointValueMinor: v.pointValueMinor,
        referralEnabled: v.referralEnabled,
        referrerPoints: v.referrerPoints,
        refereePoints: v.refereePoints,
        referrerCouponTemplateId: v.referrerCouponTemplateId ?? null,
        refereeCouponTemplateId: v.refereeCouponTemplateId ?? null,
        version: settings.data!.version,
      });
      await qc.invalidateQueries({ queryKey: mallKeys.all });
      message.success(t(`${P}.saved`));
      onClose();
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t(`${P}.settings`)}
      width="min(520px, 100vw)"
      extra={
        <Space>
          <Button onClick={onClose}>{t(`${P}.form.cancel`)}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()}>
            {t(`${P}.form.save`)}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item name="programId" label={t(`${S}.program`)} extra={t(`${S}.programHelp`)}>
          <Select
            allowClear
            loading={programs.isLoading}
            options={(programs.data?.items ?? []).map((p) => ({ value: p.id, label: p.name }))}
          />
        </Form.Item>
        <Form.Item name="pointValueMinor" label={t(`${S}.pointValue`)} extra={t(`${S}.pointValueHelp`)}>
          <InputNumber min={0} max={10_000} style={{ width: '100%' }} />
        </Form.Item>
        <Typography.Paragraph type="secondary">{t(`${S}.rule`)}</Typography.Paragraph>
        <Form.Item name="referralEnabled" label={t(`${S}.referral`)} valuePropName="checked">
          <Switch />
        </Form.Item>
        <Form.Item name="referrerPoints" label={t(`${S}.referrerPoints`)}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="refereePoints" label={t(`${S}.refereePoints`)}>
          <InputNumber min={0} max={1_000_000} precision={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="referrerCouponTemplateId" label={t(`${S}.referrerCoupon`)}>
          <Select allowClear options={options} />
        </Form.Item>
        <Form.Item name="refereeCouponTemplateId" label={t(`${S}.refereeCoupon`)}>
          <Select allowClear options={options} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
