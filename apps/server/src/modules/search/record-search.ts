import type { SearchHit } from '@kehu/contracts/search';
import { type RawBuilder, sql } from 'kysely';
import { can } from '../../core/auth/principal.ts';
import { AppError } from '../../core/errors.ts';
import type { Label, Locale } from '../../core/i18n/locale.ts';
import { type FieldDef, normalisePhone } from '../../engine/records/field-types.ts';
import { type RecordCtx, recordCtx } from '../../engine/records/record.service.ts';
import { table } from '../../engine/records/record-ctx.ts';
import { attachDisplay, type RecordOut, type Row, toRecord } from '../../engine/records/record-mapper.ts';
import { baseWhere, scopeWhere } from '../../engine/records/record-sql.ts';
import type { SearchContext, SearchSource, SourceResult } from './search-source.ts';

/** How the global search finds and shows one record-engine object. */
export interface RecordSearchSpec {
  object: string;
  label: Label;
  order: number;
  /** Text fields matched like the name (a lead's company …); the name field always is. */
  alsoMatch?: string[];
  /** Fields shown under the title, as the caller sees them (masked values stay masked). */
  subtitle: string[];
  /** The page a hit opens; default `/o/<object>/<id>`. */
  url?: (id: string) => string;
}

/** The first code point after every string starting with `s` (C collation orders by code point). */
function prefixEnd(s: string): string {
  const cps = [...s];
  const last = cps.pop()!.codePointAt(0)! + 1;
  // Skip the surrogate block, which is no character.
  return cps.join('') + String.fromCodePoint(last >= 0xd800 && last < 0xe000 ? 0xe000 : last);
}

/**
 * "Containing" looks at the newest records only (ids are UUIDv7: id order is creation order, and
 * `(tenant_id, id)` is every table's key): a term found nowhere then costs a bounded walk instead
 * of a scan of a million rows. Prefix and exact matches always cover every record.
 */
const CONTAINS_WINDOW = 20_000;

const looksLikeNumber = (s: string) => /^[+\d][\d\s()（）-]*$/.test(s);

function picklistLabel(f: FieldDef, v: unknown, locale: Locale): string {
  const o = f.options?.find((x) => x.value === v);
  return o ? (o.label[locale] ?? o.label['zh-CN']) : String(v);
}

function shown(ctx: RecordCtx, rec: RecordOut, name: string, locale: Locale): string | null {
  const f = ctx.obj.fields.find((x) => x.apiName === name);
  const v = rec[name];
  if (!f || v === null || v === undefined || v === '') return null;
  if (['lookup', 'user', 'unit'].includes(f.type)) return rec._display?.[name] ?? null;
  if (f.type === 'picklist' && !rec._masked?.includes(name)) return picklistLabel(f, v, locale);
  if (f.type === 'currency' && typeof v === 'object') {
    const m = v as { amount: number; currency: string };
    return `${m.currency} ${(m.amount / 100).toLocaleString('en-US', { maximumFractionDigits: 2 })}`;
  }
  return typeof v === 'object' ? null : String(v);
}

/**
 * Finds records the way the caller's list would (the record engine's tenant, soft-delete and
 * data-scope predicates; its field access and masking), in index-friendly steps:
 * 1. the name (and `alsoMatch` fields) by prefix — a range on `column collate "C"`, which stays an
 *    index range under row-level security where `like` would not (it is not leakproof);
 *    a field the caller sees masked matches only in full, or a prefix would read it back;
 * 2. phone and email fields by the exact value, also when masked (who knows the number may find
 *    the person, and sees the number masked);
 * 3. only if that found nothing, and the term is not a number: the name containing the term,
 *    among the newest CONTAINS_WINDOW records the caller may see.
 */
export function recordSearchSource(spec: RecordSearchSpec): SearchSource {
  return {
    key: spec.object,
    label: spec.label,
    order: spec.order,
    visible: (p) => can(p, `${spec.object}:read`),
    async search(c: SearchContext): Promise<SourceResult | null> {
      let ctx: RecordCtx;
      try {
        ctx = await recordCtx(c.tx, c.principal, c.actor, spec.object);
      } catch (e) {
        if (e instanceof AppError && e.status === 404) return null;
        throw e;
      }
      const { obj, access } = ctx;
      const want = c.limit + 1;
      const where = sql`${baseWhere(obj, c.principal.tenantId)} and ${scopeWhere(c.principal, obj)}`;
      const textFields = [obj.nameField, ...(spec.alsoMatch ?? [])]
        .map((n) => obj.fields.find((f) => f.apiName === n))
        .filter((f): f is FieldDef => !!f?.column && access.get(f.apiName) !== 'hidden');
      const steps: RawBuilder<Row>[] = [];
      for (const f of textFields) {
        const col = sql.ref(`r.${f.column}`);
        if (access.get(f.apiName) === 'full')
          steps.push(sql<Row>`(select r.* from ${table(obj)} where ${where}
            and ${col} collate "C" >= ${c.q} and ${col} collate "C" < ${prefixEnd(c.q)}
            order by ${col} collate "C" limit ${want})`);
        else
          steps.push(
            sql<Row>`(select r.* from ${table(obj)} where ${where} and ${col} = ${c.q} limit ${want})`,
          );
      }
      const phone = normalisePhone(c.q);
      for (const f of obj.fields) {
        if (!f.column || access.get(f.apiName) === 'hidden') continue;
        const col = sql.ref(`r.${f.column}`);
        if (f.type === 'phone' && phone)
          steps.push(
            sql<Row>`(select r.* from ${table(obj)} where ${where} and ${col} = ${phone} limit ${want})`,
          );
        if (f.type === 'email' && c.q.includes('@'))
          steps.push(
            sql<Row>`(select r.* from ${table(obj)} where ${where} and ${col} = ${c.q.toLowerCase()} limit ${want})`,
          );
      }
      if (!steps.length) return { hits: [], more: false, moreUrl: null };
      // One statement per source: the exact and prefix steps, then — only when they found nothing
      // (a one-time filter, so no scan otherwise) — the name containing the term.
      const fullText = textFields.filter((f) => access.get(f.apiName) === 'full');
      const like = `%${c.q.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;
      const contains =
        fullText.length && !looksLikeNumber(c.q)
          ? sql`union all (select r.*, 1 as __step from (select r.* from ${table(obj)} where ${where}
                and not exists (select 1 from found)
                order by r.id desc limit ${CONTAINS_WINDOW}) as r
              where (${sql.join(
                fullText.map((f) => sql`${sql.ref(`r.${f.column}`)} ilike ${like}`),
                sql` or `,
              )})
              and r.id not in (select id from found) limit ${want})`
          : sql``;
      const result = await sql<Row>`with found as materialized (${sql.join(steps, sql` union all `)})
        select *, 0 as __step from found ${contains}`.execute(c.tx);
      const rows: Row[] = [];
      const seen = new Set<string>();
      for (const step of [0, 1])
        for (const r of result.rows)
          if (r.__step === step && !seen.has(r.id)) {
            seen.add(r.id);
            rows.push(r);
          }
      const page = rows.slice(0, c.limit);
      const recs = page.map((r) => toRecord(obj, r, access));
      await attachDisplay(c.tx, c.principal.tenantId, ctx.meta.objects, obj, recs, new Set(), c.principal);
      const hits: SearchHit[] = recs.map((rec) => {
        const sub = spec.subtitle.flatMap((n) => shown(ctx, rec, n, c.locale) ?? []);
        return {
          object: spec.object,
          id: rec.id,
          title: shown(ctx, rec, obj.nameField, c.locale) ?? '—',
          subtitle: sub.length ? sub.join(' · ') : null,
          url: spec.url ? spec.url(rec.id) : `/o/${spec.object}/${rec.id}`,
        };
      });
      return {
        hits,
        more: rows.length > c.limit,
        moreUrl: `/o/${spec.object}?q=${encodeURIComponent(c.q)}`,
      };
    },
  };
}
