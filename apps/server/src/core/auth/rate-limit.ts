import { rateLimited } from '../errors.ts';

/**
 * Fixed-window counters in process memory. Per-process limits are a deliberate trade:
 * with N API processes an attacker gets N× the budget, still far below what brute force needs.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();
  readonly limit: number;
  readonly windowMs: number;
  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }
  /** Throws 429 with Retry-After when `key` is over its budget. */
  hit(key: string, now = Date.now()): void {
    this.count(key, now);
    const wait = this.blockedFor(key, now);
    if (wait) throw rateLimited(wait);
  }
  /** Spends one unit of `key`'s budget without refusing anything (count failures, refuse later). */
  count(key: string, now = Date.now()): void {
    let w = this.#windows.get(key);
    if (!w || now - w.start >= this.windowMs) {
      w = { start: now, count: 0 };
      this.#windows.set(key, w);
      if (this.#windows.size > 50_000) this.#sweep(now);
    }
    w.count++;
  }
  /** Seconds until `key` may go again once over its budget; 0 when it may go now. */
  blockedFor(key: string, now = Date.now()): number {
    const w = this.#windows.get(key);
    if (!w || now - w.start >= this.windowMs || w.count <= this.limit) return 0;
    return Math.max(1, Math.ceil((w.start + this.windowMs - now) / 1000));
  }
  reset(key: string) {
    this.#windows.delete(key);
  }
  #sweep(now: number) {
    for (const [k, w] of this.#windows) if (now - w.start >= this.windowMs) this.#windows.delete(k);
  }
}
