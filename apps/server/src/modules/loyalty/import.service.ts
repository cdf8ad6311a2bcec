import { sql } from 'kysely';
import { type Actor, writeAudit } from '../../core/audit/audit.ts';
import type { Principal } from '../../core/auth/principal.ts';
import type { Tx } from '../../core/db/tenant-scope.ts';
import type { Locale } from '../../core/i18n/locale.ts';
import { lt } from './loyalty.messages.ts';
import { enrolMember } from './members.service.ts';
import { earnPoints } from './points.service.ts';
import { getProgram } from './programs.service.ts';

const MAX_ROWS = 5000;

/** One CSV line into cells (quotes and doubled quotes as spreadsheet programs write them). */
function cells(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cur += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  out.push(cur.trim());
  return out;
}

const phoneForms = (raw: string) => {
  const digits = raw.replace(/[\s-]/g, '').replace(/^\+?86/, '');
  return /^1\d{10}$/.test(digits) ? [`+86${digits}`, digits] : [];
};

/**
 * Enrols members from CSV (R7.1 import): `mobile` or `profile_id` finds the One ID profile,
 * `unit_code` the enrolling store (default: the caller's unit), `points` an opening balance.
 * Idempotent per (program, profile): importing the same file twice enrols and credits once.
 * Rows with errors are reported and skipped; a dry run stores nothing.
 */
export async function importMembers(
  tx: Tx,
  p: Principal,
  actor: Actor,
  locale: Locale,
  input: { programId: string; csv: string; dryRun?: boolean },
) {
  const program = await getProgram(tx, p, locale, input.programId);
  const lines = input.csv
    .replace(/^\uFEFF/, '')
    .split(/\r?\n/)
    .filter((l) => l.trim());
  const header = cells(lines[0] ?? '').map((h) => h.toLowerCase());
  const col = (name: string) => header.indexOf(name);
  const errors: { row: number; message: string }[] = [];
  let enrolled = 0;
  let existing = 0;
  const rows = lines.slice(1, MAX_ROWS + 1);
  for (const [i, line] of rows.entries()) {
    const row = i + 2;
    const c = cells(line);
    const fail = (error: string) =>
      errors.push({ row, message: lt(locale, 'import_row_error', { row, error }) });
    let profileId: string | undefined;
    const mobile = col('mobile') >= 0 ? c[col('mobile')] : undefined;
    const pid = col('profile_id') >= 0 ? c[col('profile_id')] : undefined;
    if (pid && /^[0-9a-f-]{36}$/i.test(pid)) {
      profileId = (
        await sql<{
          id: string;
        }>`select id from cdp_profiles where tenant_id = ${p.tenantId} and id = ${pid}`.execute(tx)
      ).rows[0]?.id;
    } else if (mobile) {
      const forms = phoneForms(mobile);
      profileId = forms.length
        ? (
            await sql<{
              id: string;
            }>`select profile_id as id from cdp_identities where tenant_id = ${p.tenantId}
              and kind = 'phone' and value = any(${forms}::text[]) limit 1`.execute(tx)
          ).rows[0]?.id
        : undefined;
    }
    if (!profileId) {
      fail(lt(locale, 'import_profile_unknown'));
      continue;
    }
    const code = col('unit_code') >= 0 ? c[col('unit_code')] : '';
    let unitId = p.unitId;
    if (code) {
      const u = (
        await sql<{
          id: string;
        }>`select id from units where tenant_id = ${p.tenantId} and code = ${code}`.execute(tx)
      ).rows[0];
      if (!u || !p.subtreeUnitIds.includes(u.id)) {
        fail(lt(locale, 'unit_not_yours'));
        continue;
      }
      unitId = u.id;
    }
    const pointsRaw = col('points') >= 0 ? c[col('points')] : '';
    const points = pointsRaw ? Number(pointsRaw) : 0;
    if (pointsRaw && (!Number.isSafeInteger(points) || points < 0)) {
      fail(lt(locale, 'points_positive'));
      continue;
    }
    if (input.dryRun) continue;
    // Enrolment refuses (unknown profile, paused program) before it writes: a refused row leaves the rest standing.
    try {
      const r = await enrolMember(
        tx,
        p.tenantId,
        {
          programId: program.id,
          profileId,
          unitId,
          source: 'import',
          idempotencyKey: `import:${program.id}:${profileId}`,
        },
        locale,
      );
      if (r.created) enrolled++;
      else existing++;
      if (points > 0)
        await earnPoints(
          tx,
          p.tenantId,
          {
            memberId: r.memberId,
            points,
            reason: lt(locale, 'reason_import'),
            idempotencyKey: `import-points:${program.id}:${profileId}`,
          },
          { kind: 'adjust', qualifying: 0, createdBy: p.userId, locale },
        );
    } catch (e) {
      fail((e as Error & { detailKey?: string }).detailKey ?? (e as Error).message);
    }
  }
  if (!input.dryRun)
    await writeAudit(tx, actor, {
      action: 'import',
      object: 'loyalty_member',
      recordId: program.id,
      meta: { rows: rows.length, enrolled, existing, errors: errors.length },
    });
  return { rows: rows.length, enrolled, existing, errors, dryRun: input.dryRun ?? false };
}
