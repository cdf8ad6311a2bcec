import { Button, Select, Table } from 'antd';
import type { ColumnType } from 'antd/es/table';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useIsMobile } from '../../shared/use-is-mobile';
import { formatFigure, P } from './format';
import type { MetricDef } from './staff-api';

interface RankRow {
  key: string;
  name: string;
  sub: string | null;
  figures: Record<string, number | null>;
}

/**
 * The ranking of staff (or teams) by any figure: sortable column headers on a desktop (antd's
 * sorters take Enter/Space), a "sort by" picker and cards on a phone. A name opens the drill-down.
 */
export function RankingTable({
  rows,
  metrics,
  nameTitle,
  subTitle,
  onOpen,
  testId,
  empty,
  loading,
}: {
  rows: RankRow[];
  metrics: MetricDef[];
  nameTitle: string;
  subTitle: string;
  onOpen: (key: string) => void;
  testId: string;
  empty: string;
  loading: boolean;
}) {
  const { t, i18n } = useTranslation();
  const lang = i18n.language === 'en-US' ? 'en-US' : 'zh-CN';
  const isMobile = useIsMobile();
  const shown = metrics.filter((m) => m.headline);
  const [picked, setSortKey] = useState<string | null>(null);
  const sortKey = picked ?? shown[0]?.key ?? '';
  const sorted = useMemo(
    () => [...rows].sort((a, b) => (b.figures[sortKey] ?? -1) - (a.figures[sortKey] ?? -1)),
    [rows, sortKey],
  );
  const open = (r: RankRow) => (
    <Button
      type="link"
      size="small"
      style={{ padding: 0 }}
      onClick={() => onOpen(r.key)}
      aria-label={t(`${P}.open`, { name: r.name })}
    >
      {r.name}
    </Button>
  );
  if (isMobile)
    return (
      <div data-testid={testId}>
        <Select
          size="small"
          value={sortKey}
          onChange={setSortKey}
          style={{ width: '100%', marginBottom: 8 }}
          aria-label={t(`${P}.sortBy`)}
          options={shown.map((m) => ({ value: m.key, label: `${t(`${P}.sortBy`)}：${m.label[lang]}` }))}
        />
        {sorted.length === 0 && <div style={{ color: 'rgba(0, 0, 0, 0.55)' }}>{empty}</div>}
        {sorted.map((r, i) => (
          <div
            key={r.key}
            data-testid={`${testId}-card`}
            style={{ borderBottom: '1px solid rgba(5, 5, 5, 0.06)', padding: '8px 0' }}
          >
            <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
              <span>
                {i + 1}. {open(r)}
              </span>
              <span style={{ color: 'rgba(0, 0, 0, 0.55)' }}>{r.sub ?? ''}</span>
            </div>
            <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', gap: '2px 12px', fontSize: 13 }}>
              {shown.map((m) => (
                <div key={m.key} style={{ display: 'flex', justifyContent: 'space-between', gap: 4 }}>
                  <span style={{ color: 'rgba(0, 0, 0, 0.55)' }}>{m.label[lang]}</span>
                  <strong style={{ fontWeight: m.key === sortKey ? 600 : 400 }}>
                    {formatFigure(r.figures[m.key], m.kind, t)}
                  </strong>
                </div>
              ))}
            </div>
          </div>
        ))}
      </div>
    );
  const columns: ColumnType<RankRow>[] = [
    { key: 'name', title: nameTitle, fixed: 'left', render: (_, r) => open(r) },
    { key: 'sub', title: subTitle, dataIndex: 'sub', render: (v) => v ?? '—' },
    ...shown.map(
      (m): ColumnType<RankRow> => ({
        key: m.key,
        title: m.label[lang],
        align: 'right',
        sorter: (a, b) => (a.figures[m.key] ?? -1) - (b.figures[m.key] ?? -1),
        sortDirections: ['descend', 'ascend'],
        render: (_, r) => formatFigure(r.figures[m.key], m.kind, t),
      }),
    ),
  ];
  return (
    <Table<RankRow>
      data-testid={testId}
      rowKey="key"
      size="small"
      loading={loading}
      dataSource={rows}
      columns={columns}
      pagination={rows.length > 50 ? { pageSize: 50, showSizeChanger: false } : false}
      scroll={{ x: 'max-content' }}
      locale={{ emptyText: empty }}
      showSorterTooltip={false}
    />
  );
}
