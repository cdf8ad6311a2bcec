import { Empty, Table } from 'antd';
import type { ColumnType } from 'antd/es/table';
import type { Key, ReactElement, ReactNode } from 'react';
import { useIsMobile } from '../use-is-mobile';
import { ErrorResult } from './error-result';

/**
 * A column of a DataTable: antd's column (title, dataIndex, render …) with a required key and
 * where it goes on a phone card: `title` heads the card, `hidden` leaves it out, the rest are
 * "label: value" lines.
 */
export type DataColumn<T> = ColumnType<T> & {
  key: string;
  card?: 'title' | 'line' | 'hidden';
};

/** What a list shows when there is nothing yet: a sentence and, when the viewer can, the first step. */
export interface EmptyState {
  text: string;
  action?: ReactNode;
}

export interface DataTableProps<T> {
  rows: T[] | undefined;
  loading?: boolean;
  error?: unknown;
  onRetry?: () => void;
  columns: DataColumn<T>[];
  /** A field of the row (default `id`) or a function of it. */
  rowKey?: string | ((row: T) => Key);
  empty?: EmptyState;
  footer?: ReactNode;
  testId?: string;
  /** Cards on a phone (default); `false` for tables that stay tables (e.g. a few narrow columns). */
  cards?: boolean;
  size?: 'small' | 'middle' | 'large';
  onRow?: (row: T) => React.HTMLAttributes<HTMLElement>;
}

type Row = Record<string, unknown>;

/**
 * The list every page builds from a query: spinner while loading, the error with a retry,
 * an empty state that says what to do, the table on a desktop and cards on a phone (a wide table
 * does not fit 390 px), and a footer (e.g. `<LoadMore>` for paged lists).
 */
function DataTableOf({
  rows,
  loading,
  error,
  onRetry,
  columns,
  rowKey = 'id',
  empty,
  footer,
  testId,
  cards = true,
  size,
  onRow,
}: DataTableProps<Row>) {
  const isMobile = useIsMobile();
  if (error) return <ErrorResult error={error} onRetry={onRetry} />;
  const keyOf = (row: Row): Key => (typeof rowKey === 'function' ? rowKey(row) : (row[rowKey] as Key));
  const emptyNode = empty && (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={empty.text}
      data-testid={testId && `${testId}-empty`}
    >
      {empty.action}
    </Empty>
  );
  if (isMobile && cards && !loading) {
    const list = rows ?? [];
    return (
      <div data-testid={testId}>
        {list.length === 0
          ? emptyNode
          : list.map((row, index) => <DataCard key={keyOf(row)} row={row} index={index} columns={columns} />)}
        {footer}
      </div>
    );
  }
  return (
    <>
      <Table<Row>
        rowKey={keyOf}
        loading={loading}
        dataSource={rows}
        pagination={false}
        scroll={{ x: 'max-content' }}
        // `card` rides along, unused by antd.
        columns={columns}
        locale={emptyNode ? { emptyText: emptyNode } : undefined}
        data-testid={testId}
        size={size}
        onRow={onRow}
      />
      {footer}
    </>
  );
}

/** Typed per use (`<DataTable<ApiKey> …>`); one implementation over plain rows. */
export const DataTable = DataTableOf as unknown as <T>(props: DataTableProps<T>) => ReactElement;

function cellOf(column: DataColumn<Row>, row: Row, index: number): ReactNode {
  const path = column.dataIndex;
  let value: unknown = row;
  if (path === undefined) value = undefined;
  else for (const k of Array.isArray(path) ? path : [path]) value = (value as Row | undefined)?.[String(k)];
  return (column.render ? column.render(value, row, index) : value) as ReactNode;
}

/** One row as a phone card: the title column first, then "label: value" per visible column. */
function DataCard({ row, index, columns }: { row: Row; index: number; columns: DataColumn<Row>[] }) {
  const title = columns.find((c) => c.card === 'title') ?? columns[0];
  return (
    <div className="kehu-data-card" data-testid="data-card">
      {title && <div className="kehu-data-card-title">{cellOf(title, row, index)}</div>}
      {columns
        .filter((c) => c !== title && c.card !== 'hidden')
        .map((c) => (
          <div key={c.key} className="kehu-data-card-line">
            {c.title ? <span className="kehu-data-card-label">{c.title as ReactNode}</span> : null}
            <span className="kehu-data-card-value">{cellOf(c, row, index)}</span>
          </div>
        ))}
    </div>
  );
}
