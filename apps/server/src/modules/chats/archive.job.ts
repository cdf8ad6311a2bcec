import { constants, privateDecrypt } from 'node:crypto';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { setConsent } from '../cdp/index.ts';
import { corpRuntime, externalContacts, staffOfCorp, WeComClient } from '../wecom/index.ts';
import { archiveRuntime } from './archive-settings.service.ts';
import { ARCHIVE_QUEUE, schedulePull } from './pull-schedule.ts';
import { applyRules } from './rules.service.ts';

export { ARCHIVE_QUEUE };

import { decryptData, getChatData } from './sidecar-client.ts';
import type { StoredMessage } from './stored-message.ts';

/** The SDK hands out at most 1000 messages per call. */
const BATCH = 1000;
const CONSENT_PURPOSE = 'chat_archive';

let database: Database | null = null;
export function bindArchiveDatabase(d: Database) {
  database = d;
}

const systemActor = (tenantId: string): Actor => ({ tenantId, actorId: null, actorKind: 'system' });

/** The text people read of a message (the rules and the list look at it); null for media. */
function contentOf(m: Record<string, any>): string | null {
  switch (m.msgtype) {
    case 'text':
      return String(m.text?.content ?? '');
    case 'link':
      return [m.link?.title, m.link?.description].filter(Boolean).join(' — ') || null;
    default:
      return null;
  }
}

/**
 * Reads the corp's archive from where it stopped, one SDK batch per transaction: messages are
 * stored by WeCom's msgid (a batch read again after a crash stores nothing twice) and the cursor
 * moves in the same transaction, so a kill at any point loses nothing. Each batch then records
 * the customers' archive consent in the CDP ledger and runs the rules on what is new.
 */
export async function pullArchive(
  tenantId: string,
  corpRef: string,
): Promise<{ stored: number; alerts: number }> {
  if (!database) throw new Error('chats: database not bound');
  const db = database.db;
  let stored = 0;
  let alerts = 0;
  for (;;) {
    const rt = await inTenant(db, tenantId, async (tx) => {
      const a = await archiveRuntime(tx, tenantId, corpRef);
      return a ? { a, corp: await corpRuntime(tx, tenantId, corpRef) } : null;
    });
    if (!rt) return { stored, alerts };
    let batch: Awaited<ReturnType<typeof getChatData>>;
    const messages: Array<{ seq: number; m: Record<string, any> }> = [];
    try {
      batch = await getChatData(
        rt.a.sidecarUrl,
        { corpId: rt.corp.corpId, secret: rt.a.secret },
        rt.a.lastSeq,
        BATCH,
      );
      for (const d of batch) {
        // The per-message key is RSA-encrypted (PKCS#1 v1.5, as WeCom does) for the corp's public key.
        const randomKey = privateDecrypt(
          { key: rt.a.privateKey, padding: constants.RSA_PKCS1_PADDING },
          Buffer.from(d.encrypt_random_key, 'base64'),
        ).toString('utf8');
        messages.push({ seq: d.seq, m: await decryptData(rt.a.sidecarUrl, randomKey, d.encrypt_chat_msg) });
      }
    } catch (e) {
      await inTenant(db, tenantId, (tx) =>
        sql`update chat_archive_settings set last_error = ${String((e as Error).message).slice(0, 300)}
          where tenant_id = ${tenantId} and corp_ref = ${corpRef}`.execute(tx),
      );
      throw e;
    }
    if (!batch.length) {
      await inTenant(db, tenantId, (tx) =>
        sql`update chat_archive_settings set last_pulled_at = now(), last_error = null
          where tenant_id = ${tenantId} and corp_ref = ${corpRef}`.execute(tx),
      );
      return { stored, alerts };
    }
    const fresh = await inTenant(db, tenantId, async (tx) => {
      const rows = await storeBatch(tx, tenantId, corpRef, rt.corp.unitId, messages);
      await sql`update chat_archive_settings set last_seq = greatest(last_seq, ${Math.max(...batch.map((b) => b.seq))}),
          last_pulled_at = now(), last_error = null
        where tenant_id = ${tenantId} and corp_ref = ${corpRef}`.execute(tx);
      return rows;
    });
    stored += fresh.length;
    await recordConsent(tenantId, rt.corp, rt.a.secret, fresh);
    alerts += await inTenant(db, tenantId, (tx) => applyRules(tx, systemActor(tenantId), fresh));
    if (batch.length < BATCH) {
      return { stored, alerts };
    }
  }
}

async function storeBatch(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  corpUnitId: string,
  messages: Array<{ seq: number; m: Record<string, any> }>,
): Promise<StoredMessage[]> {
  const staff = await staffOfCorp(tx, tenantId, corpRef);
  const sides = messages.map(({ m }) => {
    const from = String(m.from ?? '');
    const to = Array.isArray(m.tolist) ? m.tolist.map(String) : [];
    if (staff.has(from))
      return { direction: 'out' as const, staff: from, external: m.roomid ? null : (to[0] ?? null) };
    const peer = to.find((t: string) => staff.has(t)) ?? null;
    return { direction: peer ? ('in' as const) : ('other' as const), staff: peer, external: from || null };
  });
  const externals = await externalContacts(tx, tenantId, corpRef, [
    ...new Set(sides.map((s) => s.external).filter((x): x is string => !!x)),
  ]);
  const rows: StoredMessage[] = messages.map(({ m }, i) => {
    const s = sides[i]!;
    const person = s.staff ? staff.get(s.staff) : undefined;
    return {
      corpRef,
      msgid: String(m.msgid),
      direction: s.direction,
      staffUserid: s.staff,
      externalUserid: s.external,
      staffUserId: person?.userId ?? null,
      unitId: person?.unitId ?? corpUnitId,
      profileId: s.external ? (externals.get(s.external)?.profileId ?? null) : null,
      content: contentOf(m),
      msgtime: new Date(Number(m.msgtime ?? 0)),
    };
  });
  const inserted = (
    await sql<{
      msgid: string;
    }>`insert into chat_messages (tenant_id, corp_ref, msgid, seq, msgtime, msgtype, action,
        direction, staff_userid, external_userid, roomid, content, staff_user_id, unit_id, profile_id, raw)
      select ${tenantId}, ${corpRef}, x.msgid, x.seq, x.msgtime, x.msgtype, x.action, x.direction, x.staff_userid,
        x.external_userid, x.roomid, x.content, x.staff_user_id, x.unit_id, x.profile_id, x.raw
      from jsonb_to_recordset(${JSON.stringify(
        rows.map((r, i) => ({
          msgid: r.msgid,
          seq: messages[i]!.seq,
          msgtime: r.msgtime.toISOString(),
          msgtype: String(messages[i]!.m.msgtype ?? 'unknown'),
          action: String(messages[i]!.m.action ?? 'send'),
          direction: r.direction,
          staff_userid: r.staffUserid,
          external_userid: r.externalUserid,
          roomid: messages[i]!.m.roomid || null,
          content: r.content,
          staff_user_id: r.staffUserId,
          unit_id: r.unitId,
          profile_id: r.profileId,
          raw: messages[i]!.m,
        })),
      )}::jsonb) as x(msgid text, seq bigint, msgtime timestamptz, msgtype text, action text, direction text,
        staff_userid text, external_userid text, roomid text, content text, staff_user_id uuid, unit_id uuid,
        profile_id uuid, raw jsonb)
      on conflict (tenant_id, corp_ref, msgid) do nothing
      returning msgid`.execute(tx)
  ).rows;
  const fresh = new Set(inserted.map((r) => r.msgid));
  return rows.filter((r) => fresh.has(r.msgid));
}

/**
 * Archive consent is WeCom's to ask (the customer taps 同意 in the chat); Kehu asks WeCom once per
 * pair seen in a batch and writes the answer into the consent ledger, where PIPL reports read it.
 */
async function recordConsent(
  tenantId: string,
  corp: Awaited<ReturnType<typeof corpRuntime>>,
  secret: string,
  fresh: StoredMessage[],
): Promise<void> {
  const pairs = new Map<string, { userid: string; external: string; profileId: string }>();
  for (const r of fresh)
    if (r.staffUserid && r.externalUserid && r.profileId)
      pairs.set(`${r.staffUserid}|${r.externalUserid}`, {
        userid: r.staffUserid,
        external: r.externalUserid,
        profileId: r.profileId,
      });
  if (!pairs.size) return;
  const client = new WeComClient(
    database!,
    {
      tenantId,
      corpRef: corp.corpRef,
      corpId: corp.corpId,
      baseUrl: corp.baseUrl,
      secrets: { archive: secret },
    },
    'archive',
  );
  const list = [...pairs.values()];
  for (let i = 0; i < list.length; i += 100) {
    const chunk = list.slice(i, i + 100);
    const res = await client.post('msgaudit/check_single_agree', {
      info: chunk.map((p) => ({ userid: p.userid, exteranalopenid: p.external })),
    });
    const byPair = new Map<string, boolean>(
      (res.agreeinfo ?? []).map((a: any) => [`${a.userid}|${a.exteranalopenid}`, a.agree_status === 'Agree']),
    );
    await inTenant(database!.db, tenantId, async (tx) => {
      for (const p of chunk) {
        const agreed = byPair.get(`${p.userid}|${p.external}`);
        if (agreed !== undefined)
          await setConsent(tx, systemActor(tenantId), p.profileId, CONSENT_PURPOSE, agreed, 'wecom');
      }
    });
  }
}

export async function archiveJob(
  payload: { corpRef: string; scheduled?: boolean },
  ctx: JobContext,
): Promise<void> {
  try {
    await pullArchive(ctx.tenantId, payload.corpRef);
  } finally {
    // The schedule keeps going while the archive is on, whatever this read met (its error is on the page).
    if (payload.scheduled)
      await ctx.tx(async (tx) => {
        if (await archiveRuntime(tx, ctx.tenantId, payload.corpRef))
          await schedulePull(tx, ctx.tenantId, payload.corpRef);
      });
  }
}
