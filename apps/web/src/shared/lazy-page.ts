import { type ComponentType, type LazyExoticComponent, lazy } from 'react';

const RELOADED_AT = 'kehu.chunkReloadAt';

/**
 * A tab opened before a release asks for chunks whose hashes the new build no longer has. One
 * reload fetches the new index.html and its chunks; a second failure within a minute is a real
 * error (offline, server down) and goes to the error boundary instead of reloading in a loop.
 */
async function loadOrReload<M>(load: () => Promise<M>): Promise<M> {
  try {
    return await load();
  } catch (err) {
    const last = Number(sessionStorage.getItem(RELOADED_AT) ?? 0);
    if (Date.now() - last > 60_000) {
      sessionStorage.setItem(RELOADED_AT, String(Date.now()));
      window.location.reload();
      // The page is going away; never settle so nothing renders an error in between.
      return new Promise<M>(() => {});
    }
    throw err;
  }
}

/**
 * `React.lazy` for a named export: `lazyPage(() => import('./inbox-page'), 'InboxPage')`.
 * Each call site is its own split point, so the page's code (and what only it imports) becomes
 * a chunk fetched on first render.
 */
export function lazyPage<M extends { [P in K]: ComponentType<any> }, K extends keyof M>(
  load: () => Promise<M>,
  name: K,
): LazyExoticComponent<M[K]> {
  return lazy(async () => ({ default: (await loadOrReload(load))[name] }));
}
