import { SwapOutlined, SyncOutlined } from '@ant-design/icons';
import type { TransferList, TransferStarted, Unassigned } from '@kehu/contracts/wecom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Select, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { GroupTransferCard } from './group-transfer-card';
import { OnjobTransferCard } from './onjob-transfer-card';
import { useCorps, useStaff } from './wecom-api';

const STATUS_COLOR: Record<number, string> = { 0: 'red', 1: 'green', 2: 'blue', 3: 'orange', 4: 'red' };

/** 离职继承 from the unassigned list, and the transfers' progress (WeCom completes them later). */
export function TransfersPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const corps = useCorps();
  // The disable-user prompt links here with ?corp=&handover= to land on that member's customers.
  const [params] = useSearchParams();
  const handoverParam = params.get('handover') ?? undefined;
  const [picked, setPicked] = useState<string | null>(params.get('corp'));
  const corpRef = picked ?? corps.data?.items[0]?.id ?? null;
  const staff = useStaff(corpRef);
  const [takeover, setTakeover] = useState<Record<string, string>>({});
  const open = useQuery({
    queryKey: ['wecom', 'unassigned', corpRef],
    queryFn: () => http.get<Unassigned>(`/wecom/corps/${corpRef}/unassigned`),
    enabled: !!corpRef,
  });
  const transfers = useQuery({
    queryKey: ['wecom', 'transfers', corpRef],
    queryFn: () => http.get<TransferList>(`/wecom/corps/${corpRef}/transfers`),
    enabled: !!corpRef,
  });
  const refresh = () => qc.invalidateQueries({ queryKey: ['wecom'] });
  const start = useMutation({
    mutationFn: (v: { handoverUserid: string; takeoverUserid: string }) =>
      http.post<TransferStarted>('/wecom/transfers', { corpRef, kind: 'resigned', ...v }),
    onSuccess: (r) => {
      message.success(t('wecom.transfers.started', { count: r.started }));
      void refresh();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const poll = useMutation({
    mutationFn: () => http.post<{ completed: number }>(`/wecom/corps/${corpRef}/transfers/poll`),
    onSuccess: (r) => {
      message.success(t('wecom.transfers.completed', { count: r.completed }));
      void refresh();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const leavers = [...new Set((open.data?.items ?? []).map((i) => i.handoverUserid))];
  const active = (staff.data?.items ?? []).filter((s) => s.active);
  return (
    <div className="kehu-page" data-testid="wecom-transfers">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.transfers.title')}
        </Typography.Title>
        <Space wrap>
          <Select
            style={{ minWidth: 180 }}
            value={corpRef ?? undefined}
            onChange={setPicked}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
          <Button
            icon={<SyncOutlined />}
            loading={poll.isPending}
            onClick={() => poll.mutate()}
            disabled={!corpRef}
          >
            {t('wecom.transfers.poll')}
          </Button>
        </Space>
      </div>
      {corpRef && staff.data && (
        <OnjobTransferCard
          key={`${corpRef}-${handoverParam ?? ''}`}
          corpRef={corpRef}
          staff={staff.data.items}
          handover={handoverParam}
          customer={params.get('customer') ?? undefined}
        />
      )}
      {open.error ? (
        <ErrorResult error={open.error} onRetry={() => open.refetch()} />
      ) : (
        <Card size="small" title={t('wecom.transfers.unassigned')} style={{ marginBottom: 16 }}>
          <Table
            rowKey={(h) => h}
            size="small"
            pagination={false}
            loading={open.isPending && !!corpRef}
            dataSource={leavers}
            locale={{ emptyText: t('wecom.transfers.none') }}
            columns={[
              { title: t('wecom.transfers.handover'), render: (_: unknown, h: string) => h },
              {
                title: t('wecom.transfers.customers'),
                render: (_: unknown, h: string) =>
                  (open.data?.items ?? []).filter((i) => i.handoverUserid === h).length,
              },
              {
                title: t('wecom.transfers.takeover'),
                render: (_: unknown, h: string) => (
                  <Space wrap>
                    <Select
                      style={{ minWidth: 160 }}
                      value={takeover[h]}
                      onChange={(v) => setTakeover({ ...takeover, [h]: v })}
                      options={active.map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
                    />
                    <Button
                      type="primary"
                      icon={<SwapOutlined />}
                      disabled={!takeover[h]}
                      loading={start.isPending}
                      onClick={() => start.mutate({ handoverUserid: h, takeoverUserid: takeover[h]! })}
                    >
                      {t('wecom.transfers.transfer')}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
      {corpRef && staff.data && (
        <GroupTransferCard corpRef={corpRef} staff={staff.data.items} handover={handoverParam} />
      )}
      <Card
        size="small"
        title={t('wecom.transfers.history')}
        styles={{ body: { padding: 0, overflowX: 'auto' } }}
      >
        <Table
          rowKey="id"
          size="small"
          pagination={false}
          loading={transfers.isPending && !!corpRef}
          dataSource={transfers.data?.items ?? []}
          scroll={{ x: 'max-content' }}
          columns={[
            {
              title: t('wecom.contacts.name'),
              dataIndex: 'name',
              render: (v: string | null, r) => v ?? r.externalUserid,
            },
            { title: t('wecom.transfers.handover'), dataIndex: 'handoverUserid' },
            { title: t('wecom.transfers.takeover'), dataIndex: 'takeoverUserid' },
            {
              title: t('wecom.contacts.status'),
              dataIndex: 'status',
              render: (s: number, r) => (
                <Tag color={STATUS_COLOR[s]}>
                  {t(`wecom.transfers.status_${s}`)}
                  {s === 0 ? ` ${r.errcode}` : ''}
                  {r.failReason ? ` · ${t(`wecom.onjob.failReason_${r.failReason}`)}` : ''}
                </Tag>
              ),
            },
            {
              title: t('wecom.contacts.addedAt'),
              dataIndex: 'createdAt',
              responsive: ['md'],
              render: (v: string) => new Date(v).toLocaleString(),
            },
          ]}
        />
      </Card>
    </div>
  );
}
