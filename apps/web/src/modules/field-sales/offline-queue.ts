import { useSyncExternalStore } from 'react';
import { ApiError, apiFetch } from '../../shared/api-client';

/**
 * The rep's actions, queued in IndexedDB before they are sent: a visit done without network is
 * kept across reloads and synced when the phone is back online. Every action carries ids made on
 * the phone (visit id, photo id) and the server takes a replay as the same action, so an action
 * whose answer was lost is simply sent again — nothing is lost, nothing is doubled.
 */
export interface QueuedAction {
  seq?: number;
  visitId: string;
  kind: 'create' | 'check-in' | 'step' | 'photo' | 'check-out' | 'task' | 'order';
  path: string;
  query?: Record<string, string>;
  body?: unknown;
  blob?: Blob;
  createdAt: string;
}

export interface QueueState {
  pending: QueuedAction[];
  syncing: boolean;
  online: boolean;
  /** Actions the server refused (not a network failure): shown to the rep, not retried. */
  rejected: { action: QueuedAction; message: string }[];
  synced: number;
}

const DB = 'kehu-field-sales';
const STORE = 'queue';
let memory: QueuedAction[] = [];
let memorySeq = 0;
let state: QueueState = {
  pending: [],
  syncing: false,
  online: typeof navigator === 'undefined' ? true : navigator.onLine,
  rejected: [],
  synced: 0,
};
const listeners = new Set<() => void>();
const set = (patch: Partial<QueueState>) => {
  state = { ...state, ...patch };
  for (const l of listeners) l();
};

function open(): Promise<IDBDatabase | null> {
  if (typeof indexedDB === 'undefined') return Promise.resolve(null);
  return new Promise((resolve) => {
    const req = indexedDB.open(DB, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => resolve(null);
  });
}
let dbp: Promise<IDBDatabase | null> | null = null;
const db = () => {
  dbp ??= open();
  return dbp;
};

function run<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  return db().then(
    (d) =>
      new Promise<T>((resolve, reject) => {
        if (!d) return reject(new Error('no IndexedDB'));
        const r = fn(d.transaction(STORE, mode).objectStore(STORE));
        r.onsuccess = () => resolve(r.result);
        r.onerror = () => reject(r.error);
      }),
  );
}

async function all(): Promise<QueuedAction[]> {
  // Actions IndexedDB refused (private mode, quota) live in memory: both are the queue.
  const stored = await run('readonly', (s) => s.getAll() as IDBRequest<QueuedAction[]>).catch(() => []);
  return [...stored, ...memory];
}
async function add(a: QueuedAction) {
  try {
    await run('readwrite', (s) => s.add(a));
  } catch {
    // Far above IndexedDB's keys, so memory entries sort after stored ones and never collide.
    memory.push({ ...a, seq: 1e12 + ++memorySeq });
  }
}
async function remove(seq: number) {
  if (seq >= 1e12) memory = memory.filter((m) => m.seq !== seq);
  else await run('readwrite', (s) => s.delete(seq)).catch(() => {});
}

async function refresh() {
  set({ pending: await all() });
}

let flushing: Promise<void> | null = null;
let onSynced: (() => void) | null = null;
let onApplied: ((body: unknown) => void) | null = null;

/** Sends queued actions in order; stops at the first network failure (still offline). */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    set({ syncing: true });
    let offline = false;
    try {
      // Rounds until nothing is left or the network fails: an action queued while a round runs
      // (a photo taken right after check-in) is sent in the next round, not left waiting.
      for (let round = 0; !offline && round < 50; round++) {
        const batch = (await all()).sort((x, y) => x.seq! - y.seq!);
        if (!batch.length) break;
        for (const a of batch) {
          try {
            const res = await apiFetch(a.path, {
              method: 'POST',
              query: a.query,
              ...(a.blob
                ? { rawBody: a.blob, contentType: 'application/octet-stream' }
                : { body: a.body ?? {} }),
            });
            await remove(a.seq!);
            // The answer (the visit as it now is) goes to the page before the queue shrinks: the
            // page never shows the visit without the action while its refetch is on the way.
            onApplied?.(await res.json().catch(() => null));
            set({ synced: state.synced + 1, online: true });
          } catch (e) {
            if (e instanceof ApiError && e.status !== 0 && e.status < 500) {
              await remove(a.seq!);
              set({ rejected: [...state.rejected, { action: a, message: e.message }] });
              continue;
            }
            offline = true;
            set({ online: !(e instanceof ApiError && e.status === 0) && state.online });
            break;
          }
        }
      }
    } finally {
      await refresh();
      set({ syncing: false });
      flushing = null;
      onSynced?.();
      // A server error (5xx) while the phone says it is online: try again shortly.
      if (offline && navigator.onLine) setTimeout(() => void flush(), 15_000);
    }
  })();
  return flushing;
}

export async function enqueue(a: Omit<QueuedAction, 'createdAt' | 'seq'>) {
  await add({ ...a, createdAt: new Date().toISOString() });
  await refresh();
  if (navigator.onLine) void flush();
}

let started = false;
function start() {
  if (started || typeof window === 'undefined') return;
  started = true;
  window.addEventListener('online', () => {
    set({ online: true });
    void flush();
  });
  window.addEventListener('offline', () => set({ online: false }));
  void refresh().then(() => {
    if (navigator.onLine) void flush();
  });
}

/**
 * The queue as the page shows it; `applied` gets each action's answer, `synced` is called after
 * each sync round (to refetch).
 */
export function useQueue(synced?: () => void, applied?: (body: unknown) => void): QueueState {
  start();
  onSynced = synced ?? onSynced;
  onApplied = applied ?? onApplied;
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

export const clearRejected = () => set({ rejected: [] });
