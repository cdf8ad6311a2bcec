/**
 * A fixed-window limiter per key (corp × API) that waits instead of failing: WeCom answers 45009
 * beyond 10,000 calls per minute per corp per API, and a reconciliation of 100k contacts must pace
 * itself below that rather than collect refusals. Per process; the 45009 back-off covers the rest.
 */
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; used: number }>();
  private readonly limit: () => number;
  private readonly windowMs: number;
  constructor(limit: () => number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
  }

  async take(key: string): Promise<void> {
    for (;;) {
      const now = Date.now();
      let w = this.windows.get(key);
      if (!w || now - w.start >= this.windowMs) {
        w = { start: now, used: 0 };
        this.windows.set(key, w);
        if (this.windows.size > 10_000) this.windows.clear();
      }
      if (w.used < this.limit()) {
        w.used++;
        return;
      }
      await new Promise((r) => setTimeout(r, w.start + this.windowMs - now));
    }
  }
}
