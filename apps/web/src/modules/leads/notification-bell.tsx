import { BellOutlined } from '@ant-design/icons';
import type { NotificationList as Notifications, UnreadCount } from '@kehu/contracts/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Badge, Button, Drawer } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { http } from '../../shared/api-client';
import { lazyPage } from '../../shared/lazy-page';

// The list is on screen only when someone opens the bell; the bell itself is on every page.
const NotificationList = lazyPage(() => import('./notification-list'), 'NotificationList');

/** Top-bar bell: unread badge (polled), drawer with the latest notifications. */
export function NotificationBell() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const count = useQuery({
    queryKey: ['notifications', 'count'],
    queryFn: () => http.get<UnreadCount>('/notifications/unread-count'),
    refetchInterval: 15_000,
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
            <NotificationList
              loading={list.isPending}
              items={list.data?.items}
              onOpen={(n) => {
                if (!n.readAt) read.mutate(n.id);
                if (n.link) {
                  setOpen(false);
                  navigate(
                    n.link.startsWith('/o/lead/') ? n.link.replace('/o/lead/', '/leads/inbox/') : n.link,
                  );
                }
              }}
            />
          </Suspense>
        )}
      </Drawer>
    </>
  );
}
