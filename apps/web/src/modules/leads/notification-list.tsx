import type { Notification } from '@kehu/contracts/notifications';
import { Empty, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { localTime } from './leads-api';

export type { Notification } from '@kehu/contracts/notifications';

/** The latest notifications in the bell's drawer; unread ones highlighted, a click opens the link. */
export function NotificationList({
  loading,
  items,
  onOpen,
}: {
  loading: boolean;
  items: Notification[] | undefined;
  onOpen: (n: Notification) => void;
}) {
  const { t } = useTranslation();
  if (items && items.length === 0) return <Empty description={t('leads.bell.empty')} />;
  return (
    <List
      loading={loading}
      dataSource={items ?? []}
      renderItem={(n) => (
        <List.Item
          key={n.id}
          style={{
            cursor: n.link ? 'pointer' : undefined,
            background: n.readAt ? undefined : '#e6f4ff',
            paddingInline: 8,
          }}
          onClick={() => onOpen(n)}
          data-testid="notification-item"
        >
          <List.Item.Meta
            title={<Typography.Text strong={!n.readAt}>{n.title}</Typography.Text>}
            description={
              <>
                {n.body && <div>{n.body}</div>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {localTime(n.createdAt)}
                </Typography.Text>
              </>
            }
          />
        </List.Item>
      )}
    />
  );
}
