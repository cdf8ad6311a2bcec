import { useSyncExternalStore } from 'react';

const QUERY = '(max-width: 768px)';

function subscribe(cb: () => void): () => void {
  const mql = window.matchMedia(QUERY);
  mql.addEventListener('change', cb);
  return () => mql.removeEventListener('change', cb);
}

/** True at phone/tablet-portrait widths (≤ 768px): nav becomes a drawer, tables become cards. */
export function useIsMobile(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => window.matchMedia(QUERY).matches,
    () => false,
  );
}
