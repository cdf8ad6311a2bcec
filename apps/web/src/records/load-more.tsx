import { Button } from 'antd';
import { type CSSProperties, useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { Text } from '../shared/ui/text';

/** What the footer needs of an infinite query. */
interface Pages {
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  fetchNextPage: () => Promise<unknown>;
}

/**
 * Footer of a paged list: "load more", or how many rows there are once all are loaded.
 * With `auto` the next page also loads when the footer comes into view (infinite scroll).
 */
export function LoadMore({
  pages,
  loaded,
  auto = false,
  style = { textAlign: 'center', padding: 16 },
}: {
  pages: Pages;
  loaded: number;
  auto?: boolean;
  style?: CSSProperties;
}) {
  const { t } = useTranslation();
  const sentinel = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = sentinel.current;
    if (!auto || !el) return;
    const io = new IntersectionObserver(
      (entries) => {
        if (entries[0]?.isIntersecting && pages.hasNextPage && !pages.isFetchingNextPage)
          void pages.fetchNextPage();
      },
      { rootMargin: '200px' },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [auto, pages]);
  return (
    <div ref={sentinel} style={style}>
      {pages.hasNextPage ? (
        <Button
          onClick={() => pages.fetchNextPage()}
          loading={pages.isFetchingNextPage}
          data-testid="load-more"
        >
          {t('records.loadMore')}
        </Button>
      ) : loaded > 0 ? (
        <Text type="secondary" style={{ fontSize: 12 }}>
          {t('records.allLoaded', { count: loaded })}
        </Text>
      ) : null}
    </div>
  );
}
