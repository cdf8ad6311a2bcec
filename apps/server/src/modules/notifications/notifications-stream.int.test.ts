import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { type Client, login, newTenant, useTestEnv } from '../../testing/harness.ts';
import { notify } from './notifications.service.ts';

const env = useTestEnv();

interface Frame {
  event: string;
  id?: string;
  data: any;
}

/** An open event stream, read frame by frame as the browser's EventSource would. */
async function openStream(client: Client, lastEventId?: string) {
  const abort = new AbortController();
  const res = await fetch(`${env.baseUrl}/api/v1/notifications/stream`, {
    headers: { cookie: client.cookie, ...(lastEventId ? { 'last-event-id': lastEventId } : {}) },
    signal: abort.signal,
  });
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') ?? '', /^text\/event-stream/);
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  const frames: Frame[] = [];
  async function next(): Promise<Frame> {
    for (;;) {
      const frame = frames.shift();
      if (frame) return frame;
      const cut = buffer.indexOf('\n\n');
      if (cut >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const f: Partial<Frame> = {};
        for (const line of block.split('\n')) {
          if (line.startsWith('event: ')) f.event = line.slice(7);
          else if (line.startsWith('id: ')) f.id = line.slice(4);
          else if (line.startsWith('data: ')) f.data = JSON.parse(line.slice(6));
        }
        if (f.event) frames.push(f as Frame);
        continue;
      }
      const { value, done } = await reader.read();
      if (done) throw new Error('stream ended');
      buffer += value;
    }
  }
  const ready = await next();
  assert.equal(ready.event, 'ready');
  return { next, ready: ready.data, close: () => abort.abort() };
}

const title = (t: string) => ({ 'zh-CN': t, 'en-US': t });

describe('notification stream (SSE over LISTEN/NOTIFY)', () => {
  it('delivers a user’s notification to that user alone, after commit, and catches up after a reconnect', async () => {
    const seed = await newTenant(env, 0);
    const other = await newTenant(env, 0);
    const users = async (tenantId: string) =>
      new Map(
        (
          await inTenant(env.database.db, tenantId, (tx) =>
            sql<{ id: string; login: string }>`select id, login from users`.execute(tx),
          )
        ).rows.map((u) => [u.login, u.id]),
      );
    const ids = await users(seed.tenantId);
    const otherIds = await users(other.tenantId);
    const send = (tenantId: string, userId: string, t: string) =>
      inTenant(env.database.db, tenantId, (tx) =>
        notify(tx, tenantId, { userIds: [userId], kind: 'test', title: title(t) }),
      );

    const a = await openStream(await login(env, seed.slug, 'sun.lei'));
    const b = await openStream(await login(env, seed.slug, 'zhao.jing'));
    const elsewhere = await openStream(await login(env, other.slug, 'sun.lei'));

    const [first] = await send(seed.tenantId, ids.get('sun.lei')!, '王先生正在看《报价单》');
    const got = await a.next();
    assert.equal(got.event, 'notification');
    assert.equal(got.id, first);
    assert.equal(got.data.title, '王先生正在看《报价单》');
    assert.equal(got.data.readAt, null);

    // Neither B nor the same login in another tenant got it: their next frame is their own.
    await send(seed.tenantId, ids.get('zhao.jing')!, 'B 的通知');
    assert.equal((await b.next()).data.title, 'B 的通知');
    await send(other.tenantId, otherIds.get('sun.lei')!, '另一个租户');
    assert.equal((await elsewhere.next()).data.title, '另一个租户');

    // A notification whose transaction rolls back is never announced.
    await inTenant(env.database.db, seed.tenantId, async (tx) => {
      await notify(tx, seed.tenantId, { userIds: [ids.get('sun.lei')!], kind: 'test', title: title('撤销') });
      throw new Error('rollback');
    }).catch(() => {});
    await send(seed.tenantId, ids.get('sun.lei')!, '第二条');
    assert.equal((await a.next()).data.title, '第二条');

    // Reconnect with Last-Event-ID: what came while away arrives first, in order.
    a.close();
    await send(seed.tenantId, ids.get('sun.lei')!, '离线时 1');
    await send(seed.tenantId, ids.get('sun.lei')!, '离线时 2');
    const again = await openStream(await login(env, seed.slug, 'sun.lei'), first);
    assert.equal(again.ready.unread, 4);
    assert.deepEqual(
      [(await again.next()).data.title, (await again.next()).data.title, (await again.next()).data.title],
      ['第二条', '离线时 1', '离线时 2'],
    );
    for (const s of [again, b, elsewhere]) s.close();
  });

  it('refuses a caller without a session', async () => {
    const res = await fetch(`${env.baseUrl}/api/v1/notifications/stream`);
    assert.equal(res.status, 401);
  });
});
