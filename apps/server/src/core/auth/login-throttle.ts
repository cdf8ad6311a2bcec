import { sql } from 'kysely';
import type { Db } from '../db/database.ts';
import { rateLimited } from '../errors.ts';
import { RateLimiter } from './rate-limit.ts';
import { sha256 } from './tokens.ts';

/**
 * Back-off instead of lockout. A wrong password costs its sender time, doubling from one
 * second, so guessing stays slow; it never locks the account for hours, so strangers cannot
 * lock colleagues out; and it is keyed by what the form sent, so a login that does not exist
 * is throttled exactly like one that does (no oracle).
 */
export interface Bucket {
  key: string;
  /** The client address, or '' for a counter across addresses. */
  ip: string;
  /** Failures allowed before the first wait. */
  free: number;
  /** The longest wait, in seconds. */
  capSeconds: number;
}

/** Wrong passwords for one (account, address): 5 free, then 1 s doubling up to 15 minutes. */
const PER_ADDRESS = { free: 5, capSeconds: 15 * 60 };
/** Wrong passwords for one account from anywhere: slows a distributed guess, never locks. */
const PER_ACCOUNT = { free: 20, capSeconds: 60 };
/** A counter left alone this long starts again from zero. */
const FORGET_AFTER = '1 day';

/**
 * One address failing across many accounts (credential stuffing) is stopped in memory: a
 * per-process budget, like the other rate limits, checked before any database work.
 */
const addressFailures = new RateLimiter(100, 10 * 60_000);

export const signInKey = (tenantCode: string, login: string) =>
  sha256(`${tenantCode.trim().toLowerCase()}\n${login.trim().toLowerCase()}`);

export const signInBuckets = (tenantCode: string, login: string, ip: string): Bucket[] => {
  const key = signInKey(tenantCode, login);
  return [
    { key, ip, ...PER_ADDRESS },
    { key, ip: '', ...PER_ACCOUNT },
  ];
};

/** Current-password checks of a signed-in user (changing one's password). */
export const passwordCheckBuckets = (tenantId: string, userId: string): Bucket[] => [
  { key: sha256(`password-check\n${tenantId}\n${userId}`), ip: '', ...PER_ADDRESS },
];

/** Throws 429 with Retry-After while any bucket is waiting; checked before the password is. */
export async function assertNotThrottled(db: Db, buckets: Bucket[], address?: string): Promise<void> {
  if (address) {
    const wait = addressFailures.blockedFor(address);
    if (wait) throw rateLimited(wait);
  }
  const row = (
    await sql<{
      wait: number | null;
    }>`select ceil(max(extract(epoch from blocked_until - now())))::int as wait
      from login_throttle where blocked_until > now() and (account_key, ip) in (${sql.join(
        buckets.map((b) => sql`(${b.key}, ${b.ip})`),
      )})`.execute(db)
  ).rows[0];
  if (row?.wait && row.wait > 0) throw rateLimited(row.wait);
}

export async function recordFailure(db: Db, buckets: Bucket[], address?: string): Promise<void> {
  if (address) addressFailures.count(address);
  for (const b of buckets) {
    const failures = (
      await sql<{
        failures: number;
      }>`insert into login_throttle (account_key, ip, failures, blocked_until, last_failure_at)
        values (${b.key}, ${b.ip}, 1, now(), now())
        on conflict (account_key, ip) do update set
          failures = case when login_throttle.last_failure_at < now() - ${FORGET_AFTER}::interval then 1 else login_throttle.failures + 1 end,
          last_failure_at = now()
        returning failures`.execute(db)
    ).rows[0]!.failures;
    if (failures >= b.free) {
      const seconds = Math.min(2 ** (failures - b.free), b.capSeconds);
      await sql`update login_throttle set blocked_until = now() + make_interval(secs => ${seconds})
        where account_key = ${b.key} and ip = ${b.ip}`.execute(db);
    }
  }
  await sql`delete from login_throttle where last_failure_at < now() - ${FORGET_AFTER}::interval`.execute(db);
}

/** A success ends the back-off it passed through (other addresses keep theirs). */
export async function recordSuccess(db: Db, buckets: Bucket[]): Promise<void> {
  await sql`delete from login_throttle where (account_key, ip) in (${sql.join(
    buckets.map((b) => sql`(${b.key}, ${b.ip})`),
  )})`.execute(db);
}

/** An administrator's unlock: every back-off on the account, from every address. */
export async function clearAccount(db: Db, key: string): Promise<number> {
  const r = await sql`delete from login_throttle where account_key = ${key}`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}
