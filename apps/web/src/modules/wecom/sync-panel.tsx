import { SyncOutlined } from '@ant-design/icons';
import type { SyncStatus } from '@kehu/contracts/wecom-sync';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Progress, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { useCorps } from './wecom-api';

const syncKey = (corpRef: string) => ['wecom', 'sync', corpRef] as const;
const when = (iso: string | null, lang: string) =>
  iso
    ? new Date(iso).toLocaleString(lang, {
        month: 'numeric',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
      })
    : '—';

/** Last reconciliation of one corp; polls every second while a run is queued or going. */
export function useSyncStatus(corpRef: string) {
  return useQuery({
    queryKey: syncKey(corpRef),
    queryFn: () => http.get<SyncStatus>(`/wecom/corps/${corpRef}/sync`),
    refetchInterval: (q) =>
      q.state.data?.pending || q.state.data?.runs[0]?.status === 'running' ? 1000 : false,
  });
}

/** One line: what the last sync did (or is doing, with a bar), and when the next ones are due. */
export function SyncLine({ corpRef }: { corpRef: string }) {
  const { t, i18n } = useTranslation();
  const s = useSyncStatus(corpRef).data;
  const last = s?.runs[0];
  if (!s) return null;
  if (!last) return <Typography.Text type="secondary">{t('wecom.sync.never')}</Typography.Text>;
  return (
    <Space direction="vertical" size={0} data-testid="sync-status">
      {last.status === 'running' ? (
        <>
          <Typography.Text>
            {t('wecom.sync.running', { done: last.staffDone, total: last.staffTotal })}
          </Typography.Text>
          <Progress
            size="small"
            percent={last.staffTotal ? Math.round((last.staffDone / last.staffTotal) * 100) : 0}
            style={{ width: 160, margin: 0 }}
          />
        </>
      ) : (
        <Typography.Text type={last.status === 'failed' ? 'danger' : undefined}>
          {t(last.status === 'ok' ? 'wecom.sync.ok' : 'wecom.sync.failed', {
            at: when(last.finishedAt ?? last.startedAt, i18n.language),
            added: last.contactsAdded,
            error: last.error ?? '',
          })}
        </Typography.Text>
      )}
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('wecom.sync.next', {
          full: when(s.nextFullAt, i18n.language),
          light: when(s.nextLightAt, i18n.language),
        })}
      </Typography.Text>
    </Space>
  );
}

/** 同步 for one corp: queues a full run, then the line shows its progress. */
export function SyncButton({ corpRef, label }: { corpRef: string; label?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const status = useSyncStatus(corpRef).data;
  // Queued is not busy: a run queued at binding waits a little, and a click brings it forward.
  const running = status?.runs[0]?.status === 'running';
  const busy = running || !!status?.pending;
  const go = useMutation({
    mutationFn: () => http.post(`/wecom/corps/${corpRef}/sync`, { mode: 'full' }),
    onSuccess: () => {
      message.success(t('wecom.sync.queued'));
      void qc.invalidateQueries({ queryKey: syncKey(corpRef) });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Button
      icon={<SyncOutlined spin={busy} />}
      loading={go.isPending}
      disabled={running}
      onClick={() => go.mutate()}
      data-testid="wecom-sync"
    >
      {label ?? t('wecom.sync.now')}
    </Button>
  );
}

/** For the groups page: per bound corp, its sync line and (for managers) the button. */
export function CorpsSyncBar() {
  const { can } = useSession();
  const corps = useCorps().data?.items ?? [];
  if (!corps.length) return null;
  return (
    <Space direction="vertical" style={{ width: '100%', marginBottom: 12 }}>
      {corps.map((c) => (
        <Space key={c.id} wrap align="center">
          <Typography.Text strong>{c.name}</Typography.Text>
          {can('wecom:manage') && <SyncButton corpRef={c.id} />}
          <SyncLine corpRef={c.id} />
        </Space>
      ))}
    </Space>
  );
}

/** For the activity page: 拉取数据 per corp (pulls behaviour and group figures now; the button spins meanwhile). */
export function ActivityPullBar({ onPulled }: { onPulled: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const corps = useCorps().data?.items ?? [];
  const pull = useMutation({
    mutationFn: (corpRef: string) =>
      http.post<{ staff: number; days: number }>(`/wecom/corps/${corpRef}/activity/pull?days=7`),
    onSuccess: (r) => {
      message.success(t('wecom.sync.pulled', r));
      onPulled();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  if (!can('wecom:manage') || !corps.length) return null;
  return (
    <Space wrap>
      {corps.map((c) => (
        <Button
          key={c.id}
          icon={<SyncOutlined spin={pull.isPending && pull.variables === c.id} />}
          loading={pull.isPending && pull.variables === c.id}
          onClick={() => pull.mutate(c.id)}
          data-testid="activity-pull"
        >
          {corps.length > 1 ? `${t('wecom.sync.pull')} · ${c.name}` : t('wecom.sync.pull')}
        </Button>
      ))}
    </Space>
  );
}
