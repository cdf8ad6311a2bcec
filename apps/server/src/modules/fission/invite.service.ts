import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { DomainEvent } from '../../core/events/outbox.ts';
import { newId } from '../../core/ids.ts';
import type { JobContext } from '../../core/jobs/queue.ts';
import { notify } from '../notifications/index.ts';
import type { WeComContactEvent, WeComGroupEvent } from '../wecom/index.ts';
import { rewardIssuer } from './reward.ts';

type Added = Extract<WeComContactEvent, { type: 'wecom.contact.added' }>['payload'];
type Lost = Extract<WeComContactEvent, { type: 'wecom.contact.lost' }>['payload'];
type Joined = Extract<WeComGroupEvent, { type: 'wecom.group.member_joined' }>['payload'];
type Left = Extract<WeComGroupEvent, { type: 'wecom.group.member_left' }>['payload'];

/** An add deleted within this time after it happened never counts (刷量: add, claim, delete). */
export const KEEP_HOURS = 24;

/**
 * Someone added the staff member through a participant's code. Anti-fraud: one person (unionid
 * when WeCom gives one, else external_userid) counts once per campaign, whoever's code they used
 * and however often they add again — even after an early deletion. Idempotent on the event id.
 */
export async function inviteAdded(e: DomainEvent, job: JobContext) {
  const a = e.payload as Added;
  if (!a.state?.startsWith('fx')) return;
  await job.tx((tx) =>
    recordInvite(tx, e, {
      state: a.state!,
      corpRef: a.corpRef,
      externalUserid: a.externalUserid,
      userid: a.userid,
      chatId: null,
      unionid: null,
    }),
  );
}

/**
 * Someone joined a customer group through a participant's 群活码 (join_group campaigns): the same
 * rules as an add — one person once per campaign (unionid from the group member, else the
 * contact's, else external_userid), late after the last day. The invite's userid is the group's owner.
 */
export async function inviteJoinedGroup(e: DomainEvent, job: JobContext) {
  const j = e.payload as Joined;
  if (j.kind !== 'external' || !j.state?.startsWith('fg')) return;
  await job.tx((tx) =>
    recordInvite(tx, e, {
      state: j.state!,
      corpRef: j.corpRef,
      externalUserid: j.memberId,
      userid: j.ownerUserid,
      chatId: j.chatId,
      unionid: j.unionid,
    }),
  );
}

async function recordInvite(
  tx: Tx,
  e: DomainEvent,
  a: {
    state: string;
    corpRef: string;
    externalUserid: string;
    userid: string;
    chatId: string | null;
    unionid: string | null;
  },
) {
  const part = (
    await sql<any>`select p.id, p.campaign_id, p.name, p.staff_userid,
        (${e.createdAt}::timestamptz at time zone t.time_zone)::date > k.ends_on as late
      from fission_participants p
      join fission_campaigns k on k.tenant_id = p.tenant_id and k.id = p.campaign_id and k.deleted_at is null
      join tenants t on t.id = p.tenant_id
      where p.tenant_id = ${e.tenantId} and p.code_state = ${a.state}`.execute(tx)
  ).rows[0];
  if (!part) return;
  const seen = (
    await sql`select 1 from fission_invites where tenant_id = ${e.tenantId} and event_id = ${e.id}`.execute(
      tx,
    )
  ).rows[0];
  if (seen) return;
  const unionid =
    a.unionid ??
    (
      await sql<{
        unionid: string | null;
      }>`select unionid from wecom_external_contacts where tenant_id = ${e.tenantId}
        and corp_ref = ${a.corpRef} and external_userid = ${a.externalUserid} and unionid is not null limit 1`.execute(
        tx,
      )
    ).rows[0]?.unionid;
  const key = unionid ? `u:${unionid}` : `x:${a.corpRef}:${a.externalUserid}`;
  const row = (id: string, status: string) =>
    sql`(${e.tenantId}, ${id}, ${part.campaign_id}, ${part.id}, ${a.corpRef}, ${a.externalUserid}, ${a.userid},
      ${key}, ${status}, ${e.createdAt}::timestamptz, ${e.id}, ${a.chatId})`;
  const cols = sql`(tenant_id, id, campaign_id, participant_id, corp_ref, external_userid, userid,
      person_key, status, added_at, event_id, chat_id)`;
  // After the campaign's last day an add is still a customer, but no longer a task invite.
  if (part.late) {
    await sql`insert into fission_invites ${cols} values ${row(newId(), 'late')}`.execute(tx);
    return;
  }
  const counted = (
    await sql`insert into fission_invites ${cols}
      values ${row(newId(), 'counted')}
      on conflict (tenant_id, campaign_id, person_key) where status in ('counted', 'voided') do nothing returning id`.execute(
      tx,
    )
  ).rows.length;
  if (!counted)
    await sql`insert into fission_invites ${cols} values ${row(newId(), 'duplicate')}`.execute(tx);
  else await settleReward(tx, e.tenantId, part.id);
}

/** A group invitee left the group within 24 h of joining: like a deleted add, the join no longer counts. */
export async function inviteLeftGroup(e: DomainEvent, job: JobContext) {
  const l = e.payload as Left;
  if (l.kind !== 'external') return;
  await job.tx(async (tx) => {
    const voided = (
      await sql<{
        participant_id: string;
      }>`update fission_invites set status = 'voided', lost_at = ${e.createdAt}::timestamptz
        where tenant_id = ${e.tenantId} and corp_ref = ${l.corpRef} and chat_id = ${l.chatId}
          and external_userid = ${l.memberId} and status = 'counted'
          and added_at > ${e.createdAt}::timestamptz - make_interval(hours => ${KEEP_HOURS})
        returning participant_id`.execute(tx)
    ).rows;
    for (const v of voided) await disputeIfShort(tx, e.tenantId, v.participant_id);
  });
}

/**
 * The invitee deleted the staff member (or was removed) within 24 h of adding: the add no longer
 * counts. A reward not yet issued waits for a replacement invite. A reward already issued stays
 * issued (it was handed over; clawing back a coupon or gift is the campaign owner's call) but is
 * marked `disputed` and the owner is told, and the deleted add never counts again.
 */
export async function inviteLost(e: DomainEvent, job: JobContext) {
  const l = e.payload as Lost;
  await job.tx(async (tx) => {
    const voided = (
      await sql<{
        participant_id: string;
      }>`update fission_invites set status = 'voided', lost_at = ${e.createdAt}::timestamptz
        where tenant_id = ${e.tenantId} and corp_ref = ${l.corpRef} and external_userid = ${l.externalUserid}
          and userid = ${l.userid} and chat_id is null and status = 'counted'
          and added_at > ${e.createdAt}::timestamptz - make_interval(hours => ${KEEP_HOURS})
        returning participant_id`.execute(tx)
    ).rows;
    for (const v of voided) await disputeIfShort(tx, e.tenantId, v.participant_id);
  });
}

async function progressOf(tx: Tx, tenantId: string, participantId: string) {
  return (
    await sql<any>`select p.id, p.name, p.staff_userid, k.id as campaign_id, k.name as campaign, k.invite_target,
        k.reward_type, k.reward_text, k.reward_cost, k.created_by, k.corp_ref,
        (select count(*) from fission_invites i where i.tenant_id = p.tenant_id and i.participant_id = p.id
          and i.status = 'counted')::int as done,
        (select s.user_id from wecom_staff s where s.tenant_id = p.tenant_id and s.corp_ref = k.corp_ref
          and s.userid = p.staff_userid) as staff_user
      from fission_participants p join fission_campaigns k on k.tenant_id = p.tenant_id and k.id = p.campaign_id
      where p.tenant_id = ${tenantId} and p.id = ${participantId}`.execute(tx)
  ).rows[0];
}

/** Task met → one reward per participant (unique row), its issuer, and a notification. */
export async function settleReward(tx: Tx, tenantId: string, participantId: string) {
  const g = await progressOf(tx, tenantId, participantId);
  if (!g || g.done < g.invite_target) return;
  const rewardId = newId();
  const fresh = (
    await sql`insert into fission_rewards (tenant_id, id, campaign_id, participant_id, reward_type, reward_text, cost)
      values (${tenantId}, ${rewardId}, ${g.campaign_id}, ${g.id}, ${g.reward_type}, ${g.reward_text}, ${g.reward_cost})
      on conflict (tenant_id, participant_id) do nothing returning id`.execute(tx)
  ).rows.length;
  if (!fresh) return;
  const issuer = rewardIssuer(g.reward_type);
  if (issuer) {
    const invitees = (
      await sql<{
        external_userid: string;
      }>`select external_userid from fission_invites where tenant_id = ${tenantId}
        and participant_id = ${g.id} and status = 'counted'`.execute(tx)
    ).rows.map((r) => r.external_userid);
    await issuer.issue(tx, {
      tenantId,
      rewardId,
      campaignId: g.campaign_id,
      participantId: g.id,
      rewardText: g.reward_text,
      invitees,
    });
  }
  await notify(tx, tenantId, {
    userIds: [g.created_by, g.staff_user].filter(Boolean),
    kind: 'fission_reward',
    title: {
      'zh-CN': `${g.name} 完成了「${g.campaign}」的邀请任务，奖励已发放：${g.reward_text}`,
      'en-US': `${g.name} completed the invitation task of "${g.campaign}"; reward issued: ${g.reward_text}`,
    },
    link: `/fission/${g.campaign_id}`,
    data: { campaignId: g.campaign_id, participantId: g.id, rewardId },
  });
}

async function disputeIfShort(tx: Tx, tenantId: string, participantId: string) {
  const g = await progressOf(tx, tenantId, participantId);
  if (!g || g.done >= g.invite_target) return;
  const r = (
    await sql`update fission_rewards set status = 'disputed', disputed_at = now()
      where tenant_id = ${tenantId} and participant_id = ${participantId} and status = 'issued' returning id`.execute(
      tx,
    )
  ).rows[0];
  if (!r) return;
  await notify(tx, tenantId, {
    userIds: [g.created_by].filter(Boolean),
    kind: 'fission_reward_disputed',
    title: {
      'zh-CN': `「${g.campaign}」：${g.name} 的被邀请人 24 小时内删除了好友，已发奖励待核查`,
      'en-US': `"${g.campaign}": an invitee of ${g.name} deleted within 24 h; the issued reward needs review`,
    },
    link: `/fission/${g.campaign_id}`,
    data: { campaignId: g.campaign_id, participantId },
  });
}
