import { Skeleton } from 'antd';

/** What a lazy page shows while its code downloads: the page's frame, not a spinner over nothing. */
export function PageSkeleton() {
  return (
    <div className="kehu-page" data-testid="page-loading">
      <Skeleton active title={{ width: 200 }} paragraph={{ rows: 6 }} />
    </div>
  );
}
