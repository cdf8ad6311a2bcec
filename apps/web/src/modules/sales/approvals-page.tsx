import { CheckOutlined, CloseOutlined, RollbackOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Badge,
  Button,
  Card,
  Descriptions,
  Drawer,
  Empty,
  Input,
  List,
  Segmented,
  Skeleton,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useSearchParams } from 'react-router';
import { ErrorResult, errorMessage, PageError } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { ApprovalSteps, STATUS_COLOR } from './approval-history';
import { type ApprovalRequest, quoteSummary, salesApi, yuan } from './sales-api';
import { salesKeys } from './sales-keys';

/** Approval inbox (R10.2): pending for me, requested by me, decided by me; usable on a phone. */
export function ApprovalsPage() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const [box, setBox] = useState<'pending' | 'mine' | 'done'>('pending');
  const [params] = useSearchParams();
  // Notifications link here with ?open=<request id>.
  const [open, setOpen] = useState<string | null>(params.get('open'));
  const list = useQuery({ queryKey: salesKeys.approvals.inbox(box), queryFn: () => salesApi.approvals(box) });
  return (
    <div className="kehu-page" data-testid="approvals-page">
      <Typography.Title level={4}>{t('sales.approval.title')}</Typography.Title>
      <Segmented
        block={isMobile}
        value={box}
        onChange={(v) => setBox(v as typeof box)}
        options={[
          {
            value: 'pending',
            label: (
              <Badge count={list.data?.counts.pending ?? 0} size="small" offset={[8, -2]}>
                {t('sales.approval.pending')}
              </Badge>
            ),
          },
          { value: 'mine', label: t('sales.approval.mine') },
          { value: 'done', label: t('sales.approval.done') },
        ]}
        style={{ marginBottom: 12 }}
      />
      {list.error ? (
        <PageError error={list.error} onRetry={() => list.refetch()} />
      ) : list.isPending ? (
        <Skeleton active />
      ) : list.data.items.length === 0 ? (
        <Empty description={t('sales.approval.empty')} />
      ) : (
        <List
          dataSource={list.data.items}
          renderItem={(r) => (
            <Card
              size="small"
              hoverable
              style={{ marginBottom: 8 }}
              onClick={() => setOpen(r.id)}
              data-testid={`approval-${r.id}`}
            >
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                <Typography.Text strong ellipsis>
                  {t(`sales.objects.${r.object}`, { defaultValue: r.object })} · {r.recordName}
                </Typography.Text>
                <Tag color={STATUS_COLOR[r.status]}>{t(`sales.approval.status.${r.status}`)}</Tag>
              </div>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {r.requester.name} · {r.createdAt.slice(0, 16).replace('T', ' ')}
              </Typography.Text>
              {quoteSummary(r.summary).total && (
                <div>
                  {yuan(quoteSummary(r.summary).total?.amount, quoteSummary(r.summary).total?.currency)}
                  {quoteSummary(r.summary).discountPercent !== null && (
                    <Tag color="red" bordered={false} style={{ marginLeft: 8 }}>
                      {t('sales.quote.discountPercent')} {quoteSummary(r.summary).discountPercent}%
                    </Tag>
                  )}
                </div>
              )}
            </Card>
          )}
        />
      )}
      <Drawer
        open={!!open}
        onClose={() => setOpen(null)}
        width={isMobile ? '100%' : 520}
        title={t('sales.approval.detail')}
        destroyOnHidden
      >
        {open && <ApprovalDetail id={open} onDone={() => setOpen(null)} />}
      </Drawer>
    </div>
  );
}

function ApprovalDetail({ id, onDone }: { id: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [comment, setComment] = useState('');
  const r = useQuery({ queryKey: salesKeys.approvals.detail(id), queryFn: () => salesApi.approval(id) });
  const decide = useMutation({
    mutationFn: (action: 'approve' | 'reject' | 'return') =>
      salesApi.decide(id, action, comment || undefined),
    onSuccess: (res: ApprovalRequest) => {
      message.success(t(`sales.approval.status.${res.status}`));
      qc.invalidateQueries({ queryKey: salesKeys.all });
      onDone();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  if (r.error) return <ErrorResult error={r.error} />;
  if (r.isPending) return <Skeleton active />;
  const a = r.data;
  const summary = quoteSummary(a.summary);
  const href = a.object === 'quote' ? `/o/quote/${a.recordId}` : `/o/${a.object}/${a.recordId}`;
  return (
    <div data-testid="approval-detail">
      <Descriptions size="small" column={1} bordered>
        <Descriptions.Item label={t(`sales.objects.${a.object}`, { defaultValue: a.object })}>
          <Link to={href}>{a.recordName}</Link>
        </Descriptions.Item>
        <Descriptions.Item label={t('sales.approval.requester')}>{a.requester.name}</Descriptions.Item>
        {summary.customerName && (
          <Descriptions.Item label={t('sales.common.customer')}>{summary.customerName}</Descriptions.Item>
        )}
        {summary.total && (
          <Descriptions.Item label={t('sales.quote.total')}>
            {yuan(summary.total.amount, summary.total.currency)}
          </Descriptions.Item>
        )}
        {summary.discountPercent !== null && (
          <Descriptions.Item label={t('sales.quote.discountPercent')}>
            <Typography.Text type="danger" strong>
              {summary.discountPercent}%
            </Typography.Text>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('sales.approval.statusLabel')}>
          <Tag color={STATUS_COLOR[a.status]}>{t(`sales.approval.status.${a.status}`)}</Tag>
        </Descriptions.Item>
      </Descriptions>
      <ApprovalSteps r={a} />
      {a.canAct && (
        <div style={{ position: 'sticky', bottom: 0, background: '#fff', paddingTop: 8 }}>
          <Input.TextArea
            rows={3}
            value={comment}
            onChange={(e) => setComment(e.target.value)}
            placeholder={t('sales.approval.commentHint')}
            data-testid="approval-comment"
            style={{ marginBottom: 8 }}
          />
          <Space.Compact block>
            <Button
              type="primary"
              icon={<CheckOutlined />}
              loading={decide.isPending}
              onClick={() => decide.mutate('approve')}
              data-testid="approve"
              style={{ flex: 1 }}
            >
              {t('sales.approval.approve')}
            </Button>
            <Button
              icon={<RollbackOutlined />}
              loading={decide.isPending}
              onClick={() => decide.mutate('return')}
              data-testid="return"
              style={{ flex: 1 }}
            >
              {t('sales.approval.return')}
            </Button>
            <Button
              danger
              icon={<CloseOutlined />}
              loading={decide.isPending}
              onClick={() => decide.mutate('reject')}
              data-testid="reject"
              style={{ flex: 1 }}
            >
              {t('sales.approval.reject')}
            </Button>
          </Space.Compact>
        </div>
      )}
    </div>
  );
}
