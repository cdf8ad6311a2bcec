import { List, Typography } from 'antd';
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export const twoLines = { display: 'flex', flexDirection: 'column' as const, minWidth: 0, flex: 1 };
const line = { display: 'flex', gap: 8, width: '100%', alignItems: 'center' };

/** A "my day" card's short list: compact rows, so a phone shows the work without scrolling far. */
export function TodayList<T>({ items, row }: { items: T[]; row: (item: T) => ReactNode }) {
  return (
    <List
      size="small"
      dataSource={items}
      renderItem={(item) => <List.Item style={{ padding: '8px 0' }}>{row(item)}</List.Item>}
    />
  );
}

/** What a row is about in bold, its context on a second line; both cut off rather than wrap. */
export function TwoLines({
  title,
  sub,
  strong = true,
}: {
  title: ReactNode;
  sub?: ReactNode;
  strong?: boolean;
}) {
  return (
    <span style={twoLines}>
      <Typography.Text strong={strong} ellipsis>
        {title}
      </Typography.Text>
      {sub != null && (
        <Typography.Text type="secondary" ellipsis style={{ fontSize: 12 }}>
          {sub}
        </Typography.Text>
      )}
    </span>
  );
}

/** One row: the two lines, then what stands at its end (a tag, an amount, a button); a link when `to` is set. */
export function TodayRow({
  to,
  title,
  sub,
  children,
}: {
  to?: string;
  title: ReactNode;
  sub: ReactNode;
  children?: ReactNode;
}) {
  const body = (
    <>
      <TwoLines title={title} sub={sub} />
      {children}
    </>
  );
  return to ? (
    <Link to={to} style={line}>
      {body}
    </Link>
  ) : (
    <div style={line}>{body}</div>
  );
}

/** Where the row's end shows an amount with a tag under it. */
export const rowEnd = { textAlign: 'right' as const, flexShrink: 0 };
