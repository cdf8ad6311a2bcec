import { type ReactNode, useEffect, useRef, useState } from 'react';

/**
 * Renders its children once the placeholder comes near the viewport, so code only needed below
 * the fold (a lazy table, a chart) is not fetched before what the user sees first.
 */
export function WhenVisible({ children, minHeight = 120 }: { children: ReactNode; minHeight?: number }) {
  const ref = useRef<HTMLDivElement>(null);
  const [seen, setSeen] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (seen || !el) return;
    const io = new IntersectionObserver((entries) => entries[0]?.isIntersecting && setSeen(true), {
      rootMargin: '200px',
    });
    io.observe(el);
    return () => io.disconnect();
  }, [seen]);
  return seen ? children : <div ref={ref} style={{ minHeight }} />;
}
