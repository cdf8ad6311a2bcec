import type { TransferInput } from '@kehu/contracts/wecom';
import { sql } from 'kysely';
import { type Actor, type AuditEntry, writeAuditMany } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { wecomFailure } from './codes.service.ts';
import { WeComClient } from './connector/client.ts';
import { emitContactEvent } from './contact-events.ts';
import { corpRuntime, getCorp } from './corps.service.ts';
import { refusalReason, transferText } from './transfer-messages.ts';

/**
 * 在职继承 (`transfer_customer`) and 离职继承 (`get_unassigned_list`, `resigned/transfer_customer`):
 * WeCom starts a transfer per customer and completes it later (statuses from `transfer_result`:
 * 1 done, 2 under way, 3 refused by the customer, 4 takeover full). Kehu records each customer's
 * transfer, and when WeCom reports it done moves the relationship and the CRM ownership (contact and
 * lead) to the takeover's user — audited per record. Batches of 100, WeCom's per-call maximum.
 */
const API = {
  onjob: { start: 'externalcontact/transfer_customer', result: 'externalcontact/transfer_result' },
  resigned: {
    start: 'externalcontact/resigned/transfer_customer',
    result: 'externalcontact/resigned/transfer_result',
  },
} as const;

async function loadCorp(database: Database, p: Principal, corpRef: string) {
  return inTenant(database.db, p.tenantId, async (tx) => {
    await getCorp(tx, p, corpRef);
    return corpRuntime(tx, p.tenantId, corpRef);
  });
}

/** Customers of staff who left, waiting for a takeover (离职待分配). */
export async function unassigned(database: Database, p: Principal, corpRef: string, locale: Locale) {
  const corp = await loadCorp(database, p, corpRef);
  const client = new WeComClient(database, corp);
  const items: Array<{ handoverUserid: string; externalUserid: string; name: string | null }> = [];
  let cursor = '';
  try {
    do {
      const res = await client.post('externalcontact/get_unassigned_list', { cursor, page_size: 1000 });
      for (const r of res.info ?? [])
        items.push({ handoverUserid: r.handover_userid, externalUserid: r.external_userid, name: null });
      cursor = res.is_last ? '' : (res.next_cursor ?? '');
    } while (cursor && items.length < 10_000);
  } catch (err) {
    wecomFailure(locale, err);
  }
  const names = await inTenant(
    database.db,
    p.tenantId,
    async (tx) =>
      new Map(
        (
          await sql<{
            external_userid: string;
            name: string | null;
          }>`select external_userid, name from wecom_external_contacts
          where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} and external_userid = any(${items.map((i) => i.externalUserid)}::text[])`.execute(
            tx,
          )
        ).rows.map((r) => [r.external_userid, r.name]),
      ),
  );
  for (const i of items) i.name = names.get(i.externalUserid) ?? null;
  return { items };
}

export async function startTransfer(
  database: Database,
  p: Principal,
  actor: Actor,
  input: TransferInput,
  locale: Locale,
) {
  const corp = await loadCorp(database, p, input.corpRef);
  if (input.handoverUserid === input.takeoverUserid)
    throw invalid([{ field: 'takeoverUserid', code: 'same_as_handover' }]);
  let customers = input.externalUserids ?? [];
  if (!customers.length) {
    if (input.kind === 'resigned')
      customers = (await unassigned(database, p, input.corpRef, locale)).items
        .filter((i) => i.handoverUserid === input.handoverUserid)
        .map((i) => i.externalUserid);
    else
      customers = await inTenant(database.db, p.tenantId, async (tx) =>
        (
          await sql<{ external_userid: string }>`select external_userid from wecom_external_contacts
            where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef} and userid = ${input.handoverUserid} and status = 'active'`.execute(
            tx,
          )
        ).rows.map((r) => r.external_userid),
      );
  }
  const exhausted: string[] = [];
  if (input.kind === 'onjob') {
    const named = input.externalUserids?.length ? customers : null;
    const quota = await inTenant(database.db, p.tenantId, async (tx) => {
      if (named) {
        // Only the handover's own customers in this corp: anything else is another's (404, nothing said).
        const own = (
          await sql<{ external_userid: string }>`select external_userid from wecom_external_contacts
            where tenant_id = ${p.tenantId} and corp_ref = ${input.corpRef} and userid = ${input.handoverUserid}
              and status = 'active' and external_userid = any(${named}::text[])`.execute(tx)
        ).rows.map((r) => r.external_userid);
        if (own.length !== new Set(named).size) throw notFound('wecom_contact');
      }
      return onjobQuota(tx, p.tenantId, input.corpRef, customers);
    });
    exhausted.push(...customers.filter((c) => quota.get(c) === 0));
    if (named && exhausted.length)
      throw invalid([
        {
          field: 'externalUserids',
          code: 'transfer_limit_90d',
          message: transferText.text(locale, 'transfer_limit_90d', { count: exhausted.length }),
          params: { count: exhausted.length },
        },
      ]);
    customers = customers.filter((c) => quota.get(c) !== 0);
  }
  const client = new WeComClient(database, corp);
  const rows: Array<{ external_userid: string; errcode: number }> = [];
  for (let i = 0; i < customers.length; i += 100) {
    try {
      const res = await client.post(API[input.kind].start, {
        handover_userid: input.handoverUserid,
        takeover_userid: input.takeoverUserid,
        external_userid: customers.slice(i, i + 100),
        ...(input.message ? { transfer_success_msg: input.message } : {}),
      });
      for (const c of res.customer ?? [])
        rows.push({ external_userid: c.external_userid, errcode: Number(c.errcode ?? 0) });
    } catch (err) {
      if (!rows.length) wecomFailure(locale, err);
      break; // what WeCom accepted so far is recorded below
    }
  }
  await inTenant(database.db, p.tenantId, async (tx) => {
    for (const r of rows)
      await sql`insert into wecom_transfers (tenant_id, id, corp_ref, kind, handover_userid, takeover_userid, external_userid, status, errcode, created_by)
        values (${p.tenantId}, ${newId()}, ${input.corpRef}, ${input.kind}, ${input.handoverUserid}, ${input.takeoverUserid},
          ${r.external_userid}, ${r.errcode === 0 ? 2 : 0}, ${r.errcode}, ${actor.actorId})`.execute(tx);
    await writeAuditMany(tx, actor, [
      {
        action: 'wecom_transfer_start',
        object: 'wecom_corp',
        recordId: input.corpRef,
        meta: {
          kind: input.kind,
          handover: input.handoverUserid,
          takeover: input.takeoverUserid,
          customers: rows.length,
        },
      },
    ]);
  });
  return {
    started: rows.filter((r) => r.errcode === 0).length,
    refused: [
      ...rows
        .filter((r) => r.errcode !== 0)
        .map((r) => ({ externalUserid: r.external_userid, errcode: r.errcode })),
      ...exhausted.map((externalUserid) => ({ externalUserid, errcode: TOO_OFTEN })),
    ].map((r) => ({ ...r, reason: refusalReason(locale, r.errcode) })),
  };
}

/** WeCom's per-customer code for "transferred twice in 90 days" (the simulator's pick too). */
const TOO_OFTEN = 40130;
const ONJOB_PER_90_DAYS = 2;

/**
 * In-service transfers left per customer: WeCom allows 2 per customer in 90 days, counted from
 * every transfer it accepted (any outcome). Kehu counts its own records, so transfers started
 * outside Kehu are not seen; WeCom's errcode still refuses those and is shown per customer.
 */
export async function onjobQuota(
  tx: Tx,
  tenantId: string,
  corpRef: string,
  externalUserids: string[],
): Promise<Map<string, number>> {
  const used = new Map(
    (
      await sql<{
        external_userid: string;
        n: number;
      }>`select external_userid, count(*)::int as n from wecom_transfers
        where tenant_id = ${tenantId} and corp_ref = ${corpRef} and kind = 'onjob' and errcode = 0
          and created_at > now() - interval '90 days' and external_userid = any(${externalUserids}::text[])
        group by external_userid`.execute(tx)
    ).rows.map((r) => [r.external_userid, r.n]),
  );
  return new Map(externalUserids.map((e) => [e, Math.max(0, ONJOB_PER_90_DAYS - (used.get(e) ?? 0))]));
}

/** An active staff member's customers with the in-service transfers each has left (for picking). */
export async function transferCandidates(tx: Tx, p: Principal, corpRef: string, userid: string) {
  await getCorp(tx, p, corpRef);
  const rows = (
    await sql<{
      external_userid: string;
      name: string | null;
      contact_id: string | null;
    }>`select external_userid, name, contact_id
      from wecom_external_contacts where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} and userid = ${userid}
        and status = 'active' order by added_at desc limit 2000`.execute(tx)
  ).rows;
  const quota = await onjobQuota(
    tx,
    p.tenantId,
    corpRef,
    rows.map((r) => r.external_userid),
  );
  return {
    items: rows.map((r) => ({
      externalUserid: r.external_userid,
      name: r.name,
      contactId: r.contact_id,
      remainingTransfers: quota.get(r.external_userid) ?? ONJOB_PER_90_DAYS,
    })),
  };
}

/** Asks WeCom how open transfers went and applies the finished ones (also run by the admin page). */
export async function pollTransfers(
  database: Database,
  p: Principal,
  actor: Actor,
  corpRef: string,
  locale: Locale,
) {
  const corp = await loadCorp(database, p, corpRef);
  const groups = await inTenant(
    database.db,
    p.tenantId,
    async (tx) =>
      (
        await sql<{
          kind: 'onjob' | 'resigned';
          handover_userid: string;
          takeover_userid: string;
        }>`select distinct kind, handover_userid, takeover_userid
        from wecom_transfers where tenant_id = ${p.tenantId} and corp_ref = ${corpRef} and status = 2`.execute(
          tx,
        )
      ).rows,
  );
  const client = new WeComClient(database, corp);
  let completed = 0;
  for (const g of groups) {
    const statuses: Array<{ external_userid: string; status: number }> = [];
    let cursor = '';
    try {
      do {
        const res = await client.post(API[g.kind].result, {
          handover_userid: g.handover_userid,
          takeover_userid: g.takeover_userid,
          cursor,
        });
        statuses.push(...(res.customer ?? []));
        cursor = res.next_cursor ?? '';
      } while (cursor);
    } catch (err) {
      wecomFailure(locale, err);
    }
    completed += await inTenant(database.db, p.tenantId, (tx) =>
      applyResults(tx, p.tenantId, actor, corpRef, g, statuses),
    );
  }
  return { completed };
}

async function applyResults(
  tx: Tx,
  tenantId: string,
  actor: Actor,
  corpRef: string,
  g: { kind: string; handover_userid: string; takeover_userid: string },
  statuses: Array<{ external_userid: string; status: number }>,
): Promise<number> {
  const takeover = (
    await sql<{
      user_id: string | null;
      unit_id: string | null;
    }>`select s.user_id, u.unit_id from wecom_staff s
      left join users u on u.tenant_id = s.tenant_id and u.id = s.user_id
      where s.tenant_id = ${tenantId} and s.corp_ref = ${corpRef} and s.userid = ${g.takeover_userid}`.execute(
      tx,
    )
  ).rows[0];
  let done = 0;
  const audits: AuditEntry[] = [];
  for (const s of statuses) {
    if (s.status === 2) continue;
    const moved = (
      await sql<{ id: string }>`update wecom_transfers set status = ${s.status}, completed_at = now()
        where tenant_id = ${tenantId} and corp_ref = ${corpRef} and kind = ${g.kind} and handover_userid = ${g.handover_userid}
          and takeover_userid = ${g.takeover_userid} and external_userid = ${s.external_userid} and status = 2 returning id`.execute(
        tx,
      )
    ).rows;
    if (!moved.length || s.status !== 1) continue;
    done++;
    // The relationship row moves to the takeover (unless they already had the customer).
    const rel = (
      await sql<{ contact_id: string | null; lead_id: string | null }>`update wecom_external_contacts x
        set userid = ${g.takeover_userid}, unit_id = coalesce(${takeover?.unit_id ?? null}::uuid, x.unit_id), updated_at = now()
        where x.tenant_id = ${tenantId} and x.corp_ref = ${corpRef} and x.external_userid = ${s.external_userid}
          and x.userid = ${g.handover_userid}
          and not exists (select 1 from wecom_external_contacts y where y.tenant_id = x.tenant_id and y.corp_ref = x.corp_ref
            and y.external_userid = x.external_userid and y.userid = ${g.takeover_userid})
        returning contact_id, lead_id`.execute(tx)
    ).rows[0];
    await emitContactEvent(tx, tenantId, {
      type: 'wecom.contact.transferred',
      payload: {
        corpRef,
        externalUserid: s.external_userid,
        kind: g.kind as 'onjob' | 'resigned',
        handoverUserid: g.handover_userid,
        takeoverUserid: g.takeover_userid,
        contactId: rel?.contact_id ?? null,
        ownerId: takeover?.user_id ?? null,
      },
    });
    if (!rel || !takeover?.user_id) continue;
    // CRM ownership follows WeCom's result.
    for (const [table, object, id] of [
      ['contacts', 'contact', rel.contact_id],
      ['leads', 'lead', rel.lead_id],
    ] as const) {
      if (!id) continue;
      const before = (
        await sql<{
          owner_id: string | null;
        }>`select owner_id from ${sql.table(table)} where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
      ).rows[0];
      await sql`update ${sql.table(table)} set owner_id = ${takeover.user_id}, unit_id = coalesce(${takeover.unit_id}::uuid, unit_id),
          version = version + 1, updated_at = now()
        where tenant_id = ${tenantId} and id = ${id}`.execute(tx);
      audits.push({
        action: 'update',
        object,
        recordId: id,
        changes: [{ field: 'ownerId', from: before?.owner_id ?? null, to: takeover.user_id }],
        meta: { via: `wecom_transfer_${g.kind}`, externalUserid: s.external_userid },
      });
    }
  }
  if (audits.length) await writeAuditMany(tx, actor, audits);
  return done;
}

export async function listTransfers(tx: Tx, p: Principal, corpRef: string) {
  await getCorp(tx, p, corpRef);
  const rows = (
    await sql<any>`select t.*, x.name from wecom_transfers t
      left join wecom_external_contacts x on x.tenant_id = t.tenant_id and x.corp_ref = t.corp_ref
        and x.external_userid = t.external_userid and x.userid in (t.handover_userid, t.takeover_userid)
      where t.tenant_id = ${p.tenantId} and t.corp_ref = ${corpRef} order by t.created_at desc limit 500`.execute(
      tx,
    )
  ).rows;
  return {
    items: rows.map((r) => ({
      id: r.id,
      kind: r.kind,
      handoverUserid: r.handover_userid,
      takeoverUserid: r.takeover_userid,
      externalUserid: r.external_userid,
      name: r.name ?? null,
      status: r.status,
      errcode: r.errcode,
      failReason: r.fail_reason ?? null,
      createdAt: new Date(r.created_at).toISOString(),
      completedAt: r.completed_at ? new Date(r.completed_at).toISOString() : null,
    })),
  };
}
