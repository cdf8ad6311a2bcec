import { SearchOutlined } from '@ant-design/icons';
import type { SearchHit, SearchResult } from '@kehu/contracts/search';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { Alert, Empty, Input, type InputRef, Modal, Spin, Typography } from 'antd';
import { type KeyboardEvent, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { http } from '../../shared/api-client';
import { useIsMobile } from '../../shared/use-is-mobile';
import { useLabel } from '../meta';
import { objectIcon } from '../object-icon';

const PROFILE_ICON: Record<string, string> = { profile: 'idcard' };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/**
 * The Ctrl/⌘-K palette: one box over customers, contacts, leads, deals, orders and profiles
 * (GET /search, scoped and masked like the lists). Arrows move, Enter opens, Esc closes.
 * Loaded on first use: the shell only carries the shortcut and the button.
 */
export function CommandPalette({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const input = useRef<InputRef>(null);
  const [q, setQ] = useState('');
  const [active, setActive] = useState(0);
  const term = useDebounced(q.trim(), 150);

  const result = useQuery({
    queryKey: ['search', term],
    queryFn: () => http.get<SearchResult>('/search', { q: term, limit: 5 }),
    enabled: open && term.length > 0,
    staleTime: 30_000,
    placeholderData: keepPreviousData,
  });
  const groups = term ? (result.data?.groups ?? []) : [];
  const hits = useMemo(() => groups.flatMap((g) => g.hits), [groups]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: back to the first hit on every new answer
  useEffect(() => setActive(0), [result.data]);

  const go = (url: string) => {
    onClose();
    setQ('');
    navigate(url);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (!hits.length) return;
      setActive((i) => (i + (e.key === 'ArrowDown' ? 1 : hits.length - 1)) % hits.length);
    } else if (e.key === 'Enter' && hits[active]) {
      e.preventDefault();
      go(hits[active].url);
    }
  };

  let index = -1;
  const row = (h: SearchHit) => {
    index += 1;
    const i = index;
    return (
      <div
        key={`${h.object}:${h.id}`}
        role="option"
        tabIndex={-1}
        aria-selected={i === active}
        className={`kehu-search-hit${i === active ? ' kehu-search-hit-active' : ''}`}
        data-testid="search-hit"
        data-object={h.object}
        data-id={h.id}
        onMouseEnter={() => setActive(i)}
        onClick={() => go(h.url)}
        onKeyDown={(e) => e.key === 'Enter' && go(h.url)}
      >
        <span className="kehu-search-hit-icon">{objectIcon(PROFILE_ICON[h.object] ?? null, h.object)}</span>
        <span className="kehu-search-hit-text">
          <Typography.Text ellipsis>{h.title}</Typography.Text>
          {h.subtitle && (
            <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>
              {h.subtitle}
            </Typography.Text>
          )}
        </span>
      </div>
    );
  };

  return (
    <Modal
      open={open}
      onCancel={onClose}
      footer={null}
      closable={false}
      title={null}
      width={isMobile ? '100%' : 640}
      style={isMobile ? { top: 0, maxWidth: '100vw', margin: 0, paddingBottom: 0 } : { top: 80 }}
      styles={{ body: { padding: 0 } }}
      afterOpenChange={(o) => o && input.current?.focus()}
      destroyOnHidden
      data-testid="search-palette"
    >
      <div className="kehu-search">
        <Input
          ref={input}
          size="large"
          variant="borderless"
          prefix={<SearchOutlined />}
          suffix={result.isFetching ? <Spin size="small" /> : null}
          placeholder={t('search.placeholder')}
          aria-label={t('search.title')}
          aria-controls="kehu-search-results"
          value={q}
          onChange={(e) => setQ(e.target.value)}
          onKeyDown={onKeyDown}
          data-testid="global-search-input"
          allowClear
        />
        <div
          id="kehu-search-results"
          role="listbox"
          className="kehu-search-results"
          data-testid="search-results"
        >
          {!term && <div className="kehu-search-note">{t('search.hint')}</div>}
          {term && result.isError && <Alert type="error" showIcon message={t('search.error')} />}
          {term && result.isSuccess && !result.isPlaceholderData && groups.length === 0 && (
            <Empty
              image={Empty.PRESENTED_IMAGE_SIMPLE}
              description={t('search.empty', { q: term })}
              data-testid="search-empty"
            />
          )}
          {groups.map((g) => (
            <div key={g.key} className="kehu-search-group" data-testid={`search-group-${g.key}`}>
              <div className="kehu-search-group-title">
                <span>{label(g.label)}</span>
                {g.more && g.moreUrl && (
                  <Typography.Link onClick={() => go(g.moreUrl!)} data-testid={`search-more-${g.key}`}>
                    {t('search.more')}
                  </Typography.Link>
                )}
              </div>
              {g.hits.map(row)}
            </div>
          ))}
        </div>
        {!isMobile && <div className="kehu-search-note kehu-search-keys">{t('search.keys')}</div>}
      </div>
    </Modal>
  );
}
