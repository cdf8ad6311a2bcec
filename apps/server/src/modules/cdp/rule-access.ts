import { type RawBuilder, sql } from 'kysely';
import { can, dataScopeFor, type Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { type FieldError, invalid } from '../../core/errors.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import type { ObjectDef } from '../../engine/records/object-def.ts';
import { type RecordCtx, recordCtx } from '../../engine/records/record.service.ts';
import { scopeWhere } from '../../engine/records/record-sql.ts';
import { ct } from './cdp.messages.ts';
import { personalTraitKind } from './masking.ts';
import { recordSource } from './record-source.ts';
import { type CrmScope, type EventRule, type Rule, snake } from './rules.ts';
import type { Viewer } from './viewer.ts';

export type { CrmScope };

/**
 * Rules see what their author sees (ARCHITECTURE §6). Every evaluator a person can drive — tag
 * and segment previews and saves today, journeys, loyalty and dealer rules tomorrow — goes
 * through the two functions here, or a rule becomes an oracle: `phone contains "1883041…"`
 * extended one digit at a time reads a hidden phone back from the match count.
 *
 * - `assertRuleVisibleTo`: a rule may only compare values its author reads in full. Record
 *   fields (CRM conditions, fields of other objects) go by the record engine's field access;
 *   personal profile traits and personal event properties need `profile:unmask`.
 * - `scopeFilterFor`: every count or list of subjects shown to a person holds only subjects in
 *   their data scope. Saved segments are computed tenant-wide by the system; each read of their
 *   membership is filtered to the reader's scope.
 */

/** A rule inside a request body and the path of its field there (`rule`, `config.scores.0.rule` …). */
export interface RuleAt {
  rule: Rule;
  path: string;
}

const TRAIT_LABELS: Record<string, { 'zh-CN': string; 'en-US': string }> = {
  phone: { 'zh-CN': '手机', 'en-US': 'Phone' },
  email: { 'zh-CN': '邮箱', 'en-US': 'Email' },
  name: { 'zh-CN': '姓名', 'en-US': 'Name' },
  address: { 'zh-CN': '地址', 'en-US': 'Address' },
  id_number: { 'zh-CN': '证件号', 'en-US': 'ID number' },
  birthday: { 'zh-CN': '生日', 'en-US': 'Birthday' },
  id: { 'zh-CN': '社交账号', 'en-US': 'Social account' },
};

/** Event properties are free-form: ones named like personal data are treated as personal. */
const PERSONAL_PROP = /phone|mobile|email|address|id_?number|idcard|openid|unionid|external_?userid/i;
const personalProp = (key: string) =>
  personalTraitKind(key) ?? (PERSONAL_PROP.test(key) ? (/mail/i.test(key) ? 'email' : 'phone') : null);

/** Whether an event property holds personal data (a rule on it needs profile:unmask). */
export const isPersonalProperty = (key: string) => personalProp(key) !== null;

const refusal = (locale: Locale, field: string, label: string): FieldError => ({
  field,
  code: 'cdp.rule_field_access',
  params: { field: label },
  message: ct(locale, 'rule_field_access', { field: label }),
});

/**
 * Throws 422 (a field error on each offending condition's path) unless every field, trait and
 * event property the rules compare is one the viewer reads in full, and every tag they name
 * exists for the object. `object` is what the rules run over: `profile` or a record object.
 */
export async function assertRuleVisibleTo(
  tx: Tx,
  viewer: Viewer,
  object: string,
  rules: RuleAt[],
  locale: Locale,
): Promise<void> {
  const p = viewer.principal;
  const unmask = can(p, 'profile:unmask');
  const errors: FieldError[] = [];
  const ctxs = new Map<string, RecordCtx | null>();
  const ctxOf = async (o: string) => {
    if (!ctxs.has(o))
      ctxs.set(o, can(p, `${o}:read`) ? await recordCtx(tx, p, viewer.actor, o).catch(() => null) : null);
    return ctxs.get(o)!;
  };
  /** A record field the viewer reads in full, by API name or (rules saved before API names) column. */
  const recordField = async (o: string, name: string, path: string) => {
    const ctx = await ctxOf(o);
    const f = ctx?.obj.fields.find(
      (x) => x.apiName === name || x.column === name || x.column === snake(name),
    );
    if (ctx && f && ctx.access.get(f.apiName) === 'full') return;
    errors.push(refusal(locale, path, f ? f.label[locale] : name));
  };
  const personal = (kind: string | null, name: string, path: string) => {
    if (kind && !unmask) errors.push(refusal(locale, path, TRAIT_LABELS[kind]?.[locale] ?? name));
  };
  const tags = new Set<string>();
  const tagPaths: [string, string][] = [];
  const walk = async (r: Rule, path: string): Promise<void> => {
    if ('and' in r) for (const [i, c] of r.and.entries()) await walk(c, `${path}.and.${i}`);
    else if ('or' in r) for (const [i, c] of r.or.entries()) await walk(c, `${path}.or.${i}`);
    else if ('not' in r) await walk(r.not, `${path}.not`);
    else if ('event' in r) {
      const e = r as EventRule;
      for (const [i, w] of (e.where ?? []).entries())
        personal(personalProp(w.prop), w.prop, `${path}.where.${i}.prop`);
      if (e.agg === 'sum' && e.property) personal(personalProp(e.property), e.property, `${path}.property`);
    } else if ('tag' in r) tagPaths.push([r.tag, `${path}.tag`]);
    else if ('crm' in r) await recordField(r.crm, r.field, `${path}.field`);
    else if (object === 'profile') personal(personalTraitKind(r.trait), r.trait, `${path}.trait`);
    else await recordField(object, r.trait, `${path}.trait`);
  };
  for (const { rule, path } of rules) await walk(rule, path);
  if (tagPaths.length) {
    const keys = [...new Set(tagPaths.map(([k]) => k))];
    const r = await sql<{ key: string }>`select key from cdp_tags
      where tenant_id = ${p.tenantId} and object = ${object} and key = any(${keys}::text[])`.execute(tx);
    for (const x of r.rows) tags.add(x.key);
    for (const [key, path] of tagPaths)
      if (!tags.has(key))
        errors.push({ field: path, code: 'cdp.unknown_tag', message: ct(locale, 'unknown_tag') });
  }
  if (errors.length) throw invalid(errors);
}

/** A predicate over a subject id: is that subject in the viewer's data scope? */
export interface SubjectScope {
  /** True when the viewer sees every subject of the tenant (no filter needed). */
  all: boolean;
  where: (id: RawBuilder<unknown>) => RawBuilder<unknown>;
}

const ALL: SubjectScope = { all: true, where: () => sql`true` };
const NONE: SubjectScope = { all: false, where: () => sql`false` };

/** The record engine's row scope of an object over alias `r` (only the object's name is read). */
const rowScopeSql = (p: Principal, object: string) => scopeWhere(p, { apiName: object } as ObjectDef);

/** `exists` a live record of `object` with id `id` inside the viewer's row scope. */
function recordInScope(p: Principal, object: string, id: RawBuilder<unknown>) {
  const src = recordSource(object);
  return sql`exists (select 1 from ${src.table} where ${src.where(p.tenantId)} and r.id = ${id} and ${rowScopeSql(p, object)})`;
}

/**
 * The subjects of `object` a viewer may see, as the profile list and the record lists apply it:
 * records by the record engine's row scope (none without `<object>:read`); profiles all of the
 * tenant (the profile list shows every profile to `cdp:read`; what is scoped inside a profile is
 * its CRM side, see `crmScopeFor`). Pass an id expression other than `r.id` (the check reads alias `r`).
 */
export function scopeFilterFor(viewer: Viewer | Principal, object: string): SubjectScope {
  const p = 'principal' in viewer ? viewer.principal : viewer;
  if (object === 'profile') return ALL;
  if (!can(p, `${object}:read`)) return NONE;
  if (dataScopeFor(p, object) === 'tenant') return ALL;
  return { all: false, where: (id) => recordInScope(p, object, id) };
}

/**
 * The CRM records a profile rule may look at for a viewer: a `crm` condition evaluated for a
 * person reads only contacts and customers in their scope, or whether a profile matches would
 * tell them a value of a record they may not see.
 */
export const crmScopeFor =
  (viewer: Viewer | Principal): CrmScope =>
  (object, id) =>
    scopeFilterFor(viewer, object).where(id);
