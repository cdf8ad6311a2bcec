import { SwapOutlined } from '@ant-design/icons';
import type { TransferStarted } from '@kehu/contracts/wecom';
import type { TransferCandidates } from '@kehu/contracts/wecom-transfers';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Input, Select, Space, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { Staff } from './wecom-api';

/** 在职继承: pick an active member's customers (with WeCom's remaining quota each) → a colleague. */
export function OnjobTransferCard(props: {
  corpRef: string;
  staff: Staff[];
  handover?: string;
  /** Pre-ticked when coming from a contact's row. */
  customer?: string;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [handover, setHandover] = useState<string | undefined>(props.handover);
  const [takeover, setTakeover] = useState<string>();
  const [text, setText] = useState('');
  const [selected, setSelected] = useState<string[]>(props.customer ? [props.customer] : []);
  const candidates = useQuery({
    queryKey: ['wecom', 'transfer-candidates', props.corpRef, handover],
    queryFn: () =>
      http.get<TransferCandidates>(
        `/wecom/corps/${props.corpRef}/staff/${encodeURIComponent(handover!)}/transfer-candidates`,
      ),
    enabled: !!handover,
  });
  const start = useMutation({
    mutationFn: () =>
      http.post<TransferStarted>('/wecom/transfers', {
        corpRef: props.corpRef,
        kind: 'onjob',
        handoverUserid: handover,
        takeoverUserid: takeover,
        externalUserids: selected,
        ...(text.trim() ? { message: text.trim() } : {}),
      }),
    onSuccess: (r) => {
      message.success(t('wecom.transfers.started', { count: r.started }));
      if (r.refused.length)
        message.warning(
          t('wecom.onjob.refused', {
            count: r.refused.length,
            reasons: [...new Set(r.refused.map((x) => x.reason ?? String(x.errcode)))].join('；'),
          }),
        );
      setSelected([]);
      void qc.invalidateQueries({ queryKey: ['wecom'] });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const active = props.staff.filter((s) => s.active);
  return (
    <Card size="small" title={t('wecom.onjob.title')} style={{ marginBottom: 16 }} data-testid="wecom-onjob">
      <Alert type="info" showIcon message={t('wecom.onjob.hint')} style={{ marginBottom: 12 }} />
      <Space wrap style={{ marginBottom: 12 }}>
        <Select
          style={{ minWidth: 200 }}
          placeholder={t('wecom.onjob.pickHandover')}
          value={handover}
          onChange={(v) => {
            setHandover(v);
            setSelected([]);
          }}
          options={active.map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
          data-testid="onjob-handover"
        />
        <Select
          style={{ minWidth: 200 }}
          placeholder={t('wecom.onjob.takeover')}
          value={takeover}
          onChange={setTakeover}
          options={active
            .filter((s) => s.userid !== handover)
            .map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
        />
        <Input
          style={{ width: 280, maxWidth: '100%' }}
          maxLength={200}
          placeholder={t('wecom.onjob.message')}
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
        <Button
          type="primary"
          icon={<SwapOutlined />}
          disabled={!handover || !takeover || !selected.length}
          loading={start.isPending}
          onClick={() => start.mutate()}
        >
          {t('wecom.onjob.start')}
        </Button>
      </Space>
      <Table
        rowKey="externalUserid"
        size="small"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        loading={candidates.isFetching}
        dataSource={handover ? (candidates.data?.items ?? []) : []}
        locale={{ emptyText: handover ? t('wecom.onjob.none') : t('wecom.onjob.pickFirst') }}
        scroll={{ x: 'max-content' }}
        rowSelection={{
          selectedRowKeys: selected,
          onChange: (keys) => setSelected(keys as string[]),
          getCheckboxProps: (r) => ({ disabled: r.remainingTransfers === 0 }),
        }}
        columns={[
          {
            title: t('wecom.contacts.name'),
            dataIndex: 'name',
            render: (v: string | null, r) => v ?? r.externalUserid,
          },
          {
            title: t('wecom.onjob.remaining'),
            dataIndex: 'remainingTransfers',
            render: (n: number) => <Tag color={n === 0 ? 'red' : n === 1 ? 'orange' : 'green'}>{n} / 2</Tag>,
          },
        ]}
      />
    </Card>
  );
}
