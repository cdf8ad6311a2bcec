import type { MassMessageInput } from '@kehu/contracts/outreach';
import { type RawBuilder, sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { assertRuleVisibleTo } from '../cdp/index.ts';
import { getCorp, pickMassMaterials } from '../wecom/index.ts';
import { om } from './outreach.messages.ts';
import { outOfQuietHours } from './quiet-hours.ts';
import { contactScope } from './scope.ts';
import { getSettings } from './settings.service.ts';

/** add_msg_template: at most 9 attachments; text.content at most 4000 bytes. */
const MAX_ATTACHMENTS = 9;
const MAX_TEXT_BYTES = 4000;

/**
 * The audience as a predicate over `x.profile_id` (wecom_external_contacts). A segment's rule is
 * checked against the caller's field access first: sending to it must not reveal what a count of
 * it would not.
 */
async function audienceSql(
  tx: Tx,
  p: Principal,
  actor: Actor,
  a: MassMessageInput['audience'],
  locale: Locale,
): Promise<RawBuilder<unknown>> {
  if (a.kind === 'segment') {
    const seg = (
      await sql<{ rule: any }>`select rule from cdp_segments
        where tenant_id = ${p.tenantId} and id = ${a.segmentId} and object = 'profile'`.execute(tx)
    ).rows[0];
    if (!seg) throw notFound('cdp_segment');
    await assertRuleVisibleTo(
      tx,
      { principal: p, actor },
      'profile',
      [{ rule: seg.rule, path: 'audience' }],
      locale,
    );
    return sql`exists (select 1 from cdp_segment_members m where m.tenant_id = x.tenant_id
      and m.segment_id = ${a.segmentId} and m.subject_id = x.profile_id)`;
  }
  if (a.kind === 'tag') {
    const tag =
      await sql`select 1 from cdp_tags where tenant_id = ${p.tenantId} and id = ${a.tagId} and object = 'profile'`.execute(
        tx,
      );
    if (!tag.rows.length) throw notFound('cdp_tag');
    return sql`exists (select 1 from cdp_subject_tags t where t.tenant_id = x.tenant_id
      and t.tag_id = ${a.tagId} and t.subject_id = x.profile_id)`;
  }
  return sql.join(
    [
      sql`true`,
      ...(a.staff?.length ? [sql`x.userid = any(${a.staff}::text[])`] : []),
      ...(a.addedAfter ? [sql`x.added_at >= ${new Date(a.addedAfter)}`] : []),
    ],
    sql` and `,
  );
}

/**
 * Plans a mass message: who gets it from which staff member, who is excluded and why, in one
 * INSERT … SELECT (a 100k audience is one statement, not 100k round trips). Rules, in order:
 * - `deleted_staff`: the customer deleted every staff member they had (or was deleted) — WeCom
 *   would answer "not a friend"; one with several staff gets it from the earliest still friends.
 * - `no_staff`: the only staff members still friends have left the company (WeCom delete_user:
 *   wecom_staff.active false) — nobody can confirm the task until their customers are reassigned;
 *   a customer with a colleague still there gets it from the colleague.
 * - `no_consent`: the customer withdrew marketing consent (PIPL, R13.1; cdp_consents purpose
 *   `marketing`, granted = false). No record means no withdrawal.
 * - `monthly_cap`: WeCom lets a customer receive at most 4 企业群发 (mass messages the company
 *   creates through add_msg_template) per calendar month; messages this tenant already planned or
 *   sent to them that month (China time) count, and the tenant may set a lower cap.
 * The audience only ever holds customers the caller may see (contactScope).
 */
export async function planMessage(
  tx: Tx,
  p: Principal,
  actor: Actor,
  input: MassMessageInput,
  locale: Locale,
  now = new Date(),
): Promise<string> {
  // A corp belongs to a unit: one sends through the corps of one's units (others read as 404).
  const corp = await getCorp(tx, p, input.corpRef);
  // WeCom's limits as field errors: at most 9 attachments, text at most 4000 bytes (UTF-8).
  const limits: Array<{ field: string; code: string; message: string }> = [];
  if (input.attachments.length + input.materials.length > MAX_ATTACHMENTS)
    limits.push({ field: 'materials', code: 'too_big', message: om.text(locale, 'too_many_attachments') });
  if (input.text && Buffer.byteLength(input.text, 'utf8') > MAX_TEXT_BYTES)
    limits.push({ field: 'text', code: 'too_big', message: om.text(locale, 'text_too_long') });
  if (limits.length) throw invalid(limits);
  const materials = await pickMassMaterials(tx, p, input.materials, locale);
  const settings = await getSettings(tx, p.tenantId);
  const wanted = input.sendAt ? new Date(input.sendAt) : now;
  const at = outOfQuietHours(
    wanted < now ? now : wanted,
    settings.quietStartMin,
    settings.quietEndMin,
    settings.timeZone,
  );
  const id = newId();
  await sql`insert into outreach_messages (tenant_id, id, corp_ref, chat_type, title, body, attachments, materials,
      audience, status, scheduled_at, quiet_moved, unit_id, created_by)
    values (${p.tenantId}, ${id}, ${corp.id}, ${input.chatType}, ${input.title}, ${input.text ?? null},
      ${JSON.stringify(input.attachments)}::jsonb, ${JSON.stringify(materials)}::jsonb,
      ${JSON.stringify(input.audience)}::jsonb, 'planned', ${at},
      ${at.getTime() !== Math.max(wanted.getTime(), now.getTime())}, ${p.unitId}, ${p.userId})`.execute(tx);
  if (input.chatType === 'group') await planGroups(tx, p, id, corp.id, at);
  else
    await planCustomers(
      tx,
      p,
      id,
      corp.id,
      at,
      settings.monthlyCap,
      await audienceSql(tx, p, actor, input.audience, locale),
    );
  await writeAudit(tx, actor, { action: 'create', object: 'outreach_message', recordId: id });
  return id;
}

/** Exported for bench/mass-message-plan.bench.ts. */
export async function planCustomers(
  tx: Tx,
  p: Principal,
  id: string,
  corpRef: string,
  at: Date,
  cap: number,
  audience: RawBuilder<unknown>,
) {
  await sql`
    with cand as (
      select distinct on (x.external_userid) x.external_userid, x.userid, x.status, x.profile_id, x.name,
        coalesce(s.active, true) as staff_active
      from wecom_external_contacts x
      left join wecom_staff s on s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid
      where x.tenant_id = ${p.tenantId} and x.corp_ref = ${corpRef} and ${contactScope(p)} and ${audience}
      order by x.external_userid, (x.status <> 'active'), (s.active is false), x.added_at, x.userid
    ),
    month as (
      select r.target, count(*)::int as n from outreach_recipients r
      where r.tenant_id = ${p.tenantId}
        and r.status in ('planned', 'waiting', 'sent')
        and r.planned_at >= date_trunc('month', ${at}::timestamptz at time zone 'Asia/Shanghai') at time zone 'Asia/Shanghai'
        and r.planned_at < (date_trunc('month', ${at}::timestamptz at time zone 'Asia/Shanghai') + interval '1 month') at time zone 'Asia/Shanghai'
        and r.target in (select external_userid from cand)
      group by r.target
    )
    insert into outreach_recipients (tenant_id, message_id, target, name, profile_id, staff_userid, status, reason, planned_at)
    select ${p.tenantId}, ${id}, c.external_userid, c.name, c.profile_id, c.userid,
      case when c.status <> 'active' or not c.staff_active or k.granted = false or coalesce(mo.n, 0) >= ${cap}
        then 'excluded' else 'planned' end,
      case when c.status <> 'active' then 'deleted_staff'
        when not c.staff_active then 'no_staff'
        when k.granted = false then 'no_consent'
        when coalesce(mo.n, 0) >= ${cap} then 'monthly_cap' end,
      ${at}
    from cand c
    left join cdp_consents k on k.tenant_id = ${p.tenantId} and k.profile_id = c.profile_id and k.purpose = 'marketing'
    left join month mo on mo.target = c.external_userid`.execute(tx);
}

/** Group mass messages go to the groups the caller's staff own (one task per owner); a departed owner's groups are `no_staff`. */
async function planGroups(tx: Tx, p: Principal, id: string, corpRef: string, at: Date) {
  await sql`
    insert into outreach_recipients (tenant_id, message_id, target, name, staff_userid, status, reason, planned_at)
    select ${p.tenantId}, ${id}, g.chat_id, g.name, g.owner_userid,
      case when s.active then 'planned' else 'excluded' end, case when s.active then null else 'no_staff' end, ${at}
    from wecom_groups g
    join wecom_staff s on s.tenant_id = g.tenant_id and s.corp_ref = g.corp_ref and s.userid = g.owner_userid
    left join users x on x.tenant_id = s.tenant_id and x.id = s.user_id
    where g.tenant_id = ${p.tenantId} and g.corp_ref = ${corpRef} and g.dismissed_at is null
      and ${groupScope(p)}`.execute(tx);
}

function groupScope(p: Principal) {
  // Groups have no unit of their own: the owner's Kehu user decides (x = users row).
  const c = contactScope(p);
  return sql`(${c})`;
}
