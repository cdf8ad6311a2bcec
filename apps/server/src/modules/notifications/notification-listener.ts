import type { Database } from '../../core/db/database.ts';
import { listen } from '../../core/db/listen.ts';

/** The channel the notifications trigger announces on (migration 202612061331). */
export const NOTIFICATION_CHANNEL = 'kehu_notification';

export interface Raised {
  tenantId: string;
  userId: string;
  id: string;
}

export interface StreamSubscriber {
  tenantId: string;
  userId: string;
  push(id: string): void;
  /** The listener was lost: the client reconnects and catches up with Last-Event-ID. */
  end(): void;
}

/**
 * One LISTEN per process, fanned out to the open streams of the users it names (a pooled
 * connection is held while anyone listens, see core/db/listen.ts).
 */
class Listener {
  readonly subscribers = new Set<StreamSubscriber>();
  private readonly database: Database;
  private started: Promise<() => Promise<void>> | null = null;
  constructor(database: Database) {
    this.database = database;
  }

  async add(s: StreamSubscriber): Promise<void> {
    this.subscribers.add(s);
    this.started ??= this.start().catch((err) => {
      this.started = null;
      throw err;
    });
    await this.started;
  }

  remove(s: StreamSubscriber) {
    this.subscribers.delete(s);
  }

  private dispatch(payload: string | undefined) {
    const [tenantId, userId, id] = (payload ?? '').split(':');
    if (!tenantId || !userId || !id) return;
    for (const s of this.subscribers) if (s.tenantId === tenantId && s.userId === userId) s.push(id);
  }

  /** A lost listener ends every stream: clients come back and catch up from their last id. */
  private lost() {
    this.started = null;
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
  }

  private start(): Promise<() => Promise<void>> {
    return listen(
      this.database,
      NOTIFICATION_CHANNEL,
      (payload) => this.dispatch(payload),
      () => this.lost(),
    );
  }

  /** Server shutdown: end the streams (they would hold the server open) and give the connection back. */
  async close() {
    for (const s of [...this.subscribers]) s.end();
    this.subscribers.clear();
    const started = this.started;
    this.started = null;
    if (started) await (await started.catch(() => null))?.();
  }
}

const listeners = new WeakMap<Database, Listener>();

export function listenerFor(database: Database): Listener {
  let l = listeners.get(database);
  if (!l) {
    l = new Listener(database);
    listeners.set(database, l);
  }
  return l;
}
