import { PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  Button,
  Card,
  DatePicker,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { Dayjs } from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { useIsMobile } from '../../shared/use-is-mobile';
import { ActivitySummary, ProofGallery, RoiPanel } from './activity-detail';
import {
  type Activity,
  activityAction,
  createActivity,
  STATUS_COLOR,
  useActivities,
  useActivity,
  useBudgets,
  useTpmMutation,
  yuan,
} from './tpm-api';

const STATUSES = ['draft', 'pending', 'approved', 'executed', 'verified'] as const;

/** 费用活动: the list by status, the proposal form and each activity's detail with its actions. */
export function ActivitiesPage() {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const [status, setStatus] = useState<string>('all');
  const q = useActivities(status === 'all' ? undefined : status);
  const [openId, setOpenId] = useState<string | null>(null);
  const [proposing, setProposing] = useState(false);
  const items = q.data?.items ?? [];
  return (
    <div className="kehu-page" data-testid="tpm-activities-page">
      <Space wrap style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('tpm.activities.title')}
        </Typography.Title>
        {can('trade_promotion:propose') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setProposing(true)}
            data-testid="tpm-new-activity"
          >
            {t('tpm.activities.new')}
          </Button>
        )}
      </Space>
      <Typography.Paragraph type="secondary" style={{ marginTop: 8 }}>
        {t('tpm.activities.intro')}
      </Typography.Paragraph>
      <div style={{ overflowX: 'auto', marginBottom: 12 }}>
        <Segmented
          value={status}
          onChange={(v) => setStatus(String(v))}
          options={[
            { value: 'all', label: t('common.all', { defaultValue: '全部' }) },
            ...STATUSES.map((s) => ({ value: s, label: t(`tpm.statuses.${s}`) })),
          ]}
        />
      </div>
      {q.error && <Alert type="error" showIcon message={errorMessage(q.error)} />}
      <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
        <Table<Activity>
          rowKey="id"
          size="small"
          loading={q.isLoading}
          dataSource={items}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty description={t('tpm.activities.empty')} /> }}
          onRow={(a) => ({ onClick: () => setOpenId(a.id), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('tpm.activities.name'),
              dataIndex: 'name',
              render: (v, a) => (
                <Button
                  type="link"
                  style={{ padding: 0, height: 'auto', whiteSpace: 'normal', textAlign: 'left' }}
                  onClick={() => setOpenId(a.id)}
                >
                  {v}
                </Button>
              ),
            },
            {
              title: t('tpm.activities.type'),
              dataIndex: 'activityType',
              render: (v) => <Tag color="purple">{t(`tpm.types.${v}`)}</Tag>,
              responsive: ['sm'],
            },
            { title: t('tpm.activities.dealer'), dataIndex: 'dealerName', responsive: ['md'] },
            {
              title: t('tpm.activities.dates'),
              render: (_, a) => `${a.startsOn.slice(5)} ~ ${a.endsOn.slice(5)}`,
              responsive: ['md'],
            },
            {
              title: t('tpm.activities.amount'),
              dataIndex: 'amount',
              align: 'right',
              render: (v) => yuan(v, i18n.language),
            },
            {
              title: t('tpm.activities.status'),
              dataIndex: 'status',
              render: (v, a) => (
                <Space size={2} wrap>
                  <Tag color={STATUS_COLOR[v]}>{t(`tpm.statuses.${v}`)}</Tag>
                  {a.flaggedCount > 0 && (
                    <Tag color="warning">{t('tpm.activities.flagged', { n: a.flaggedCount })}</Tag>
                  )}
                </Space>
              ),
            },
            {
              title: t('tpm.activities.proofs'),
              dataIndex: 'proofCount',
              align: 'right',
              responsive: ['lg'],
            },
          ]}
        />
      </Card>
      <Drawer
        open={!!openId}
        onClose={() => setOpenId(null)}
        width={mobile ? '100%' : 860}
        title={t('tpm.activities.detail')}
        destroyOnHidden
      >
        {openId && <ActivityDrawer id={openId} />}
      </Drawer>
      <Drawer
        open={proposing}
        onClose={() => setProposing(false)}
        width={mobile ? '100%' : 560}
        title={t('tpm.activities.new')}
        destroyOnHidden
      >
        <ProposalForm
          onDone={(id) => {
            setProposing(false);
            setOpenId(id);
          }}
        />
      </Drawer>
    </div>
  );
}

function ActivityDrawer({ id }: { id: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const q = useActivity(id);
  const act = useTpmMutation((action: 'submit' | 'cancel' | 'complete') =>
    activityAction(id, action, q.data?.version),
  );
  const a = q.data;
  if (!a) return q.error ? <Alert type="error" showIcon message={errorMessage(q.error)} /> : null;
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {a.name}
      </Typography.Title>
      {act.error && <Alert type="error" showIcon message={errorMessage(act.error)} />}
      <Space wrap>
        {a.status === 'draft' && can('trade_promotion:propose') && (
          <Button
            type="primary"
            loading={act.isPending}
            onClick={() => act.mutate('submit')}
            data-testid="tpm-submit"
          >
            {t('tpm.activities.submit')}
          </Button>
        )}
        {a.status === 'approved' && can('trade_promotion:proof') && a.proofCount > 0 && (
          <Button type="primary" loading={act.isPending} onClick={() => act.mutate('complete')}>
            {t('tpm.activities.complete')}
          </Button>
        )}
        {['draft', 'approved', 'executed'].includes(a.status) && can('trade_promotion:propose') && (
          <Popconfirm title={t('tpm.activities.cancelConfirm')} onConfirm={() => act.mutate('cancel')}>
            <Button danger>{t('tpm.activities.cancel')}</Button>
          </Popconfirm>
        )}
      </Space>
      <ActivitySummary a={a} />
      <Card size="small" title={`${t('tpm.activities.proofs')} (${a.proofCount})`}>
        <ProofGallery activityId={a.id} />
      </Card>
      {['approved', 'executed', 'verified'].includes(a.status) && <RoiPanel activity={a} />}
    </Space>
  );
}

function ProposalForm({ onDone }: { onDone: (id: string) => void }) {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const [form] = Form.useForm();
  const budgets = useBudgets();
  const dealers = me.units.filter((u) => u.type === 'dealer');
  const dealerId: string | undefined = Form.useWatch('dealerUnitId', form);
  const type: string | undefined = Form.useWatch('activityType', form);
  const stores = me.units.filter((u) => u.type === 'store' && u.parentId === dealerId);
  const lineBudgets = (budgets.data?.items ?? []).filter(
    (b) => b.unitId === dealerId && b.expenseType === type && b.remaining > 0,
  );
  const save = useTpmMutation(async (v: { submit: boolean; values: any }) => {
    const [from, to] = v.values.dates as [Dayjs, Dayjs];
    const a = await createActivity({
      name: v.values.name,
      activityType: v.values.activityType,
      dealerUnitId: v.values.dealerUnitId,
      storeUnitIds: v.values.storeUnitIds,
      startsOn: from.format('YYYY-MM-DD'),
      endsOn: to.format('YYYY-MM-DD'),
      description: v.values.description || undefined,
      lines: [{ budgetId: v.values.budgetId, amount: Math.round(v.values.amount * 100) }],
    });
    return v.submit ? activityAction(a.id, 'submit') : a;
  });
  const [submitNow, setSubmitNow] = useState(true);
  return (
    <Form
      form={form}
      layout="vertical"
      initialValues={{
        activityType: 'display',
        dealerUnitId: dealers.length === 1 ? dealers[0]!.id : undefined,
      }}
      onFinish={async (values) => {
        const a = await save.mutateAsync({ submit: submitNow, values });
        onDone(a.id);
      }}
    >
      {save.error && (
        <Alert type="error" showIcon message={errorMessage(save.error)} style={{ marginBottom: 12 }} />
      )}
      <Form.Item name="name" label={t('tpm.activities.name')} rules={[{ required: true, max: 80 }]}>
        <Input data-testid="tpm-activity-name" />
      </Form.Item>
      <Form.Item name="activityType" label={t('tpm.activities.type')} rules={[{ required: true }]}>
        <Select
          options={['display', 'promotion', 'tasting', 'listing_fee'].map((k) => ({
            value: k,
            label: t(`tpm.types.${k}`),
          }))}
        />
      </Form.Item>
      <Form.Item name="dealerUnitId" label={t('tpm.activities.dealer')} rules={[{ required: true }]}>
        <Select
          options={dealers.map((u) => ({ value: u.id, label: u.name }))}
          data-testid="tpm-activity-dealer"
        />
      </Form.Item>
      <Form.Item name="storeUnitIds" label={t('tpm.activities.stores')} rules={[{ required: true }]}>
        <Select
          mode="multiple"
          options={stores.map((u) => ({ value: u.id, label: u.name }))}
          data-testid="tpm-activity-stores"
        />
      </Form.Item>
      <Form.Item name="dates" label={t('tpm.activities.dates')} rules={[{ required: true }]}>
        <DatePicker.RangePicker style={{ width: '100%' }} inputReadOnly />
      </Form.Item>
      <Form.Item
        name="budgetId"
        label={t('tpm.activities.budget')}
        rules={[{ required: true }]}
        extra={dealerId && type && lineBudgets.length === 0 ? t('tpm.activities.noBudget') : undefined}
      >
        <Select
          data-testid="tpm-activity-budget"
          options={lineBudgets.map((b) => ({
            value: b.id,
            label: `${b.year} ${t(`tpm.quarter.${b.quarter}`)} · ${t(`tpm.channels.${b.channel}`)} · ${t('tpm.budgets.remaining')} ${yuan(b.remaining, i18n.language)}`,
          }))}
        />
      </Form.Item>
      <Form.Item name="amount" label={t('tpm.budgets.amountYuan')} rules={[{ required: true }]}>
        <InputNumber min={0.01} precision={2} style={{ width: '100%' }} data-testid="tpm-activity-amount" />
      </Form.Item>
      <Form.Item name="description" label={t('tpm.activities.description')}>
        <Input.TextArea rows={2} maxLength={1000} />
      </Form.Item>
      <Space wrap>
        <Button
          type="primary"
          htmlType="submit"
          loading={save.isPending && submitNow}
          onClick={() => setSubmitNow(true)}
          data-testid="tpm-save-submit"
        >
          {t('tpm.activities.saveSubmit')}
        </Button>
        <Button htmlType="submit" loading={save.isPending && !submitNow} onClick={() => setSubmitNow(false)}>
          {t('tpm.activities.saveDraft')}
        </Button>
      </Space>
    </Form>
  );
}
