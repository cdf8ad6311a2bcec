import { createHash } from 'node:crypto';
import type { GraphNode, StepData } from '@kehu/contracts/journeys';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import {
  crmScopeFor,
  ownersOfProfiles,
  profilesMatching,
  setManualTag,
  setProfileTrait,
} from '../cdp/index.ts';
import { intakeFromConnector } from '../leads/index.ts';
import { notify } from '../notifications/index.ts';
import type { CompiledVersion } from './definition.ts';
import { nextLocalTime } from './local-time.ts';
import { issueCouponFor, sendThroughChannel } from './sender.ts';

/** What one step execution did and where the run goes next. */
export interface StepResult {
  outcome: 'passed' | 'waiting' | 'sent' | 'queued' | 'deferred' | 'skipped' | 'failed' | 'done' | 'exited';
  reason?: string | null;
  messageId?: string | null;
  /** The handle to follow now (absent: the run stops here — waiting or finished). */
  handle?: string;
  wait?: { until: Date; waitingFor?: Record<string, unknown> | null };
  finish?: 'done' | 'exited';
}

export interface StepRun {
  runId: string;
  profileId: string;
  /** The deterministic key of this execution (`runId:stepId:visit`), the send's idempotency key. */
  key: string;
  /** The run is resuming at this step after its wait ended: `event` when the awaited event came. */
  resumed: 'timeout' | 'event' | null;
}

export interface StepEnv {
  tx: Tx;
  tenantId: string;
  now: Date;
  zone: string;
  version: CompiledVersion;
  /** The publisher of the version: rules see only what they may see. Null: no longer active. */
  author: () => Promise<Principal | null>;
}

const ms = (d: { amount: number; unit: 'minutes' | 'hours' | 'days' }) =>
  d.amount * (d.unit === 'minutes' ? 60_000 : d.unit === 'hours' ? 3_600_000 : 86_400_000);

/** A stable draw in [0, 1) per run and step: a re-run of the step lands in the same branch. */
const draw = (key: string) => createHash('sha256').update(key).digest().readUInt32BE(0) / 2 ** 32;

const SYSTEM = (tenantId: string) => ({ tenantId, actorId: null, actorKind: 'system' as const });

export async function executeStep(env: StepEnv, node: GraphNode, run: StepRun): Promise<StepResult> {
  const d = node.data as StepData;
  const { tx, tenantId, now } = env;
  switch (d.kind) {
    case 'entry':
      return { outcome: 'passed', handle: 'next' };
    case 'exit':
      return { outcome: 'done', finish: 'done' };
    case 'wait': {
      if (run.resumed) return { outcome: 'passed', handle: d.mode === 'event' ? run.resumed : 'next' };
      if (d.mode === 'duration')
        return { outcome: 'waiting', wait: { until: new Date(+now + ms(d.duration)) } };
      if (d.mode === 'until') {
        const [hh, mm] = d.time.split(':').map(Number);
        return { outcome: 'waiting', wait: { until: nextLocalTime(env.zone, hh!, mm!, d.weekdays, now) } };
      }
      return {
        outcome: 'waiting',
        wait: {
          until: new Date(+now + ms(d.timeout)),
          waitingFor: { event: d.event, where: d.where, since: now },
        },
      };
    }
    case 'condition': {
      const author = await env.author();
      if (!author) return { outcome: 'passed', reason: 'author_inactive', handle: 'no' };
      const hit = await profilesMatching(tx, tenantId, d.rule, [run.profileId], now, crmScopeFor(author));
      return { outcome: 'passed', handle: hit.length ? 'yes' : 'no' };
    }
    case 'random': {
      const total = d.variants.reduce((s, v) => s + v.weight, 0);
      let x = draw(run.key) * total;
      for (const v of d.variants) {
        x -= v.weight;
        if (x < 0) return { outcome: 'passed', reason: v.key, handle: v.key };
      }
      return { outcome: 'passed', reason: d.variants.at(-1)!.key, handle: d.variants.at(-1)!.key };
    }
    case 'send': {
      // The coupon is issued (same key) only once the guards let the message go: a skipped send
      // spends no coupon and no stock.
      const couponTemplateId = d.couponTemplateId;
      const withCoupon = couponTemplateId
        ? async () => {
            const c = await issueCouponFor(tx, tenantId, {
              templateId: couponTemplateId,
              profileId: run.profileId,
              idempotencyKey: run.key,
              source: { kind: 'journey', id: env.version.journeyId },
            });
            return c ? { coupon_code: c.code } : ({} as Record<string, string>);
          }
        : undefined;
      const out = await sendThroughChannel(tx, tenantId, {
        profileId: run.profileId,
        channel: d.channel,
        purpose: d.purpose,
        templateId: d.templateId,
        content: d.content,
        variables: {},
        ...(withCoupon ? { variablesWhenSent: withCoupon } : {}),
        idempotencyKey: run.key,
        source: { kind: 'journey', id: env.version.journeyId, stepId: node.id },
      });
      if (!out) return skipOr(d.onSkip, { outcome: 'failed', reason: 'channel_unavailable' });
      if (out.status === 'skipped' || out.status === 'failed')
        return skipOr(d.onSkip, {
          outcome: out.status,
          reason: out.reason ?? null,
          messageId: out.messageId,
        });
      return { outcome: out.status, messageId: out.messageId, handle: 'next' };
    }
    case 'task': {
      const owner = (await ownersOfProfiles(tx, tenantId, [run.profileId])).get(run.profileId);
      if (!owner) return { outcome: 'skipped', reason: 'no_owner', handle: 'next' };
      await notify(tx, tenantId, {
        userIds: [owner],
        kind: 'journey.task',
        title: { 'zh-CN': d.title, 'en-US': d.title },
        body: d.body ? { 'zh-CN': d.body, 'en-US': d.body } : undefined,
        object: 'profile',
        recordId: run.profileId,
        link: `/cdp/profiles/${run.profileId}`,
        data: { journeyId: env.version.journeyId, stepId: node.id, key: run.key },
      });
      return { outcome: 'passed', handle: 'next' };
    }
    case 'tag': {
      try {
        await setManualTag(tx, SYSTEM(tenantId), d.tagId, run.profileId, d.action === 'add', true);
        return { outcome: 'passed', handle: 'next' };
      } catch {
        // The tag was deleted or turned into a rule tag after publishing: the run goes on.
        return { outcome: 'skipped', reason: 'tag_unavailable', handle: 'next' };
      }
    }
    case 'field':
      await setProfileTrait(tx, tenantId, run.profileId, d.trait, d.value);
      return { outcome: 'passed', handle: 'next' };
    case 'lead':
      return createLead(env, run, d.title);
  }
}

/**
 * A lead for the profile's owner (the leads module's intake: dedupe, scoring, assignment and
 * SLA apply as to any lead), named after the profile, channel 其他, campaign = the step title.
 * Without an owner the lead goes to the tenant's top unit pool. A profile with no phone or
 * e-mail is skipped (`no_contact`): a lead nobody can reach helps no one. Runs in the step's
 * transaction, so a replayed step (same key) never creates a second lead.
 */
async function createLead(env: StepEnv, run: StepRun, title: string): Promise<StepResult> {
  const { tx, tenantId } = env;
  // Traits first, else the profile's resolved identities (a CRM customer's phone is one).
  const p = (
    await sql<{
      traits: Record<string, unknown>;
      phone: string | null;
      email: string | null;
    }>`select p.traits,
        (select value from cdp_identities i where i.tenant_id = p.tenant_id and i.profile_id = p.id and i.kind = 'phone' limit 1) as phone,
        (select value from cdp_identities i where i.tenant_id = p.tenant_id and i.profile_id = p.id and i.kind = 'email' limit 1) as email
      from cdp_profiles p where p.tenant_id = ${tenantId} and p.id = ${run.profileId}`.execute(tx)
  ).rows[0];
  const t = p?.traits ?? {};
  const phone = typeof t.phone === 'string' ? t.phone : (p?.phone ?? null);
  const email = typeof t.email === 'string' ? t.email : (p?.email ?? null);
  if (!phone && !email) return { outcome: 'skipped', reason: 'no_contact', handle: 'next' };
  const ownerId = (await ownersOfProfiles(tx, tenantId, [run.profileId])).get(run.profileId) ?? null;
  const ownerUnit = ownerId
    ? (
        await sql<{ unit_id: string }>`select unit_id from users
          where tenant_id = ${tenantId} and id = ${ownerId} and status = 'active'`.execute(tx)
      ).rows[0]?.unit_id
    : undefined;
  const owner = ownerUnit ? ownerId : null;
  const unit =
    ownerUnit ??
    (
      await sql<{ id: string }>`select id from units where tenant_id = ${tenantId} and parent_id is null
        and deleted_at is null order by created_at limit 1`.execute(tx)
    ).rows[0]?.id;
  if (!unit) return { outcome: 'skipped', reason: 'no_owner', handle: 'next' };
  const name =
    typeof t.name === 'string' && t.name.trim() ? t.name.trim() : `旅程线索 ${(phone ?? email)!.slice(-4)}`;
  const lead = await intakeFromConnector(tx, {
    tenantId,
    actor: SYSTEM(tenantId),
    ownerId: owner,
    unitId: unit,
    values: {
      name: name.slice(0, 100),
      ...(phone ? { phone } : {}),
      ...(email ? { email } : {}),
      channel: 'other',
      campaign: `${env.version.name}：${title}`.slice(0, 100),
    },
    sourceId: env.version.journeyId,
    locale: 'zh-CN',
  });
  return { outcome: 'passed', reason: `lead:${lead.id}`, handle: 'next' };
}

const skipOr = (onSkip: 'continue' | 'exit', r: StepResult): StepResult =>
  onSkip === 'exit' ? { ...r, finish: 'exited' } : { ...r, handle: 'next' };

/** The tenant's time zone (waits until a local time, the daily date scan). */
export async function tenantZone(tx: Tx, tenantId: string): Promise<string> {
  const r = await sql<{ z: string }>`select time_zone as z from tenants where id = ${tenantId}`.execute(tx);
  return r.rows[0]?.z ?? 'Asia/Shanghai';
}
