import type { Database } from '../db/database.ts';
import { listen } from '../db/listen.ts';
import { kick, type Logger } from '../jobs/queue.ts';
import { kickDispatcher } from './dispatcher.ts';

const CHANNEL = 'kehu_work';
const RETRY_MS = 1000;

/**
 * Wakes this process's dispatcher and workers when any transaction, in this process or another,
 * commits outbox events or jobs (migration 202612071200). Polling stays the fallback: a lost
 * listener only costs latency, and it listens again after a second.
 */
export async function listenForWork(database: Database, log: Logger, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    const lost = new Promise<void>((resolve) => {
      const stop = listen(
        database,
        CHANNEL,
        (table) => (table === 'outbox' ? kickDispatcher() : kick()),
        () => {
          log.warn({}, 'work listener lost its connection; polling until it listens again');
          resolve();
        },
      );
      stop.then(
        (unlisten) => {
          const end = () => void unlisten().then(() => resolve());
          if (signal.aborted) end();
          else {
            signal.addEventListener('abort', end, { once: true });
            // A lost connection ends this round: its abort hook goes with it.
            void lost.then(() => signal.removeEventListener('abort', end));
          }
        },
        (err) => {
          if (!signal.aborted) log.warn({ err: (err as Error).message }, 'work listener could not listen');
          resolve();
        },
      );
    });
    await lost;
    if (!signal.aborted) await new Promise((r) => setTimeout(r, RETRY_MS));
  }
}
