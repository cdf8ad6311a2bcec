import assert from 'node:assert/strict';
import { parse } from 'csv-parse/sync';
import { sql } from 'kysely';
import { type Client, drainBackground, type TestEnv } from '../../../testing/harness.ts';

/** Helpers for import/export tests: uploads, a whole import run, raw downloads. */
export const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

export async function upload(
  c: Client,
  object: string,
  filename: string,
  body: Uint8Array | string,
  type = 'text/csv',
) {
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  return c.request('POST', `/records/${object}/imports?filename=${encodeURIComponent(filename)}`, bytes, {
    'content-type': type,
  });
}

export async function importFile(
  env: TestEnv,
  c: Client,
  file: { name: string; body: Uint8Array | string; type?: string },
  start: {
    mapping?: Record<string, string | null>;
    dedupeKey?: string;
    mode?: 'create' | 'upsert';
    dryRun?: boolean;
  } = {},
  object = 'customer',
) {
  const up = await upload(c, object, file.name, file.body, file.type);
  assert.equal(up.status, 201, JSON.stringify(up.body));
  const res = await c.post(`/records/${object}/imports/${up.body.id}/start`, {
    mapping: start.mapping ?? up.body.suggestedMapping,
    dedupeKey: start.dedupeKey,
    mode: start.mode ?? 'create',
    dryRun: start.dryRun ?? false,
  });
  assert.equal(res.status, 202, JSON.stringify(res.body));
  await drainBackground(env, await tenantOfImport(env, up.body.id), 10_000);
  const status = await c.get(`/records/${object}/imports/${up.body.id}`);
  assert.equal(status.status, 200);
  return { upload: up.body, status: status.body };
}

/** GET returning the exact bytes (fetch's text() would swallow the BOM). */
export async function getRaw(
  c: Client,
  path: string,
): Promise<{ status: number; headers: Headers; bytes: Buffer; text: string }> {
  const get = () =>
    fetch(`${c.baseUrl}/api/v1${path}`, { headers: { cookie: c.cookie, 'accept-language': c.locale } });
  // Keep-alive race (ECONNRESET on a socket the server is closing): a GET may simply be retried.
  const res = await get().catch((err) => {
    if ((err as { cause?: { code?: string } }).cause?.code !== 'ECONNRESET') throw err;
    return get();
  });
  const bytes = Buffer.from(await res.arrayBuffer());
  return { status: res.status, headers: res.headers, bytes, text: bytes.toString('utf8') };
}

/** Rows of a downloaded CSV after checking its UTF-8 BOM. */
export function csvRows(text: string): string[][] {
  assert.ok(text.startsWith('\ufeff'), 'CSV starts with a UTF-8 BOM');
  return parse(text.slice(1), { relax_column_count: true });
}

/** The tenant an import belongs to (read as the owner: the helper gets only a client). */
async function tenantOfImport(env: TestEnv, importId: string): Promise<string> {
  const r = await sql<{ tenant_id: string }>`select tenant_id from imports where id = ${importId}`.execute(
    env.database.db,
  );
  return r.rows[0]!.tenant_id;
}
