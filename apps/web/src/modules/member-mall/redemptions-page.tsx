import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Input, Popconfirm, Popover, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import {
  actOn,
  mallKeys,
  REDEMPTION_STATUSES,
  type Redemption,
  type RedemptionStatus,
  useRedemptions,
} from './member-mall-api';

const P = 'member-mall.redemptions';
const COLORS: Partial<Record<RedemptionStatus, string>> = {
  pending_shipment: 'orange',
  pending_service: 'orange',
  shipped: 'blue',
  received: 'green',
  served: 'green',
  issued: 'green',
};
const PAGE = 20;

/**
 * 兑换订单: ship with a tracking number, confirm, serve, cancel (points and stock go back; a coupon
 * reward's unused coupon is voided — a used one is refused by the server with its own message).
 */
export function RedemptionsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const [status, setStatus] = useState<RedemptionStatus | undefined>();
  const [page, setPage] = useState(1);
  const list = useRedemptions({ status, limit: PAGE, offset: (page - 1) * PAGE });
  const fulfil = can('member_mall:fulfil');
  const act = async (r: Redemption, action: 'ship' | 'receive' | 'serve' | 'cancel', extra = {}) => {
    try {
      await actOn(r.id, { action, version: r.version, ...extra });
      await qc.invalidateQueries({ queryKey: mallKeys.all });
      message.success(t(`${P}.done`));
    } catch (e) {
      message.error(errorMessage(e));
    }
  };
  return (
    <div className="kehu-page" data-testid="mall-redemptions">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t(`${P}.title`)}
        </Typography.Title>
        <Select
          allowClear
          placeholder={t(`${P}.all`)}
          style={{ minWidth: 140 }}
          value={status}
          onChange={(v) => {
            setStatus(v);
            setPage(1);
          }}
          options={REDEMPTION_STATUSES.map((s) => ({ value: s, label: t(`${P}.statuses.${s}`) }))}
        />
      </div>
      <Typography.Paragraph type="secondary">{t(`${P}.intro`)}</Typography.Paragraph>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            locale={{ emptyText: t(`${P}.empty`) }}
            pagination={{
              current: page,
              pageSize: PAGE,
              total: list.data?.total ?? 0,
              onChange: setPage,
              showSizeChanger: false,
            }}
            columns={[
              {
                title: t(`${P}.cols.time`),
                dataIndex: 'createdAt',
                render: (v: string) => new Date(v).toLocaleString(),
              },
              { title: t(`${P}.cols.reward`), dataIndex: 'rewardName' },
              {
                title: t(`${P}.cols.member`),
                key: 'm',
                render: (_, r) => r.memberNo ?? r.memberId.slice(0, 8),
              },
              { title: t(`${P}.cols.points`), dataIndex: 'points' },
              {
                title: t(`${P}.cols.status`),
                dataIndex: 'status',
                render: (s: RedemptionStatus) => <Tag color={COLORS[s]}>{t(`${P}.statuses.${s}`)}</Tag>,
              },
              {
                title: t(`${P}.cols.shipping`),
                key: 'ship',
                render: (_, r) =>
                  r.shipping ? `${r.shipping.name} ${r.shipping.phone} ${r.shipping.address}` : '—',
              },
              {
                title: t(`${P}.cols.tracking`),
                key: 'track',
                render: (_, r) => r.trackingNo ?? r.couponCode ?? '—',
              },
              {
                key: 'actions',
                render: (_, r) => fulfil && <Actions r={r} act={act} />,
              },
            ]}
          />
        </Card>
      )}
    </div>
  );
}

function Actions({
  r,
  act,
}: {
  r: Redemption;
  act: (r: Redemption, a: 'ship' | 'receive' | 'serve' | 'cancel', extra?: object) => Promise<void>;
}) {
  const { t } = useTranslation();
  const [tracking, setTracking] = useState('');
  const [reason, setReason] = useState('');
  return (
    <Space wrap size={4}>
      {r.status === 'pending_shipment' && (
        <Popover
          trigger="click"
          content={
            <Space.Compact>
              <Input
                placeholder={t(`${P}.trackingNo`)}
                value={tracking}
                onChange={(e) => setTracking(e.target.value)}
                maxLength={60}
                aria-label={t(`${P}.trackingNo`)}
              />
              <Button
                type="primary"
                disabled={!tracking.trim()}
                onClick={() => act(r, 'ship', { trackingNo: tracking.trim() })}
              >
                {t(`${P}.ship`)}
              </Button>
            </Space.Compact>
          }
        >
          <Button size="small" type="link">
            {t(`${P}.ship`)}
          </Button>
        </Popover>
      )}
      {r.status === 'shipped' && (
        <Button size="small" type="link" onClick={() => act(r, 'receive')}>
          {t(`${P}.receive`)}
        </Button>
      )}
      {r.status === 'pending_service' && (
        <Button size="small" type="link" onClick={() => act(r, 'serve')}>
          {t(`${P}.serve`)}
        </Button>
      )}
      {(r.status === 'pending_shipment' || r.status === 'pending_service' || r.status === 'issued') && (
        <Popconfirm
          title={t(r.kind === 'coupon' ? `${P}.cancelCouponConfirm` : `${P}.cancelConfirm`)}
          description={
            <Input
              placeholder={t(`${P}.reason`)}
              value={reason}
              onChange={(e) => setReason(e.target.value)}
              maxLength={200}
            />
          }
          onConfirm={() => act(r, 'cancel', reason.trim() ? { reason: reason.trim() } : {})}
        >
          <Button size="small" type="link" danger>
            {t(`${P}.cancel`)}
          </Button>
        </Popconfirm>
      )}
    </Space>
  );
}
