import { CDP_PERMISSIONS } from '@kehu/contracts/cdp';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import { can, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { invalid, notFound } from '../../core/errors.ts';
import { newId } from '../../core/ids.ts';
import { maskValue } from '../../engine/records/field-types.ts';
import { emailHtml } from './email/layout.ts';
import { mt } from './messaging.messages.ts';
import { loadRecipient, type Recipient } from './recipient.ts';
import {
  loadTemplate,
  MissingVariables,
  pickVariant,
  renderText,
  variablesIn,
  variablesOf,
} from './render.ts';

const iso = (d: Date | string) => new Date(d).toISOString();

interface TemplateInput {
  name: string;
  channel: string;
  subject?: string | null;
  body: string;
  url?: string | null;
  providerCode?: string | null;
  variants?: Array<{ segmentId: string; subject?: string | null; body: string; url?: string | null }>;
}

const out = (r: any) => ({
  id: r.id,
  name: r.name,
  channel: r.channel,
  subject: r.subject,
  body: r.body,
  url: r.url,
  providerCode: r.provider_code,
  variants: r.variants ?? [],
  variables: variablesIn(
    r.subject,
    r.body,
    r.url,
    ...(r.variants ?? []).flatMap((v: any) => [v.subject, v.body]),
  ),
  createdAt: iso(r.created_at),
  updatedAt: iso(r.updated_at),
});

export async function listTemplates(tx: Tx, tenantId: string) {
  const rows = (
    await sql<any>`select * from messaging_templates where tenant_id = ${tenantId} order by updated_at desc limit 500`.execute(
      tx,
    )
  ).rows;
  return { items: rows.map(out) };
}

export async function getTemplate(tx: Tx, tenantId: string, id: string) {
  const r = (
    await sql<any>`select * from messaging_templates where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
  ).rows[0];
  if (!r) throw notFound('messaging_template');
  return out(r);
}

async function checkSegments(tx: Tx, tenantId: string, input: TemplateInput) {
  const ids = (input.variants ?? []).map((v) => v.segmentId);
  if (!ids.length) return;
  const found = new Set(
    (
      await sql<{
        id: string;
      }>`select id from cdp_segments where tenant_id = ${tenantId} and id = any(${ids}::uuid[])`.execute(tx)
    ).rows.map((r) => r.id),
  );
  const errors = ids
    .map((id, i) =>
      found.has(id) ? null : { field: `variants.${i}.segmentId`, code: 'not_found', message: 'segment' },
    )
    .filter((e) => e !== null);
  if (errors.length) throw invalid(errors);
}

export async function createTemplate(tx: Tx, actor: Actor, input: TemplateInput) {
  await checkSegments(tx, actor.tenantId, input);
  const id = newId();
  await sql`insert into messaging_templates (tenant_id, id, name, channel, subject, body, url, provider_code, variants, created_by)
    values (${actor.tenantId}, ${id}, ${input.name}, ${input.channel}, ${input.subject ?? null}, ${input.body},
      ${input.url ?? null}, ${input.providerCode ?? null}, ${JSON.stringify(input.variants ?? [])}::jsonb, ${actor.actorId})`.execute(
    tx,
  );
  await writeAudit(tx, actor, { action: 'create', object: 'messaging_template', recordId: id });
  return getTemplate(tx, actor.tenantId, id);
}

export async function updateTemplate(tx: Tx, actor: Actor, id: string, input: TemplateInput) {
  await checkSegments(tx, actor.tenantId, input);
  const r = await sql`update messaging_templates set name = ${input.name}, channel = ${input.channel},
      subject = ${input.subject ?? null}, body = ${input.body}, url = ${input.url ?? null},
      provider_code = ${input.providerCode ?? null}, variants = ${JSON.stringify(input.variants ?? [])}::jsonb,
      updated_at = now(), version = version + 1
    where tenant_id = ${actor.tenantId} and id = ${id} returning id`.execute(tx);
  if (!r.rows.length) throw notFound('messaging_template');
  await writeAudit(tx, actor, { action: 'update', object: 'messaging_template', recordId: id });
  return getTemplate(tx, actor.tenantId, id);
}

export async function deleteTemplate(tx: Tx, actor: Actor, id: string) {
  const r =
    await sql`delete from messaging_templates where tenant_id = ${actor.tenantId} and id = ${id} returning id`.execute(
      tx,
    );
  if (!r.rows.length) throw notFound('messaging_template');
  await writeAudit(tx, actor, { action: 'delete', object: 'messaging_template', recordId: id });
}

/** Trait names that hold personal data, masked in previews for whoever may not unmask profiles. */
const PERSONAL: Array<[RegExp, string]> = [
  [/phone|mobile/i, 'phone'],
  [/email/i, 'email'],
  [/address/i, 'address'],
  [/id_?number|idcard/i, 'id_number'],
];

/**
 * A preview renders for one profile as the previewing person sees it: without the right to unmask
 * profiles, personal traits (phone, email, address, id number) and the name are masked before
 * rendering, so a template cannot be used to read them.
 */
export async function previewTemplate(
  tx: Tx,
  p: Principal,
  id: string,
  input: { profileId: string; variables?: Record<string, string>; segmentId?: string | null },
) {
  const t = await loadTemplate(tx, p.tenantId, id);
  if (!t) throw notFound('messaging_template');
  const r = await loadRecipient(tx, p.tenantId, input.profileId);
  if (!r) throw notFound('profile');
  const viewer: Recipient = can(p, CDP_PERMISSIONS.unmaskProfile) ? r : masked(r);
  // A chosen variant (the editor's "preview as segment …"), else the one the profile would get.
  let v = await pickVariant(tx, p.tenantId, t, viewer);
  if (input.segmentId !== undefined) {
    const chosen =
      input.segmentId === null ? null : (t.variants ?? []).find((x) => x.segmentId === input.segmentId);
    if (input.segmentId !== null && !chosen)
      throw invalid([{ field: 'segmentId', code: 'not_found', message: 'segment' }]);
    v = chosen
      ? { subject: chosen.subject ?? t.subject, body: chosen.body, url: chosen.url ?? t.url }
      : { subject: t.subject, body: t.body, url: t.url };
  }
  const vars = variablesOf(viewer, input.variables);
  try {
    const subject = v.subject ? renderText(v.subject, vars) : null;
    const text = renderText(v.body, vars);
    const url = v.url ? renderText(v.url, vars) : null;
    return {
      subject,
      text,
      url,
      segmentId: (t.variants ?? []).find((x) => x.body === v.body)?.segmentId ?? null,
      // Email: the HTML the recipient gets (links are tracked and the footer added at delivery).
      html:
        t.channel === 'email'
          ? emailHtml({
              subject: subject ?? '',
              text,
              button: url ? { label: mt('zh-CN', 'open_button'), url } : null,
            })
          : null,
    };
  } catch (err) {
    if (!(err instanceof MissingVariables)) throw err;
    throw invalid(err.names.map((n) => ({ field: `variables.${n}`, code: 'missing_variable', message: n })));
  }
}

function masked(r: Recipient): Recipient {
  const traits: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(r.traits)) {
    const kind = /^name$/i.test(k) ? 'name' : PERSONAL.find(([re]) => re.test(k))?.[1];
    traits[k] = kind && typeof v === 'string' ? maskValue({ type: 'text', personalKind: kind } as any, v) : v;
  }
  return { ...r, traits, phone: null, email: null };
}
