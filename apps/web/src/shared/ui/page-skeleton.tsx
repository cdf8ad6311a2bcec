/**
 * What a lazy page shows while its code downloads: grey bars where the title and text will be.
 * Plain elements (global.css), not antd's Skeleton: it is in the first download of every page.
 */
export function PageSkeleton() {
  return (
    <div className="kehu-page kehu-page-skeleton" data-testid="page-loading" aria-busy="true">
      <div className="kehu-skeleton-bar" style={{ width: 200, height: 24 }} />
      {[100, 100, 90, 100, 80, 60].map((w, i) => (
        // biome-ignore lint/suspicious/noArrayIndexKey: fixed decoration, never reordered
        <div key={i} className="kehu-skeleton-bar" style={{ width: `${w}%` }} />
      ))}
    </div>
  );
}
