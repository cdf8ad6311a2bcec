import type { GroupTransferResult } from '@kehu/contracts/wecom-transfers';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Radio, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { useGroups } from './groups-api';
import type { Staff } from './wecom-api';

/** Group owner transfer: groupchat/transfer for leavers' groups, groupchat/onjob_transfer otherwise. */
export function GroupTransferCard(props: { corpRef: string; staff: Staff[]; handover?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const groups = useGroups('active');
  const [kind, setKind] = useState<'onjob' | 'resigned'>('onjob');
  const [chatIds, setChatIds] = useState<string[]>([]);
  const [owner, setOwner] = useState<string>();
  const mine = (groups.data?.items ?? []).filter(
    (g) => g.corpRef === props.corpRef && (!props.handover || g.ownerUserid === props.handover),
  );
  const go = useMutation({
    mutationFn: () =>
      http.post<GroupTransferResult>('/wecom/group-transfers', {
        corpRef: props.corpRef,
        kind,
        chatIds,
        newOwner: owner,
      }),
    onSuccess: (r) => {
      message.success(t('wecom.onjob.groupsDone', { count: r.transferred }));
      for (const f of r.failed) message.warning(f.reason);
      setChatIds([]);
      void qc.invalidateQueries({ queryKey: ['wecom'] });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Card size="small" title={t('wecom.onjob.groupsTitle')} style={{ marginBottom: 16 }}>
      <Typography.Paragraph type="secondary">{t('wecom.onjob.groupsHint')}</Typography.Paragraph>
      <Space wrap>
        <Radio.Group
          value={kind}
          onChange={(e) => setKind(e.target.value)}
          options={[
            { value: 'onjob', label: t('wecom.onjob.groupKind_onjob') },
            { value: 'resigned', label: t('wecom.onjob.groupKind_resigned') },
          ]}
        />
        <Select
          mode="multiple"
          style={{ minWidth: 240, maxWidth: '100%' }}
          placeholder={t('wecom.onjob.groupsPick')}
          value={chatIds}
          onChange={setChatIds}
          options={mine.map((g) => ({
            value: g.chatId,
            label: `${g.name} · ${g.ownerName ?? g.ownerUserid}`,
          }))}
        />
        <Select
          style={{ minWidth: 180 }}
          placeholder={t('wecom.onjob.takeover')}
          value={owner}
          onChange={setOwner}
          options={props.staff
            .filter((s) => s.active)
            .map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
        />
        <Button
          type="primary"
          disabled={!chatIds.length || !owner}
          loading={go.isPending}
          onClick={() => go.mutate()}
        >
          {t('wecom.onjob.groupsStart')}
        </Button>
      </Space>
    </Card>
  );
}
