/**
 * How a full reconciliation splits a corp's staff into lanes walked at the same time. WeCom's
 * `batch/get_by_user` takes up to 100 userids and pages them with one cursor, so a single lane is
 * strictly one call after another and spends most of its time waiting on the network and the
 * database. Separate lanes (separate userid lists, separate cursors) overlap those waits; the total
 * number of calls stays the same (pages of 100 per lane) and every call still passes the client's
 * per-corp per-API limiter (connector/rate-limiter.ts), which all lanes share — so the walk goes as
 * fast as the corp's allowance and no faster.
 */
export const reconcileTuning = {
  /** Lanes walked at once; more only adds database connections once the walk is network-bound. */
  lanes: 4,
  /** Missing customers of one page repaired at once (each holds a database connection meanwhile). */
  repairs: 4,
};

/** Staff split into at most `lanes` near-equal lists (more when a list would exceed 100 userids). */
export function staffLanes(staff: string[], lanes = reconcileTuning.lanes): string[][] {
  if (staff.length === 0) return [];
  const n = Math.max(Math.ceil(staff.length / 100), Math.min(Math.max(1, lanes), staff.length));
  const out: string[][] = Array.from({ length: n }, () => []);
  // Contiguous slices, so each lane's staff keep the order a single walk would have.
  const size = Math.ceil(staff.length / n);
  for (let i = 0; i < staff.length; i++) out[Math.floor(i / size)]!.push(staff[i]!);
  return out.filter((l) => l.length > 0);
}

/** Runs every lane; the first failure stops the others at their next page and is rethrown. */
export async function runLanes<T>(
  lanes: T[],
  walk: (lane: T, stopped: () => boolean) => Promise<void>,
): Promise<void> {
  let failed = false;
  const results = await Promise.allSettled(
    lanes.map((lane) =>
      walk(lane, () => failed).catch((e) => {
        failed = true;
        throw e;
      }),
    ),
  );
  const err = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (err) throw err.reason;
}

/** Runs `work` for every item, at most `limit` at a time; the first failure is rethrown after the rest settle. */
export async function eachAtMost<T>(items: T[], limit: number, work: (item: T) => Promise<void>) {
  let next = 0;
  let failure: { e: unknown } | null = null;
  const worker = async () => {
    while (!failure && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (e) {
        failure ??= { e };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure) throw (failure as { e: unknown }).e;
}
