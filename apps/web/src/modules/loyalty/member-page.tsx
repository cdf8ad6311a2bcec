import { ArrowLeftOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Progress,
  Row,
  Space,
  Statistic,
  Table,
  Tabs,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../app/session';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type MemberDetail, useAdjust, useMember, useTransfer } from './loyalty-api';

const when = (iso: string | null) => (iso ? iso.slice(0, 16).replace('T', ' ') : '');
const KIND_COLORS: Record<string, string> = {
  earn: 'green',
  spend: 'blue',
  reverse_spend: 'cyan',
  reverse_earn: 'red',
  expire: 'default',
  adjust: 'purple',
  transfer_in: 'green',
  transfer_out: 'orange',
};

/** A member: tier and progress, balance and what expires, the ledger with its running balance, lots, tiers. */
export function MemberPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const { can } = useSession();
  const mobile = useIsMobile();
  const q = useMember(id);
  const [adjusting, setAdjusting] = useState(false);
  const [transferring, setTransferring] = useState(false);
  const d = q.data;
  const trend = useMemo(() => {
    const rows = [...(d?.ledger ?? [])].reverse();
    return {
      grid: { left: 48, right: 16, top: 16, bottom: 28 },
      tooltip: { trigger: 'axis' },
      xAxis: { type: 'time' },
      yAxis: { type: 'value' },
      series: [
        { type: 'line', step: 'end', data: rows.map((l) => [l.createdAt, l.balanceAfter]), areaStyle: {} },
      ],
    };
  }, [d]);
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} page />;
  if (!d) return <Card loading />;
  const s = d.summary;
  const next = s.nextTier;
  const reached = next ? s.qualifying / (s.qualifying + next.qualifyingNeeded || 1) : 1;
  const days = 365;
  return (
    <div className="kehu-page" data-testid="loyalty-member-page">
      <Space style={{ marginBottom: 8 }}>
        <Link to="/loyalty/members">
          <ArrowLeftOutlined /> {t('loyalty.member.back')}
        </Link>
      </Space>
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {d.member.name ?? d.member.memberNo} <Tag color="gold">{s.tier.name}</Tag>
        </Typography.Title>
        <Space wrap>
          {can('loyalty:adjust') && (
            <Button type="primary" onClick={() => setAdjusting(true)}>
              {t('loyalty.member.adjust')}
            </Button>
          )}
          {can('loyalty:adjust') && d.allowTransfer && (
            <Button onClick={() => setTransferring(true)}>{t('loyalty.member.transfer')}</Button>
          )}
        </Space>
      </div>
      <Descriptions size="small" column={mobile ? 1 : 3} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('loyalty.members.columns.no')}>{d.member.memberNo}</Descriptions.Item>
        <Descriptions.Item label={t('loyalty.members.columns.phone')}>
          {d.member.phone ?? '—'}
        </Descriptions.Item>
        <Descriptions.Item label={t('loyalty.members.columns.unit')}>{d.member.unitName}</Descriptions.Item>
      </Descriptions>
      {s.debt > 0 && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('loyalty.member.debt', { n: s.debt })}
        />
      )}
      <Row gutter={[12, 12]}>
        <Col xs={24} md={8}>
          <Card size="small">
            <Statistic
              title={t('loyalty.member.balance')}
              value={s.balance}
              valueStyle={{ color: s.balance < 0 ? '#cf1322' : undefined }}
            />
            {s.expiringSoon.length ? (
              <Typography.Text type="warning">
                {t('loyalty.member.expiring')}：
                {s.expiringSoon.map((e) => `${e.points}（${e.expiresAt.slice(0, 10)}）`).join('，')}
              </Typography.Text>
            ) : (
              <Typography.Text type="secondary">{t('loyalty.member.noneExpiring')}</Typography.Text>
            )}
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card size="small">
            <Statistic
              title={t(
                s.tierBasis === 'spend' ? 'loyalty.member.qualifyingSpend' : 'loyalty.member.qualifying',
                { days },
              )}
              value={s.qualifying}
            />
            <Progress percent={Math.round(reached * 100)} size="small" showInfo={false} />
            <Typography.Text type="secondary">
              {next
                ? t('loyalty.member.nextTier', { n: next.qualifyingNeeded, tier: next.name })
                : t('loyalty.member.topTier')}
              {' · '}
              {t('loyalty.member.review', { date: s.tierReviewAt.slice(0, 10) })}
            </Typography.Text>
          </Card>
        </Col>
        <Col xs={24} md={8}>
          <Card size="small" title={t('loyalty.member.benefits')}>
            {s.benefits.discountPercent || s.benefits.freeServices.length ? (
              <Space wrap>
                {s.benefits.discountPercent ? (
                  <Tag color="gold">{t('loyalty.member.discount', { n: s.benefits.discountPercent })}</Tag>
                ) : null}
                {s.benefits.freeServices.map((x) => (
                  <Tag key={x}>{x}</Tag>
                ))}
              </Space>
            ) : (
              <Typography.Text type="secondary">{t('loyalty.member.noBenefits')}</Typography.Text>
            )}
          </Card>
        </Col>
      </Row>
      {d.ledger.length > 1 && (
        <Card size="small" title={t('loyalty.member.trend')} style={{ marginTop: 12 }}>
          <EChart option={trend as any} height={200} testId="loyalty-balance-chart" />
        </Card>
      )}
      <Tabs
        style={{ marginTop: 12 }}
        items={[
          { key: 'ledger', label: t('loyalty.member.ledger'), children: <Ledger d={d} mobile={mobile} /> },
          { key: 'lots', label: t('loyalty.member.lots'), children: <Lots d={d} /> },
          { key: 'tiers', label: t('loyalty.member.tiers'), children: <TierHistory d={d} /> },
          { key: 'adj', label: t('loyalty.member.adjustments'), children: <Adjustments d={d} /> },
        ]}
      />
      {adjusting && <AdjustDialog d={d} onClose={() => setAdjusting(false)} />}
      {transferring && <TransferDialog d={d} onClose={() => setTransferring(false)} />}
    </div>
  );
}

function Ledger({ d, mobile }: { d: MemberDetail; mobile: boolean }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey="id"
      size="small"
      scroll={{ x: true }}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      dataSource={d.ledger}
      locale={{ emptyText: <Empty description={t('loyalty.member.noLedger')} /> }}
      expandable={
        mobile ? { expandedRowRender: (r) => r.rule ?? r.reason, rowExpandable: (r) => !!r.rule } : undefined
      }
      columns={[
        { title: t('loyalty.member.columns.at'), dataIndex: 'createdAt', render: when },
        {
          title: t('loyalty.member.columns.kind'),
          dataIndex: 'kind',
          render: (k: string) => <Tag color={KIND_COLORS[k]}>{t(`loyalty.member.kinds.${k}`)}</Tag>,
        },
        {
          title: t('loyalty.member.columns.delta'),
          dataIndex: 'delta',
          align: 'right' as const,
          render: (n: number) => (
            <Typography.Text type={n < 0 ? 'danger' : 'success'}>{n > 0 ? `+${n}` : n}</Typography.Text>
          ),
        },
        {
          title: t('loyalty.member.columns.balanceAfter'),
          dataIndex: 'balanceAfter',
          align: 'right' as const,
        },
        { title: t('loyalty.member.columns.reason'), dataIndex: 'reason' },
        ...(mobile
          ? []
          : [
              {
                title: t('loyalty.member.columns.rule'),
                dataIndex: 'rule',
                render: (r: string | null) => <Typography.Text type="secondary">{r}</Typography.Text>,
              },
            ]),
      ]}
    />
  );
}

function Lots({ d }: { d: MemberDetail }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey="id"
      size="small"
      scroll={{ x: true }}
      pagination={{ pageSize: 20, hideOnSinglePage: true }}
      dataSource={d.lots}
      columns={[
        { title: t('loyalty.member.columns.earnedAt'), dataIndex: 'earnedAt', render: when },
        { title: t('loyalty.member.columns.points'), dataIndex: 'points', align: 'right' as const },
        { title: t('loyalty.member.columns.remaining'), dataIndex: 'remaining', align: 'right' as const },
        {
          title: t('loyalty.member.columns.expiresAt'),
          dataIndex: 'expiresAt',
          render: (x: string | null) => (x ? x.slice(0, 10) : t('loyalty.member.never')),
        },
      ]}
    />
  );
}

function TierHistory({ d }: { d: MemberDetail }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={d.tierHistory}
      columns={[
        { title: t('loyalty.member.columns.at'), dataIndex: 'at', render: when },
        {
          title: t('loyalty.member.columns.kind'),
          dataIndex: 'reason',
          render: (r: string) => <Tag>{t(`loyalty.member.reasons.${r}`)}</Tag>,
        },
        { title: t('loyalty.member.columns.from'), dataIndex: 'from' },
        { title: t('loyalty.member.columns.to'), dataIndex: 'to' },
        {
          title: t('loyalty.member.qualifying', { days: 365 }),
          dataIndex: 'qualifying',
          align: 'right' as const,
        },
      ]}
    />
  );
}

function Adjustments({ d }: { d: MemberDetail }) {
  const { t } = useTranslation();
  return (
    <Table
      rowKey="id"
      size="small"
      pagination={false}
      dataSource={d.adjustments}
      columns={[
        { title: t('loyalty.member.columns.at'), dataIndex: 'createdAt', render: when },
        { title: t('loyalty.member.columns.points'), dataIndex: 'points', align: 'right' as const },
        { title: t('loyalty.member.columns.reason'), dataIndex: 'reason' },
        {
          title: t('loyalty.member.columns.status'),
          dataIndex: 'status',
          render: (s: string) => (
            <Tag color={s === 'applied' ? 'green' : s === 'pending' ? 'orange' : 'default'}>
              {t(`loyalty.member.statuses.${s}`)}
            </Tag>
          ),
        },
      ]}
    />
  );
}

function useProblemForm() {
  const [form] = Form.useForm();
  const { message } = App.useApp();
  const fail = (e: unknown) => {
    const fields = (e as { problem?: { errors?: Array<{ field: string; message?: string }> } }).problem
      ?.errors;
    if (fields?.length) form.setFields(fields.map((f) => ({ name: f.field, errors: [f.message ?? ''] })));
    else message.error(errorMessage(e));
  };
  return { form, fail, message };
}

function AdjustDialog({ d, onClose }: { d: MemberDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { form, fail, message } = useProblemForm();
  const adjust = useAdjust(d.member.id);
  const [key] = useState(() => `web:${crypto.randomUUID()}`);
  return (
    <Modal
      open
      title={t('loyalty.member.adjust')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={adjust.isPending}
    >
      <Alert
        type="info"
        showIcon
        style={{ marginBottom: 12 }}
        message={t('loyalty.member.adjustHint', { n: d.adjustApprovalThreshold })}
      />
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          try {
            const r = await adjust.mutateAsync({ points: v.points, reason: v.reason, idempotencyKey: key });
            message.success(
              t(r.status === 'pending' ? 'loyalty.member.submitted' : 'loyalty.member.adjusted'),
            );
            onClose();
          } catch (e) {
            fail(e);
          }
        }}
      >
        <Form.Item name="points" label={t('loyalty.member.pointsLabel')} rules={[{ required: true }]}>
          <InputNumber style={{ width: '100%' }} precision={0} autoFocus />
        </Form.Item>
        <Form.Item name="reason" label={t('loyalty.member.reasonLabel')} rules={[{ required: true, min: 2 }]}>
          <Input maxLength={200} />
        </Form.Item>
      </Form>
    </Modal>
  );
}

function TransferDialog({ d, onClose }: { d: MemberDetail; onClose: () => void }) {
  const { t } = useTranslation();
  const { form, fail, message } = useProblemForm();
  const transfer = useTransfer(d.member.id);
  const [key] = useState(() => `web:${crypto.randomUUID()}`);
  return (
    <Modal
      open
      title={t('loyalty.member.transfer')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={transfer.isPending}
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={async (v) => {
          try {
            await transfer.mutateAsync({ toMemberNo: v.toMemberNo, points: v.points, idempotencyKey: key });
            message.success(t('loyalty.member.transferred'));
            onClose();
          } catch (e) {
            fail(e);
          }
        }}
      >
        <Form.Item name="toMemberNo" label={t('loyalty.member.toMemberNo')} rules={[{ required: true }]}>
          <Input autoFocus />
        </Form.Item>
        <Form.Item name="points" label={t('loyalty.member.columns.points')} rules={[{ required: true }]}>
          <InputNumber style={{ width: '100%' }} min={1} max={Math.max(1, d.summary.balance)} precision={0} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
