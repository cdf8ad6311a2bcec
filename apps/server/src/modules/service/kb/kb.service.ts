import type { KbArticle } from '@kehu/contracts/service';
import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../../core/audit/audit.ts';
import { can, type Principal } from '../../../core/auth/principal.ts';
import type { Tx } from '../../../core/db/tenant-scope.ts';
import type { Locale } from '../../../core/i18n/locale.ts';
import { newId } from '../../../core/ids.ts';
import { plainText, sanitizeArticle } from '../../../core/text/article-html.ts';
import { indexText, tokens } from '../../../core/text/words.ts';
import { serviceProblem } from '../service.messages.ts';

/** The knowledge base: articles (sanitised rich text), jieba search, reply suggestions, help pages. */

const anyWord = (words: string[]) =>
  sql.join(
    words.map((w) => sql`plainto_tsquery('simple', ${w})`),
    sql` || `,
  );
const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

const excerpt = (text: string) => (text.length > 120 ? `${text.slice(0, 120)}…` : text);
const toArticle = (r: any): KbArticle => ({
  id: r.id,
  title: r.title,
  category: r.category,
  bodyHtml: r.body_html ?? '',
  excerpt: excerpt(r.body_text ?? ''),
  status: r.status,
  public: r.public,
  views: r.views,
  version: r.version,
  updatedAt: new Date(r.updated_at).toISOString(),
});
const toListItem = (r: any) => {
  const { bodyHtml: _drop, ...rest } = toArticle(r);
  return r.score == null ? rest : { ...rest, score: Math.round(Number(r.score) * 1000) / 1000 };
};

/** Drafts are for the people who write; everyone with service:read sees published articles. */
const draftsVisible = (p: Principal) => can(p, 'service:kb');

export async function searchArticles(
  tx: Tx,
  tenantId: string,
  opts: { q?: string; status?: 'draft' | 'published'; publicOnly?: boolean; drafts: boolean; limit?: number },
) {
  const words = opts.q ? [...new Set(tokens(opts.q))].slice(0, 20) : [];
  const text = opts.q?.trim() ?? '';
  const where = [sql`a.tenant_id = ${tenantId}`];
  if (!opts.drafts) where.push(sql`a.status = 'published'`);
  if (opts.status) where.push(sql`a.status = ${opts.status}`);
  if (opts.publicOnly) where.push(sql`a.public and a.status = 'published'`);
  if (words.length) where.push(sql`a.search @@ (${anyWord(words)})`);
  else if (text)
    where.push(
      sql`(a.title ilike ${`%${escapeLike(text)}%`} or a.body_text ilike ${`%${escapeLike(text)}%`})`,
    );
  const score = words.length ? sql`ts_rank(a.search, ${anyWord(words)})` : sql`null::real`;
  const rows = (
    await sql<any>`select a.id, a.title, a.category, a.body_text, a.status, a.public, a.views, a.version,
        a.updated_at, ${score} as score
      from service_kb_articles a where ${sql.join(where, sql` and `)}
      order by score desc nulls last, a.updated_at desc, a.id limit ${opts.limit ?? 100}`.execute(tx)
  ).rows;
  return { items: rows.map(toListItem) };
}

export const listArticles = (tx: Tx, p: Principal, q: { q?: string; status?: 'draft' | 'published' }) =>
  searchArticles(tx, p.tenantId, { ...q, drafts: draftsVisible(p) });

/** Top three published articles for what a ticket is about (its subject and description). */
export async function suggestForText(tx: Tx, tenantId: string, text: string) {
  const words = [...new Set(tokens(text))].slice(0, 30);
  if (!words.length) return { items: [] };
  return searchArticles(tx, tenantId, { q: words.join(' '), drafts: false, limit: 3 });
}

export async function getArticle(tx: Tx, p: Principal, locale: Locale, id: string) {
  const r = (
    await sql<any>`select * from service_kb_articles where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!r || (r.status !== 'published' && !draftsVisible(p)))
    throw serviceProblem('not_found', locale, 'article_not_found');
  return toArticle(r);
}

export async function createArticle(
  tx: Tx,
  p: Principal,
  actor: Actor,
  b: { title: string; category: string; bodyHtml: string; status: 'draft' | 'published'; public: boolean },
) {
  const html = sanitizeArticle(b.bodyHtml);
  const text = plainText(html);
  const id = newId();
  const r =
    await sql<any>`insert into service_kb_articles (tenant_id, id, title, category, body_html, body_text,
      tokens, status, public, created_by, updated_by)
    values (${p.tenantId}, ${id}, ${b.title}, ${b.category}, ${html}, ${text}, ${indexText(b.title, text)},
      ${b.status}, ${b.public}, ${p.userId}, ${p.userId}) returning *`.execute(tx);
  await writeAudit(tx as any, actor, {
    action: 'create',
    object: 'service_kb_article',
    recordId: id,
    meta: { title: b.title },
  });
  return toArticle(r.rows[0]);
}

export async function updateArticle(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  id: string,
  b: {
    version: number;
    title?: string;
    category?: string;
    bodyHtml?: string;
    status?: 'draft' | 'published';
    public?: boolean;
  },
) {
  const cur = (
    await sql<any>`select * from service_kb_articles where tenant_id = ${p.tenantId} and id = ${id}`.execute(
      tx,
    )
  ).rows[0];
  if (!cur) throw serviceProblem('not_found', locale, 'article_not_found');
  const title = b.title ?? cur.title;
  const html = b.bodyHtml !== undefined ? sanitizeArticle(b.bodyHtml) : cur.body_html;
  const text = plainText(html);
  const r =
    await sql<any>`update service_kb_articles set title = ${title}, category = ${b.category ?? cur.category},
      body_html = ${html}, body_text = ${text}, tokens = ${indexText(title, text)}, status = ${b.status ?? cur.status},
      public = ${b.public ?? cur.public}, version = version + 1, updated_at = now(), updated_by = ${p.userId}
    where tenant_id = ${p.tenantId} and id = ${id} and version = ${b.version} returning *`.execute(tx);
  if (!r.rows[0]) throw serviceProblem('conflict', locale, 'version_conflict');
  await writeAudit(tx as any, actor, {
    action: 'update',
    object: 'service_kb_article',
    recordId: id,
    meta: { title, status: b.status, public: b.public },
  });
  return toArticle(r.rows[0]);
}

/** A public article of the help pages (published and marked public), counted as a view. */
export async function publicArticle(tx: Tx, tenantId: string, id: string) {
  const r = (
    await sql<any>`update service_kb_articles set views = views + 1
      where tenant_id = ${tenantId} and id = ${id} and status = 'published' and public
      returning id, title, category, body_html, updated_at`.execute(tx)
  ).rows[0];
  return r ?? null;
}
