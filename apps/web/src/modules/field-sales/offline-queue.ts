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
  kind: 'create' | 'check-in' | 'step' | 'photo' | 'check-out';
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
  try {
    return await run('readonly', (s) => s.getAll() as IDBRequest<QueuedAction[]>);
  } catch {
    return [...memory];
  }
}
async function add(a: QueuedAction) {
  try {
    await run('readwrite', (s) => s.add(a));
  } catch {
    memory.push({ ...a, seq: ++memorySeq });
  }
}
async function remove(seq: number) {
  try {
    await run('readwrite', (s) => s.delete(seq));
  } catch {
    memory = memory.filter((m) => m.seq !== seq);
  }
}

async function refresh() {
  set({ pending: await all() });
}

let flushing: Promise<void> | null = null;
let onSynced: (() => void) | null = null;

/** Sends queued actions in order; stops at the first network failure (still offline). */
export function flush(): Promise<void> {
  flushing ??= (async () => {
    set({ syncing: true });
    try {
      for (const a of (await all()).sort((x, y) => x.seq! - y.seq!)) {
        try {
          await apiFetch(a.path, {
            method: 'POST',
            query: a.query,
            ...(a.blob
              ? { rawBody: a.blob, contentType: 'application/octet-stream' }
              : { body: a.body ?? {} }),
          });
          await remove(a.seq!);
          set({ synced: state.synced + 1, online: true });
        } catch (e) {
          if (e instanceof ApiError && e.status !== 0 && e.status < 500) {
            await remove(a.seq!);
            set({ rejected: [...state.rejected, { action: a, message: e.message }] });
            continue;
          }
          set({ online: !(e instanceof ApiError && e.status === 0) && state.online });
          break;
        }
      }
    } finally {
      await refresh();
      set({ syncing: false });
      flushing = null;
      onSynced?.();
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

/** The queue as the page shows it; `synced` is called after each sync round (to refetch). */
export function useQueue(synced?: () => void): QueueState {
  start();
  onSynced = synced ?? onSynced;
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

export const clearRejected = () => set({ rejected: [] });
