// Delivers events to a corp's callback URL the way WeCom does: encrypted XML POST, 5 s to answer, then
// up to 3 retries; a configurable share of events is lost outright (real WeCom occasionally drops one,
// which is why Kehu reconciles). First attempts keep per-corp order; retries run beside later events.
import { sealCallback, type XmlValue } from './crypto.ts';

export interface CallbackTarget {
  url: string;
  token: string;
  encodingAESKey: string;
}

export interface CallbackLogEntry {
  id: number;
  corpId: string;
  event: string;
  changeType?: string;
  delivered: boolean;
  lost: boolean;
  attempts: number;
  lastStatus?: number | string;
  /** Simulator time of the event. */
  at: number;
  /** Wall-clock ms when the last attempt started and when a 200 came back (for latency benchmarks). */
  sentAt?: number;
  deliveredAt?: number;
  xml: string;
}

export interface DispatcherOptions {
  timeoutMs: number;
  retryDelayMs: number;
  retries: number;
  random: () => number;
  now: () => number;
  lossRate: number;
}

export class CallbackDispatcher {
  readonly log: CallbackLogEntry[] = [];
  private readonly pending = new Set<Promise<void>>();
  private readonly chains = new Map<string, Promise<void>>();
  private nextId = 1;
  opts: DispatcherOptions;

  constructor(opts: DispatcherOptions) {
    this.opts = opts;
  }

  send(
    corpId: string,
    agentId: number | undefined,
    target: CallbackTarget | undefined,
    fields: Record<string, XmlValue>,
    innerXml: string,
  ): CallbackLogEntry {
    const entry: CallbackLogEntry = {
      id: this.nextId++,
      corpId,
      event: String(fields.Event ?? fields.InfoType ?? ''),
      changeType: fields.ChangeType === undefined ? undefined : String(fields.ChangeType),
      delivered: false,
      lost: false,
      attempts: 0,
      at: this.opts.now(),
      xml: innerXml,
    };
    this.log.push(entry);
    if (!target) return entry;
    if (this.opts.lossRate > 0 && this.opts.random() < this.opts.lossRate) {
      entry.lost = true;
      return entry;
    }
    const prev = this.chains.get(corpId) ?? Promise.resolve();
    let retryLater: (() => Promise<void>) | undefined;
    const first = prev.then(async () => {
      if (await this.attempt(entry, target, corpId, agentId)) return;
      retryLater = () => this.retry(entry, target, corpId, agentId);
    });
    this.chains.set(corpId, first);
    const all = first.then(() => retryLater?.());
    this.track(all);
    return entry;
  }

  private track(p: Promise<void>) {
    const q = p.catch(() => {}).finally(() => this.pending.delete(q));
    this.pending.add(q);
  }

  private async retry(entry: CallbackLogEntry, target: CallbackTarget, corpId: string, agentId?: number) {
    for (let i = 0; i < this.opts.retries; i++) {
      if (this.opts.retryDelayMs > 0) await new Promise((r) => setTimeout(r, this.opts.retryDelayMs));
      if (await this.attempt(entry, target, corpId, agentId)) return;
    }
  }

  private async attempt(
    entry: CallbackLogEntry,
    target: CallbackTarget,
    corpId: string,
    agentId?: number,
  ): Promise<boolean> {
    entry.attempts++;
    entry.sentAt = Date.now();
    const nonce = String(Math.floor(this.opts.random() * 1e10));
    // The signed timestamp is wall-clock time, so a receiver's replay window keeps working after
    // advanceTime; the event's CreateTime inside carries simulator time.
    const sealed = sealCallback(target, corpId, agentId, entry.xml, Math.floor(Date.now() / 1000), nonce);
    const u = new URL(target.url);
    for (const [k, v] of Object.entries(sealed.query)) u.searchParams.set(k, v);
    try {
      const res = await fetch(u, {
        method: 'POST',
        headers: { 'content-type': 'text/xml; charset=utf-8' },
        body: sealed.body,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      entry.lastStatus = res.status;
      if (res.status === 200) {
        entry.delivered = true;
        entry.deliveredAt = Date.now();
        return true;
      }
    } catch (e) {
      entry.lastStatus = (e as Error).name === 'TimeoutError' ? 'timeout' : 'error';
    }
    return false;
  }

  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
