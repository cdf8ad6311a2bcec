import type { FORM_FIELDS } from '@kehu/contracts/campaigns';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import type { Database } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { AppError } from '../../core/errors.ts';
import { emitEvent } from '../../core/events/outbox.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { newId } from '../../core/ids.ts';
import { enqueue, type JobContext } from '../../core/jobs/queue.ts';
import { ingestFromConnector, profileOfIdentity, setConsent } from '../cdp/index.ts';
import { issueCoupon } from '../coupons/index.ts';
import { intakeFromConnector } from '../leads/index.ts';
import { campaignProblem, gt } from './campaigns.messages.ts';
import { newTicket, tenantOfToken } from './public-token.ts';

export const LINK_QUEUE = 'campaigns:link-profile';
const CDP_SOURCE = '市场活动 Campaigns';
const anonOf = (registrationId: string) => `campaign-reg:${registrationId}`;

/** The published campaign behind a public token, in its tenant's transaction. */
export async function withPublicCampaign<T>(
  database: Database,
  token: string,
  fn: (tx: Tx, c: any) => Promise<T>,
): Promise<{ campaign: any; value: T } | null> {
  const tenantId = tenantOfToken(token, 22);
  if (!tenantId) return null;
  return inTenant(database.db, tenantId, async (tx) => {
    const c = (
      await sql<any>`select * from campaigns where tenant_id = ${tenantId} and public_token = ${token}
        and status = 'published'`.execute(tx)
    ).rows[0];
    if (!c) return null;
    return { campaign: c, value: await fn(tx, c) };
  });
}

export interface PublicRegistrationInput {
  phone: string;
  fields: Partial<Record<(typeof FORM_FIELDS)[number], string>>;
  consents: Array<'marketing' | 'service'>;
  link?: string;
}

/**
 * One registration per phone and campaign (a second is 409 "already registered", and says
 * nothing else: the phone is not proof of identity, so the ticket is not shown again). The
 * lead is created in the same transaction; the CDP profile, consents, the coupon and the
 * `campaign.registered` event follow in a job once the CDP has resolved the visitor.
 */
export async function register(
  tx: Tx,
  c: any,
  locale: Locale,
  input: PublicRegistrationInput,
): Promise<{ registrationId: string; ticket: string }> {
  if (Date.now() > +new Date(c.ends_at)) throw campaignProblem('conflict', locale, 'not_open');
  const missing = (c.form_fields as Array<{ key: string; label: string; required: boolean }>).filter(
    (f) => f.required && !input.fields[f.key as keyof typeof input.fields]?.trim(),
  );
  if (missing.length)
    throw campaignProblem(
      'validation',
      locale,
      'field_required',
      { label: missing[0]!.label },
      missing.map((f) => ({
        field: `fields.${f.key}`,
        code: 'required',
        message: gt(locale, 'field_required', { label: f.label }),
      })),
    );
  const asked = new Set((c.form_fields as Array<{ key: string }>).map((f) => f.key));
  const fields = Object.fromEntries(Object.entries(input.fields).filter(([k, v]) => asked.has(k) && v));
  const consents = input.consents.filter((x) => (c.consent_purposes as string[]).includes(x));
  const link = input.link
    ? (
        await sql<any>`select id, utm_source from campaign_links where tenant_id = ${c.tenant_id}
          and campaign_id = ${c.id} and code = ${input.link}`.execute(tx)
      ).rows[0]
    : null;
  const id = newId();
  const ticket = newTicket();
  const fresh = (
    await sql`insert into campaign_registrations (tenant_id, id, campaign_id, phone, name, fields, consents, link_id,
        utm_source, ticket)
      values (${c.tenant_id}, ${id}, ${c.id}, ${input.phone}, ${fields.name ?? null}, ${JSON.stringify(fields)}::jsonb,
        ${consents}::text[], ${link?.id ?? null}, ${link?.utm_source ?? null}, ${ticket})
      on conflict (tenant_id, campaign_id, phone) do nothing returning id`.execute(tx)
  ).rows.length;
  if (!fresh) throw campaignProblem('conflict', locale, 'already_registered');
  const lead = await intakeFromConnector(tx, {
    tenantId: c.tenant_id,
    actor: { tenantId: c.tenant_id, actorId: null, actorKind: 'system' },
    ownerId: c.owner_id,
    unitId: c.unit_id,
    values: {
      name: (fields.name || `活动报名 ${input.phone.slice(-4)}`).slice(0, 100),
      phone: input.phone,
      channel: c.kind === 'expo' ? 'exhibition' : 'web_form',
      campaign: String(c.name).slice(0, 100),
      ...(fields.email ? { email: fields.email } : {}),
      ...(fields.company ? { company: fields.company } : {}),
    },
    sourceId: c.id,
    locale: 'zh-CN',
  });
  await sql`update campaign_registrations set lead_id = ${lead.id} where tenant_id = ${c.tenant_id} and id = ${id}`.execute(
    tx,
  );
  await enqueue(tx, c.tenant_id, LINK_QUEUE, { registrationId: id, tries: 0 }, { maxAttempts: 8 });
  return { registrationId: id, ticket };
}

/** Tells the CDP who registered (after the registration committed). */
export async function sendRegistrationToCdp(
  database: Database,
  c: any,
  registrationId: string,
  phone: string,
  name?: string,
) {
  await ingestFromConnector(database, c.tenant_id, CDP_SOURCE, [
    {
      type: 'identify',
      messageId: `campaign-reg-${registrationId}`,
      anonymousId: anonOf(registrationId),
      traits: { phone, ...(name ? { name } : {}) },
    },
    {
      type: 'track',
      messageId: `campaign-reg-event-${registrationId}`,
      anonymousId: anonOf(registrationId),
      event: 'Campaign Registered',
      properties: { campaign_id: c.id, campaign_name: c.name, registration_id: registrationId },
    },
  ]);
}

/**
 * Once the CDP knows the registrant: the profile on the registration, each consent ticked on
 * the form in the consent ledger, the campaign's coupon, and `campaign.registered` for journeys.
 * Until then the job comes back (the CDP's processing job runs first: it was queued earlier).
 */
export async function linkProfileJob(payload: { registrationId: string; tries: number }, job: JobContext) {
  const database = { db: job.db } as Database;
  const profileId = await profileOfIdentity(database, job.tenantId, {
    kind: 'anonymous_id',
    value: anonOf(payload.registrationId),
  });
  if (!profileId) {
    if (payload.tries >= 20) return;
    await job.tx((tx) =>
      enqueue(
        tx,
        job.tenantId,
        LINK_QUEUE,
        { ...payload, tries: payload.tries + 1 },
        { runAt: new Date(Date.now() + (payload.tries < 3 ? 0 : 2 ** Math.min(payload.tries, 6) * 1000)) },
      ),
    );
    return;
  }
  await job.tx(async (tx) => {
    const r = (
      await sql<any>`select r.*, c.coupon_template_id, c.journey_id from campaign_registrations r
        join campaigns c on c.tenant_id = r.tenant_id and c.id = r.campaign_id
        where r.tenant_id = ${job.tenantId} and r.id = ${payload.registrationId} for update of r`.execute(tx)
    ).rows[0];
    if (!r || r.profile_id) return;
    const actor: Actor = { tenantId: job.tenantId, actorId: null, actorKind: 'system' };
    for (const purpose of r.consents as string[])
      await setConsent(tx, actor, profileId, purpose, true, `campaign:${r.campaign_id}`);
    let couponId: string | null = null;
    if (r.coupon_template_id) {
      try {
        couponId = (
          await issueCoupon(tx, job.tenantId, {
            templateId: r.coupon_template_id,
            profileId,
            idempotencyKey: `campaign:${r.id}`,
            source: { kind: 'campaign', id: r.campaign_id },
          })
        ).couponId;
      } catch (e) {
        // Out of stock or over the per-person limit: the registration stands without a coupon.
        if (!(e instanceof AppError)) throw e;
      }
    }
    await sql`update campaign_registrations set profile_id = ${profileId}, coupon_id = ${couponId}
      where tenant_id = ${job.tenantId} and id = ${r.id}`.execute(tx);
    await emitEvent(tx, job.tenantId, {
      type: 'campaign.registered',
      object: 'campaign',
      recordId: r.campaign_id,
      payload: {
        campaignId: r.campaign_id,
        registrationId: r.id,
        profileId,
        leadId: r.lead_id,
        couponId,
        journeyId: r.journey_id,
      },
    });
  });
}
