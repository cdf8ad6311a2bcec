import { TOP } from '../../engine/home-cards.ts';
import type { HomeCard, HomeCardContext } from '../../engine/module.ts';
import { listNotifications } from './notifications.service.ts';

/** Home card ("my day") of the notification centre: my recent notifications, for everyone. */
async function recentNotifications({ tx, principal: p }: HomeCardContext) {
  const r = await listNotifications(tx, p.tenantId, p.userId, { limit: TOP });
  return {
    unread: r.unread,
    items: r.items.map((n) => ({
      id: n.id,
      kind: n.kind,
      title: n.title,
      body: n.body,
      link: n.link,
      readAt: n.readAt,
      createdAt: n.createdAt,
    })),
  };
}

export const notificationHomeCards: HomeCard[] = [
  { key: 'notifications', order: 90, visible: () => true, load: recentNotifications },
];
