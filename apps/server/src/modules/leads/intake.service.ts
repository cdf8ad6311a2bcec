import { randomBytes } from 'node:crypto';
import type { FormFieldSpec } from '@kehu/contracts/leads';
import { sql } from 'kysely';
import type { Actor } from '../../core/audit/audit.ts';
import { writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Db } from '../../core/db/database.ts';
import { inTenant, type Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { isUuid, newId } from '../../core/ids.ts';
import { createRecords, recordCtx } from '../../engine/records/record.service.ts';
import { intakeContexts } from './lead.hooks.ts';
import { leadsProblem } from './leads.messages.ts';
import { assertOwnRefs } from './tenant-refs.ts';

/** The honeypot: a field real visitors never see and bots love to fill. */
export const HONEYPOT = 'website';

export interface LeadForm {
  id: string;
  formKey: string;
  name: string;
  channel: string;
  campaign: string | null;
  fields: FormFieldSpec[];
  thankYou: { 'zh-CN': string; 'en-US': string } | null;
  unitId: string;
  createdBy: string;
  enabled: boolean;
}

const toForm = (r: any): LeadForm => ({
  id: r.id,
  formKey: r.form_key,
  name: r.name,
  channel: r.channel,
  campaign: r.campaign,
  fields: r.fields,
  thankYou: r.thank_you,
  unitId: r.unit_id,
  createdBy: r.created_by,
  enabled: r.enabled,
});

/** `lf_<tenant id hex>_<random>`: the tenant is known from the key before any query runs. */
export function newFormKey(tenantId: string): string {
  return `lf_${tenantId.replaceAll('-', '')}_${randomBytes(9).toString('base64url')}`;
}

export function tenantOfFormKey(key: string): string | null {
  const m = /^lf_([0-9a-f]{32})_[\w-]{6,40}$/.exec(key);
  if (!m) return null;
  const h = m[1]!;
  const id = `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  return isUuid(id) ? id : null;
}

export async function listForms(tx: Tx, tenantId: string) {
  const rows = (
    await sql<any>`select * from lead_forms where tenant_id = ${tenantId} order by created_at`.execute(tx)
  ).rows;
  return { items: rows.map(toForm) };
}

export async function createForm(
  tx: Tx,
  actor: Actor,
  p: Principal,
  input: {
    name: string;
    channel?: string;
    campaign?: string | null;
    fields: FormFieldSpec[];
    thankYou?: LeadForm['thankYou'];
    unitId?: string;
  },
) {
  await assertOwnRefs(tx, p.tenantId, [{ field: 'unitId', table: 'units', id: input.unitId }]);
  const id = newId();
  const key = newFormKey(p.tenantId);
  await sql`insert into lead_forms (tenant_id, id, form_key, name, channel, campaign, fields, thank_you, unit_id, created_by)
    values (${p.tenantId}, ${id}, ${key}, ${input.name}, ${input.channel ?? 'web_form'}, ${input.campaign ?? null},
      ${JSON.stringify(input.fields)}::jsonb, ${input.thankYou ? JSON.stringify(input.thankYou) : null}::jsonb,
      ${input.unitId ?? p.unitId}, ${p.userId})`.execute(tx);
  await writeAudit(tx, actor, {
    action: 'lead_form_create',
    object: 'lead_form',
    recordId: id,
    meta: { name: input.name },
  });
  return toForm(
    (await sql<any>`select * from lead_forms where tenant_id = ${p.tenantId} and id = ${id}`.execute(tx))
      .rows[0],
  );
}

export async function updateForm(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  id: string,
  patch: Record<string, unknown>,
) {
  const r = await sql<any>`update lead_forms set
      name = coalesce(${(patch.name as string) ?? null}, name),
      channel = coalesce(${(patch.channel as string) ?? null}, channel),
      campaign = case when ${patch.campaign !== undefined} then ${(patch.campaign as string) ?? null} else campaign end,
      fields = coalesce(${patch.fields ? JSON.stringify(patch.fields) : null}::jsonb, fields),
      thank_you = coalesce(${patch.thankYou ? JSON.stringify(patch.thankYou) : null}::jsonb, thank_you),
      enabled = coalesce(${(patch.enabled as boolean) ?? null}, enabled),
      updated_at = now()
    where tenant_id = ${tenantId} and id = ${id} returning *`.execute(tx);
  if (!r.rows[0]) throw notFound('lead_form');
  await writeAudit(tx, actor, {
    action: 'lead_form_update',
    object: 'lead_form',
    recordId: id,
    meta: { fields: Object.keys(patch) },
  });
  return toForm(r.rows[0]);
}

async function loadForm(tx: Tx, tenantId: string, key: string, locale: Locale): Promise<LeadForm> {
  const r = (
    await sql<any>`select * from lead_forms where tenant_id = ${tenantId} and form_key = ${key} and enabled`.execute(
      tx,
    )
  ).rows[0];
  if (!r) throw leadsProblem('not_found', locale, 'form_disabled');
  return toForm(r);
}

/** What an embedding page needs to render the form (no internal ids). */
export async function publicFormSpec(db: Db, key: string, locale: Locale) {
  const tenantId = tenantOfFormKey(key);
  if (!tenantId) throw leadsProblem('not_found', locale, 'form_disabled');
  return inTenant(
    db,
    tenantId,
    async (tx) => {
      const f = await loadForm(tx, tenantId, key, locale);
      return { name: f.name, fields: f.fields, honeypot: HONEYPOT, thankYou: f.thankYou?.[locale] ?? null };
    },
    { readOnly: true },
  );
}

/**
 * A public form submission. It runs as the form's creator for attribution, with tenant
 * rights restricted to creating this one lead; the record engine validates the values and the
 * lead hooks dedupe, score and assign it (or pool it in the form's unit).
 */
export async function submitPublicForm(
  db: Db,
  key: string,
  body: Record<string, unknown>,
  meta: { ip: string; locale: Locale; requestId: string },
) {
  const tenantId = tenantOfFormKey(key);
  if (!tenantId) throw leadsProblem('not_found', meta.locale, 'form_disabled');
  return inTenant(db, tenantId, async (tx) => {
    const form = await loadForm(tx, tenantId, key, meta.locale);
    const authz = (
      await sql<{ authz_version: number }>`select authz_version from tenants where id = ${tenantId}`.execute(
        tx,
      )
    ).rows[0]!;
    const principal: Principal = {
      tenantId,
      userId: form.createdBy,
      userName: form.name,
      unitId: form.unitId,
      locale: meta.locale,
      kind: 'user',
      permissions: ['lead:create'],
      dataScopes: { lead: 'tenant' },
      fieldAccess: {},
      subtreeUnitIds: [form.unitId],
      authzVersion: authz.authz_version,
    };
    const actor: Actor = {
      tenantId,
      actorId: null,
      actorKind: 'system',
      ip: meta.ip,
      requestId: meta.requestId,
    };
    const values: Record<string, unknown> = { channel: form.channel, campaign: form.campaign };
    const errors = [];
    for (const spec of form.fields) {
      const v = body[spec.field];
      if (v !== undefined && v !== null && v !== '') values[spec.field] = v;
      else if (spec.required) errors.push({ field: spec.field, code: 'required' });
    }
    if (typeof body.utm_campaign === 'string' && body.utm_campaign)
      values.campaign = body.utm_campaign.slice(0, 100);
    if (typeof body.message === 'string' && body.message && !values.remark)
      values.remark = body.message.slice(0, 2000);
    if (errors.length) throw invalid(errors);
    const ctx = await recordCtx(tx, principal, actor, 'lead');
    intakeContexts.set(ctx, { via: 'web_form', poolUnitId: form.unitId, sourceId: form.id });
    const [r] = await createRecords(ctx, [values], { trusted: false, via: 'web_form' });
    return { id: r!.id!, thankYou: form.thankYou?.[meta.locale] ?? null };
  });
}

// ------------------------------------------------------------------ channel codes (活码)

export interface ChannelInput {
  code: string;
  name: string;
  channel: string;
  campaign?: string | null;
  defaultTags?: string[];
  ruleId?: string | null;
  unitId?: string | null;
  enabled?: boolean;
}

const toChannel = (r: any) => ({
  id: r.id,
  code: r.code,
  name: r.name,
  channel: r.channel,
  campaign: r.campaign,
  defaultTags: r.default_tags,
  ruleId: r.rule_id,
  unitId: r.unit_id,
  enabled: r.enabled,
  createdAt: new Date(r.created_at).toISOString(),
});

export async function listChannels(tx: Tx, tenantId: string) {
  const rows = (
    await sql<any>`select * from lead_channels where tenant_id = ${tenantId} order by created_at`.execute(tx)
  ).rows;
  return { items: rows.map(toChannel) };
}

export async function upsertChannel(
  tx: Tx,
  actor: Actor,
  tenantId: string,
  id: string | null,
  input: ChannelInput,
) {
  await assertOwnRefs(tx, tenantId, [
    { field: 'ruleId', table: 'lead_assignment_rules', id: input.ruleId },
    { field: 'unitId', table: 'units', id: input.unitId },
  ]);
  const rowId = id ?? newId();
  const r = id
    ? await sql<any>`update lead_channels set code = ${input.code}, name = ${input.name}, channel = ${input.channel},
          campaign = ${input.campaign ?? null}, default_tags = ${JSON.stringify(input.defaultTags ?? [])}::jsonb,
          rule_id = ${input.ruleId ?? null}, unit_id = ${input.unitId ?? null}, enabled = ${input.enabled ?? true}, updated_at = now()
        where tenant_id = ${tenantId} and id = ${id} returning *`.execute(tx)
    : await sql<any>`insert into lead_channels (tenant_id, id, code, name, channel, campaign, default_tags, rule_id, unit_id, enabled)
        values (${tenantId}, ${rowId}, ${input.code}, ${input.name}, ${input.channel}, ${input.campaign ?? null},
          ${JSON.stringify(input.defaultTags ?? [])}::jsonb, ${input.ruleId ?? null}, ${input.unitId ?? null}, ${input.enabled ?? true})
        returning *`.execute(tx);
  if (!r.rows[0]) throw notFound('lead_channel');
  await writeAudit(tx, actor, {
    action: id ? 'lead_channel_update' : 'lead_channel_create',
    object: 'lead_channel',
    recordId: rowId,
    meta: { ...input },
  });
  return toChannel(r.rows[0]);
}

/** A lead arriving with a channel code: the code decides channel, campaign, tags and rule. */
export async function intakeByChannel(
  tx: Tx,
  principal: Principal,
  actor: Actor,
  body: { state: string } & Record<string, unknown>,
  locale: Locale,
) {
  const ch = (
    await sql<any>`select * from lead_channels where tenant_id = ${principal.tenantId} and code = ${body.state} and enabled`.execute(
      tx,
    )
  ).rows[0];
  if (!ch)
    throw leadsProblem('validation', locale, 'channel_unknown', { state: body.state }, [
      { field: 'state', code: 'lookup_missing' },
    ]);
  const { state: _state, ...rest } = body;
  const tags = [
    ...new Set([
      ...(Array.isArray(rest.tags) ? (rest.tags as string[]) : []),
      ...(ch.default_tags as string[]),
    ]),
  ];
  const values = {
    ...rest,
    channel: ch.channel,
    campaign: ch.campaign ?? rest.campaign ?? null,
    ...(tags.length ? { tags } : {}),
  };
  const ctx = await recordCtx(tx, principal, actor, 'lead');
  intakeContexts.set(ctx, {
    via: 'channel_code',
    poolUnitId: ch.unit_id ?? principal.unitId,
    forcedRuleId: ch.rule_id,
    sourceId: ch.id,
  });
  const [r] = await createRecords(ctx, [values], { via: 'channel_code' });
  return { id: r!.id!, channel: ch.channel, campaign: values.campaign, tags };
}

/**
 * A lead from a connector (a WeCom friend added through a channel code, …): created as the
 * system on behalf of the connector, owned by `ownerId` when the connector knows who it belongs
 * to (the staff member the customer added: SLA clock starts, assignee notified), otherwise
 * assigned by the tenant's rules or pooled in `unitId`. The record engine validates the values
 * and the lead hooks dedupe and score as for any intake.
 */
export async function intakeFromConnector(
  tx: Tx,
  input: {
    tenantId: string;
    actor: Actor;
    ownerId: string | null;
    unitId: string;
    values: Record<string, unknown>;
    sourceId: string;
    locale: Locale;
  },
): Promise<{ id: string }> {
  const { tenantId } = input;
  const authz = (
    await sql<{ authz_version: number }>`select authz_version from tenants where id = ${tenantId}`.execute(tx)
  ).rows[0]!;
  const principal: Principal = {
    tenantId,
    userId: input.ownerId ?? input.actor.actorId ?? '00000000-0000-0000-0000-000000000000',
    userName: 'connector',
    unitId: input.unitId,
    locale: input.locale,
    kind: 'user',
    permissions: ['lead:create'],
    dataScopes: { lead: 'tenant' },
    fieldAccess: {},
    subtreeUnitIds: [input.unitId],
    authzVersion: authz.authz_version,
  };
  const values = {
    ...input.values,
    ...(input.ownerId ? { ownerId: input.ownerId, unitId: input.unitId } : {}),
  };
  const ctx = await recordCtx(tx, principal, input.actor, 'lead');
  intakeContexts.set(ctx, { via: 'channel_code', poolUnitId: input.unitId, sourceId: input.sourceId });
  const [r] = await createRecords(ctx, [values], { via: 'channel_code' });
  return { id: r!.id! };
}
