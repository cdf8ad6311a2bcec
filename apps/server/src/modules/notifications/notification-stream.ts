import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { isUuid } from '../../core/ids.ts';
import { listenerFor, type StreamSubscriber } from './notification-listener.ts';
import { unreadCount } from './notifications.service.ts';

/** Proxies and load balancers drop a silent connection after 30–60 s: a comment keeps it open. */
const HEARTBEAT_MS = 20_000;
/** How many missed notifications a reconnect catches up on (the bell's list holds the rest). */
const CATCH_UP = 50;

const iso = (d: unknown) => (d ? new Date(d as string).toISOString() : null);

/** Notifications of one user newer than `after` (ids are time-ordered), or the one named. */
async function load(tx: Tx, tenantId: string, userId: string, q: { id?: string; after?: string }) {
  const rows = (
    await sql<any>`select * from notifications where tenant_id = ${tenantId} and user_id = ${userId}
      and (${q.id ?? null}::uuid is null or id = ${q.id ?? null}::uuid)
      and (${q.after ?? null}::uuid is null or id > ${q.after ?? null}::uuid)
      order by id limit ${CATCH_UP}`.execute(tx)
  ).rows;
  return rows.map((r) => ({
    id: r.id as string,
    kind: r.kind,
    title: r.title,
    body: r.body,
    link: r.link,
    object: r.object,
    recordId: r.record_id,
    data: r.data,
    readAt: iso(r.read_at),
    createdAt: iso(r.created_at),
  }));
}

const frame = (event: string, data: unknown, id?: string) =>
  `${id ? `id: ${id}\n` : ''}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

/**
 * `GET /notifications/stream`: Server-Sent Events of the caller's own notifications as their
 * transactions commit (LISTEN/NOTIFY), `ready` with the unread count first, a heartbeat
 * comment every 20 s, and on reconnect (Last-Event-ID) what was missed in between.
 */
export const notificationStreamRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/notifications/stream',
    permission: 'authenticated',
    summary:
      'My notifications as they happen (Server-Sent Events: ready, notification; Last-Event-ID catches up)',
    tags: ['notifications'],
    file: ['text/event-stream'],
    probe: { skip: 'an open event stream; notifications-stream.int.test.ts checks it reaches only its user' },
    async handler(req, reply) {
      const { tenantId, userId } = req.principal;
      const database = req.database;
      const lastHeader = req.raw.headers['last-event-id'];
      const last = typeof lastHeader === 'string' && isUuid(lastHeader) ? lastHeader : undefined;
      const unread = await req.tx((tx) => unreadCount(tx, tenantId, userId), { readOnly: true });

      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
        'x-content-type-options': 'nosniff',
      });
      res.write(`retry: 3000\n${frame('ready', { unread })}`);

      const sent = new Set<string>();
      let chain: Promise<void> = Promise.resolve();
      let open = true;
      const send = (q: { id?: string; after?: string }) => {
        chain = chain
          .then(async () => {
            if (!open) return;
            const items = await inTenant(database.db, tenantId, (tx) => load(tx, tenantId, userId, q), {
              readOnly: true,
            });
            for (const n of items) {
              if (!open || sent.has(n.id)) continue;
              sent.add(n.id);
              res.write(frame('notification', n, n.id));
            }
          })
          .catch(() => {});
      };
      const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
      heartbeat.unref();
      const listener = listenerFor(database);
      const subscriber: StreamSubscriber = {
        tenantId,
        userId,
        push: (id) => send({ id }),
        end: () => res.end(),
      };
      const stop = () => {
        open = false;
        clearInterval(heartbeat);
        listener.remove(subscriber);
      };
      req.raw.raw.on('close', stop);
      // Listen first, then catch up: nothing committed in between is missed (duplicates are skipped).
      await listener.add(subscriber).catch(() => res.end());
      if (last) send({ after: last });
    },
  }),
];

/** Streams would hold the server open: shutdown ends them and gives the listening connection back. */
export async function registerNotificationStream(app: FastifyInstance, database: Database) {
  app.addHook('preClose', async () => {
    await listenerFor(database).close();
  });
}
