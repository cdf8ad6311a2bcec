import { sql } from 'kysely';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Recipient } from './recipient.ts';

/** `{{name}}`, `{{coupon_code}}`, `{{owner.name}}`, `{{profile.city}}` … */
const VAR = /\{\{\s*([a-zA-Z_][\w.]*)\s*\}\}/g;

export const variablesIn = (...texts: Array<string | null | undefined>): string[] => {
  const out = new Set<string>();
  for (const t of texts) for (const m of (t ?? '').matchAll(VAR)) out.add(m[1]!);
  return [...out];
};

export interface TemplateRow {
  id: string;
  channel: string;
  subject: string | null;
  body: string;
  url: string | null;
  provider_code: string | null;
  variants: Array<{ segmentId: string; subject?: string | null; body: string; url?: string | null }>;
}

export async function loadTemplate(tx: Tx, tenantId: string, id: string): Promise<TemplateRow | null> {
  return (
    (
      await sql<TemplateRow>`select id, channel, subject, body, url, provider_code, variants from messaging_templates
        where tenant_id = ${tenantId} and id = ${id}`.execute(tx)
    ).rows[0] ?? null
  );
}

/** 千人千面: the first variant whose segment the profile is in, else the template's own text. */
export async function pickVariant(tx: Tx, tenantId: string, t: TemplateRow, r: Recipient) {
  const segs = (t.variants ?? []).map((v) => v.segmentId);
  if (segs.length) {
    const member = new Set(
      (
        await sql<{
          segment_id: string;
        }>`select segment_id from cdp_segment_members where tenant_id = ${tenantId}
          and segment_id = any(${segs}::uuid[]) and subject_id in (${r.profileId}, ${r.canonicalId})`.execute(
          tx,
        )
      ).rows.map((x) => x.segment_id),
    );
    const v = t.variants.find((x) => member.has(x.segmentId));
    if (v) return { subject: v.subject ?? t.subject, body: v.body, url: v.url ?? t.url };
  }
  return { subject: t.subject, body: t.body, url: t.url };
}

/** The variables a recipient offers: profile traits, CRM name, owner, and the caller's extras. */
export function variablesOf(r: Recipient, extra: Record<string, string> = {}): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const [k, v] of Object.entries(r.traits))
    if (typeof v === 'string' || typeof v === 'number') vars[`profile.${k}`] = String(v);
  const name = (typeof r.traits.name === 'string' ? r.traits.name : null) ?? r.customerName;
  if (name) vars.name = name;
  if (r.customerName) vars['customer.name'] = r.customerName;
  if (r.ownerName) vars['owner.name'] = r.ownerName;
  return { ...vars, ...extra };
}

export class MissingVariables extends Error {
  readonly names: string[];
  constructor(names: string[]) {
    super(`missing variables: ${names.join(', ')}`);
    this.names = names;
  }
}

export function renderText(text: string, vars: Record<string, string>): string {
  const missing = variablesIn(text).filter((n) => vars[n] === undefined);
  if (missing.length) throw new MissingVariables(missing);
  return text.replace(VAR, (_m, n: string) => vars[n]!);
}
