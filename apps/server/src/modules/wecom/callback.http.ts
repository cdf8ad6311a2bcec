import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { sql } from 'kysely';
import type { Database } from '../../core/db/database.ts';
import { inTenant } from '../../core/db/tenant-scope.ts';
import { newId } from '../../core/ids.ts';
import { kick } from '../../core/jobs/queue.ts';
import {
  CallbackCryptoError,
  decrypt,
  openCallback,
  verifySignature,
  type XmlFields,
} from './connector/callback-crypto.ts';
import { corpByKey } from './corps.service.ts';

/**
 * `/wecom/callback/:corpKey` — WeCom's callback protocol, outside /api/v1.
 * GET: URL verification (answer the decrypted echostr). POST: verify, decrypt, store the message
 * in `wecom_callbacks`, queue its processing in the same transaction, answer — nothing else
 * happens before the answer, so it stays well under WeCom's 5 s (and our 1 s) and a crash after
 * the commit loses nothing. A forged signature is a 401 and stores nothing; a retried or replayed
 * delivery hits the unique event key and is answered without a second row or job.
 */
export const CALLBACK_QUEUE = 'wecom:callback';
const BODY_LIMIT = 256 * 1024;

type Q = { msg_signature?: string; timestamp?: string; nonce?: string; echostr?: string };

/** WeCom's identity of an event: its kind, the ids it is about and its CreateTime. */
export function eventKey(f: XmlFields): string {
  return [
    f.InfoType ?? f.Event ?? f.MsgType ?? '',
    f.ChangeType ?? '',
    f.UserID ?? f.FromUserName ?? '',
    f.ExternalUserID ?? '',
    f.ChatId ?? '',
    f.TagType ?? '',
    f.Id ?? '',
    f.UpdateDetail ?? '',
    f.FailReason ?? '',
    f.CreateTime ?? '',
    // Every add carries a fresh WelcomeCode: a delete and re-add within one second is a new event, a replay is not.
    ...(f.WelcomeCode ? [f.WelcomeCode] : []),
    // Group member changes within one second differ only by the member version.
    ...(f.CurMemVer ? [f.CurMemVer] : []),
  ].join('|');
}

export async function storeCallback(
  database: Database,
  tenantId: string,
  corpRef: string,
  message: string,
  f: XmlFields,
): Promise<boolean> {
  // One statement: the raw message and its job, or neither when the event is already known.
  // (enqueue() of core/jobs/queue.ts, inlined as the CDP's ingestion does: one round trip less.)
  const stored = await inTenant(database.db, tenantId, async (tx) => {
    const r = await sql<{ n: number }>`with cb as (
        insert into wecom_callbacks (tenant_id, id, corp_ref, event_key, event, change_type, message)
        values (${tenantId}, ${newId()}, ${corpRef}, ${eventKey(f)}, ${f.Event ?? f.InfoType ?? f.MsgType ?? ''},
          ${f.ChangeType ?? null}, ${message})
        on conflict do nothing returning id),
      job as (insert into jobs (tenant_id, id, queue, payload, max_attempts)
        select ${tenantId}, ${newId()}, ${CALLBACK_QUEUE}, jsonb_build_object('id', cb.id), 8 from cb returning 1)
      select count(*)::int as n from job`.execute(tx);
    return (r.rows[0]?.n ?? 0) > 0;
  });
  if (stored) kick();
  return stored;
}

export async function registerCallbacks(app: FastifyInstance, database: Database): Promise<void> {
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_req, body, done) =>
      done(null, body),
    );

    scope.get('/wecom/callback/:corpKey', async (req: FastifyRequest, reply: FastifyReply) => {
      const { corpKey } = req.params as { corpKey: string };
      const q = req.query as Q;
      const corp = await corpByKey(database, corpKey);
      if (!corp) return reply.status(404).type('text/plain').send('not found');
      if (!q.echostr || !verifySignature(corp.callback, q, q.echostr))
        return reply.status(401).type('text/plain').send('bad signature');
      try {
        return reply.type('text/plain').send(decrypt(corp.callback, q.echostr));
      } catch {
        return reply.status(400).type('text/plain').send('bad echostr');
      }
    });

    scope.post('/wecom/callback/:corpKey', async (req: FastifyRequest, reply: FastifyReply) => {
      const { corpKey } = req.params as { corpKey: string };
      const corp = await corpByKey(database, corpKey);
      if (!corp) return reply.status(404).type('text/plain').send('not found');
      let opened: ReturnType<typeof openCallback>;
      try {
        opened = openCallback(corp.callback, req.query as Q, String(req.body ?? ''));
      } catch (err) {
        if (err instanceof CallbackCryptoError) {
          const status = err.code === 'bad_signature' || err.code === 'bad_receiver' ? 401 : 400;
          return reply.status(status).type('text/plain').send(err.code);
        }
        throw err;
      }
      await storeCallback(database, corp.tenantId, corp.corpRef, opened.message, opened.fields);
      return reply.type('text/plain').send('success');
    });
  });
}
