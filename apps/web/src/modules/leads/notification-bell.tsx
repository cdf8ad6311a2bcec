import { BellOutlined } from '@ant-design/icons';
import type { NotificationList as Notifications, UnreadCount } from '@kehu/contracts/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Badge, Button, Drawer } from 'antd';
import { Suspense, useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { API_BASE, http } from '../../shared/api-client';
import { lazyPage } from '../../shared/lazy-page';

// The list is on screen only when someone opens the bell; the bell itself is on every page.
const NotificationList = lazyPage(() => import('./notification-list'), 'NotificationList');

/** Live while the stream is open; the poll is only the fallback for when it is not. */
const FALLBACK_POLL_MS = 60_000;

/**
 * New notifications as they happen (GET /notifications/stream, Server-Sent Events): the badge
 * and list refresh and a toast says what came. EventSource reconnects by itself and sends
 * Last-Event-ID, so nothing missed while away is lost.
 */
function useNotificationStream(onOpen: (n: Notifications['items'][number]) => void) {
  const qc = useQueryClient();
  const { notification } = App.useApp();
  const latestOnOpen = useRef(onOpen);
  latestOnOpen.current = onOpen;
  useEffect(() => {
    if (typeof EventSource === 'undefined') return;
    const source = new EventSource(`${API_BASE}/notifications/stream`, { withCredentials: true });
    source.addEventListener('ready', (e) => {
      const { unread } = JSON.parse((e as MessageEvent).data) as UnreadCount;
      qc.setQueryData<UnreadCount>(['notifications', 'count'], { unread });
    });
    source.addEventListener('notification', (e) => {
      const n = JSON.parse((e as MessageEvent).data) as Notifications['items'][number];
      void qc.invalidateQueries({ queryKey: ['notifications'] });
      notification.info({
        key: n.id,
        message: n.title,
        description: n.body,
        placement: 'topRight',
        duration: 6,
        onClick: () => latestOnOpen.current(n),
        style: n.link ? { cursor: 'pointer' } : undefined,
        props: { 'data-testid': 'notification-toast' } as Record<string, string>,
      });
    });
    return () => source.close();
  }, [qc, notification]);
}

/** Top-bar bell: unread badge (live over SSE, slow poll as fallback), drawer with the latest notifications. */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const count = useQuery({
    queryKey: ['notifications', 'count'],
    queryFn: () => http.get<UnreadCount>('/notifications/unread-count'),
    refetchInterval: FALLBACK_POLL_MS,
  });
  const list = useQuery({
    queryKey: ['notifications', 'list'],
    queryFn: () => http.get<Notifications>('/notifications', { limit: 30 }),
    enabled: open,
  });
  const refresh = () => void qc.invalidateQueries({ queryKey: ['notifications'] });
  const read = useMutation({
    mutationFn: (id: string) => http.post(`/notifications/${id}/read`),
    onSuccess: refresh,
  });
  const readAll = useMutation({ mutationFn: () => http.post('/notifications/read-all'), onSuccess: refresh });
  const openNotification = (n: Notifications['items'][number]) => {
    if (!n.readAt) read.mutate(n.id);
    if (n.link) {
      setOpen(false);
      navigate(n.link.startsWith('/o/lead/') ? n.link.replace('/o/lead/', '/leads/inbox/') : n.link);
    }
  };
  useNotificationStream(openNotification);
  return (
    <>
      <Badge count={count.data?.unread ?? 0} size="small" offset={[-6, 6]}>
        <Button
          type="text"
          icon={<BellOutlined />}
          aria-label={t('leads.bell.title')}
          onClick={() => setOpen(true)}
          data-testid="notification-bell"
        />
      </Badge>
      <Drawer
        open={open}
        onClose={() => setOpen(false)}
        title={t('leads.bell.title')}
        width={Math.min(400, typeof window === 'undefined' ? 400 : window.innerWidth)}
        extra={
          <Button
            size="small"
            onClick={() => readAll.mutate()}
            disabled={!count.data?.unread}
            data-testid="notifications-read-all"
          >
            {t('leads.bell.readAll')}
          </Button>
        }
        data-testid="notification-drawer"
      >
        {open && (
          <Suspense fallback={null}>
            <NotificationList loading={list.isPending} items={list.data?.items} onOpen={openNotification} />
          </Suspense>
        )}
      </Drawer>
    </>
  );
}
