import type { Script, ScriptsQuery } from '@kehu/contracts/scripts';
import { sql } from 'kysely';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import { tokens } from '../../core/text/words.ts';
import { type ScriptViewer, scriptViewer, visibleWhere } from './script-access.ts';
import { scriptColumns, toScript } from './scripts.service.ts';

/** Any of the words, as a tsquery over the jieba-token index (each word quoted by plainto_tsquery). */
const anyWord = (words: string[]) =>
  sql.join(
    words.map((w) => sql`plainto_tsquery('simple', ${w})`),
    sql` || `,
  );

/**
 * The library as the caller sees it. With `q`: ranked by how many of the query's words a
 * script holds (title words count twice, see indexText), then by use; words jieba cannot
 * split out (all stop words) fall back to a substring match.
 */
export async function listScripts(tx: Tx, p: Principal, q: ScriptsQuery): Promise<{ items: Script[] }> {
  const v = await scriptViewer(tx, p);
  const limit = q.limit ?? 100;
  const words = q.q ? [...new Set(tokens(q.q))].slice(0, 20) : [];
  const text = q.q?.trim() ?? '';
  const match =
    words.length > 0
      ? sql`s.search @@ (${anyWord(words)})`
      : text
        ? sql`(s.title ilike ${`%${escapeLike(text)}%`} or s.body ilike ${`%${escapeLike(text)}%`})`
        : sql`true`;
  const score = words.length > 0 ? sql`ts_rank(s.search, ${anyWord(words)})` : sql`null::real`;
  const rows = (
    await sql<any>`select ${scriptColumns(p.userId)}, ${score} as score from scripts s
      where s.tenant_id = ${p.tenantId} and ${visibleWhere(v)} and ${match}
        and (${q.scope ?? null}::text is null or s.scope = ${q.scope ?? null})
        and (${q.enabled ?? null}::text is null or s.enabled = ${q.enabled === 'true'})
        and (${q.categoryId ?? null}::uuid is null or s.category_id = ${q.categoryId ?? null}::uuid
          or s.category_id in (select id from script_categories c where c.tenant_id = s.tenant_id
            and c.parent_id = ${q.categoryId ?? null}::uuid))
      order by score desc nulls last, s.use_count desc, s.updated_at desc, s.id
      limit ${limit}`.execute(tx)
  ).rows;
  return { items: rows.map((r) => toScript(v, r)) };
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** Enabled scripts the caller sees, with their indexed tokens (the suggestion corpus). */
async function corpus(tx: Tx, v: ScriptViewer): Promise<{ id: string; tokens: string }[]> {
  return (
    await sql<{ id: string; tokens: string }>`select s.id, s.tokens from scripts s
      where s.tenant_id = ${v.principal.tenantId} and s.enabled and ${visibleWhere(v)}
      order by s.use_count desc limit 5000`.execute(tx)
  ).rows;
}

function termFrequencies(words: string[]): Map<string, number> {
  const tf = new Map<string, number>();
  for (const w of words) tf.set(w, (tf.get(w) ?? 0) + 1);
  return tf;
}

/**
 * Reply suggestions (R5.5): the three scripts most like what the customer wrote, by TF-IDF
 * cosine over jieba tokens, among the enabled scripts the caller may send. IDF is taken over
 * that same set, so a word every script uses (您好) counts for little.
 */
export async function suggestScripts(
  tx: Tx,
  p: Principal,
  text: string,
  limit = 3,
): Promise<{ items: Script[] }> {
  const v = await scriptViewer(tx, p);
  const query = termFrequencies(tokens(text));
  if (query.size === 0) return { items: [] };
  const docs = (await corpus(tx, v)).map((d) => ({
    id: d.id,
    tf: termFrequencies(d.tokens.split(' ').filter(Boolean)),
  }));
  const df = new Map<string, number>();
  for (const d of docs) for (const w of d.tf.keys()) df.set(w, (df.get(w) ?? 0) + 1);
  const idf = (w: string) => Math.log((docs.length + 1) / ((df.get(w) ?? 0) + 1)) + 1;
  const weigh = (tf: Map<string, number>) => {
    const vec = new Map<string, number>();
    let norm = 0;
    for (const [w, n] of tf) {
      const x = (1 + Math.log(n)) * idf(w);
      vec.set(w, x);
      norm += x * x;
    }
    return { vec, norm: Math.sqrt(norm) };
  };
  const q = weigh(query);
  const scored = docs
    .map((d) => {
      const dv = weigh(d.tf);
      let dot = 0;
      for (const [w, x] of q.vec) dot += x * (dv.vec.get(w) ?? 0);
      return { id: d.id, score: dv.norm && q.norm ? dot / (dv.norm * q.norm) : 0 };
    })
    .filter((d) => d.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, limit);
  if (scored.length === 0) return { items: [] };
  const rows = (
    await sql<any>`select ${scriptColumns(p.userId)} from scripts s
      where s.tenant_id = ${p.tenantId} and s.id = any(${scored.map((s) => s.id)}::uuid[])`.execute(tx)
  ).rows;
  const byId = new Map(rows.map((r) => [r.id, r]));
  return {
    items: scored
      .filter((s) => byId.has(s.id))
      .map((s) => toScript(v, { ...byId.get(s.id), score: Math.round(s.score * 1000) / 1000 })),
  };
}
