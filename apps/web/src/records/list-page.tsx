import {
  FilterOutlined,
  ImportOutlined,
  PlusOutlined,
  ReloadOutlined,
  RestOutlined,
} from '@ant-design/icons';
import { useInfiniteQuery, useQuery } from '@tanstack/react-query';
import {
  Badge,
  Button,
  Empty,
  Input,
  type InputRef,
  Skeleton,
  Space,
  Spin,
  Table,
  type TableColumnsType,
  Tooltip,
} from 'antd';
import type { SorterResult } from 'antd/es/table/interface';
import { Suspense, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { type FieldMeta, type ObjectMeta, useLabel, useObjectMeta } from '../app/meta';
import { useSession } from '../app/session';
import { lazyPage } from '../shared/lazy-page';
import { ErrorResult } from '../shared/ui/error-result';
import { PermissionButton } from '../shared/ui/permission-button';
import { Text, Title } from '../shared/ui/text';
import { useAsked } from '../shared/use-asked';
import { useIsMobile } from '../shared/use-is-mobile';
import { ColumnChooser } from './column-chooser';
import { ExportButton } from './export-button';
import { FieldValue } from './field-value';
import { FilterChips } from './filter-chips';
import { countConditions, type FilterNode, fromFilter, parseFilterParam, withoutPart } from './filter-model';
import { LoadMore } from './load-more';
import { type ListParams, type RecordData, recordApi } from './record-api';
import { type SavedView, SavedViews } from './saved-views';
import { useSlashFocus } from './use-slash-focus';

// What a list opens on demand (date pickers, cascaders, uploads, forms): loaded on first use, so
// a list's first download is the table.
const FilterBuilder = lazyPage(() => import('./filter-builder'), 'FilterBuilder');
const ImportWizard = lazyPage(() => import('./import-wizard'), 'ImportWizard');
const BulkActions = lazyPage(() => import('./bulk-actions'), 'BulkActions');
// Phones only: a desktop never downloads the card layout.
const RecordCards = lazyPage(() => import('./record-cards'), 'RecordCards');

const PAGE_SIZE = 50;

export function ListPage() {
  const { object } = useParams();
  const meta = useObjectMeta(object);
  if (meta.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active paragraph={{ rows: 10 }} />
      </div>
    );
  if (meta.error)
    return (
      <div className="kehu-page">
        <ErrorResult error={meta.error} onRetry={() => meta.refetch()} />
      </div>
    );
  return <ListView key={meta.data.apiName} meta={meta.data} />;
}

function defaultColumns(meta: ObjectMeta): string[] {
  const visible = new Set(meta.fields.map((f) => f.apiName));
  const cols = (
    meta.listColumns?.length ? meta.listColumns : [meta.nameField, 'ownerId', 'updatedAt']
  ).filter((c) => visible.has(c));
  return cols.length ? cols : meta.fields.slice(0, 5).map((f) => f.apiName);
}

function ListView({ meta }: { meta: ObjectMeta }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can, unitId: sessionUnit } = useSession();
  // What the list shows lives in the URL — `?q=&filter=<json>&sort=&deleted=1&unit=<id>` — so a
  // list is shareable, the back button undoes a filter step, and drill-downs (dashboards,
  // targets, the global search's "see all") open it with a query of their own.
  const [searchParams, setSearchParams] = useSearchParams();
  const unitId = searchParams.get('unit') ?? sessionUnit;
  const object = meta.apiName;
  const fields = useMemo(() => new Map(meta.fields.map((f) => [f.apiName, f])), [meta]);
  const baseColumns = useMemo(() => defaultColumns(meta), [meta]);

  const [viewId, setViewId] = useState<string | null>(null);
  const [columns, setColumns] = useState<string[]>(baseColumns);
  const filterParam = searchParams.get('filter');
  const filter = useMemo(() => parseFilterParam(filterParam), [filterParam]);
  const sort = searchParams.get('sort');
  const q = searchParams.get('q')?.trim() ?? '';
  const deleted = searchParams.get('deleted') === '1';
  /** Changes the URL's list state: each change is a history step, except typing in the search box. */
  const setUrl = (patch: Record<string, string | null>, replace = false) =>
    setSearchParams(
      (prev) => {
        const next = new URLSearchParams(prev);
        for (const [k, v] of Object.entries(patch)) {
          if (v === null || v === '') next.delete(k);
          else next.set(k, v);
        }
        return next;
      },
      { replace },
    );
  const setFilter = (f: FilterNode | null) => setUrl({ filter: f ? JSON.stringify(f) : null });
  const setSort = (s: string | null) => setUrl({ sort: s });
  const setDeleted = (d: boolean) => setUrl({ deleted: d ? '1' : null });
  const setQ = (v: string) => setUrl({ q: v || null }, !!q && !!v);
  const [search, setSearch] = useState(q);
  const [filterOpen, setFilterOpen] = useState(false);
  const [importOpen, setImportOpen] = useState(false);
  // Mounted from the first open on, so closing still animates and a reopened drawer keeps its state.
  const filterAsked = useAsked(filterOpen);
  const importAsked = useAsked(importOpen);
  // The total shows with the list (issue 9 §3: "the customer list shows its total"); it is a
  // separate query, so a slow count never holds the rows back.
  const [showCount, setShowCount] = useState(true);
  const [selected, setSelected] = useState<RecordData[]>([]);
  const searchRef = useRef<InputRef>(null);
  useSlashFocus(searchRef);

  // Debounce typing into the quick search; the URL's q (back button, a shared link) fills the box.
  // biome-ignore lint/correctness/useExhaustiveDependencies: typing drives the URL, not the other way round
  useEffect(() => {
    const h = setTimeout(() => {
      if (search.trim() !== q) setQ(search.trim());
    }, 300);
    return () => clearTimeout(h);
  }, [search]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: only when the URL changes the term
  useEffect(() => {
    if (search.trim() !== q) setSearch(q);
  }, [q]);

  const params: ListParams = { filter, sort, q, unit: unitId, deleted };
  const listKey = ['records', object, 'list', { filter, sort, q, unitId, deleted }];
  const list = useInfiniteQuery({
    queryKey: listKey,
    queryFn: ({ pageParam }) => recordApi.list(object, { ...params, limit: PAGE_SIZE, cursor: pageParam }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const count = useQuery({
    queryKey: ['records', object, 'count', { filter, q, unitId, deleted }],
    queryFn: () =>
      recordApi.list(object, { ...params, sort: null, limit: 1, count: true }).then((r) => r.total ?? null),
    enabled: showCount,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: selection resets whenever the result set changes
  useEffect(() => setSelected([]), [filter, q, unitId, deleted]);

  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);

  const visibleFields = columns
    .map((c) => fields.get(c))
    .filter((f): f is FieldMeta => !!f && f.access !== 'hidden');
  const sortField = sort?.replace(/^-/, '');
  const tableColumns: TableColumnsType<RecordData> = visibleFields.map((f, i) => ({
    key: f.apiName,
    dataIndex: f.apiName,
    title: label(f.label, f.apiName),
    sorter: f.sortable !== false,
    sortOrder: sortField === f.apiName ? (sort!.startsWith('-') ? 'descend' : 'ascend') : null,
    fixed: i === 0 && !isMobile ? 'left' : undefined,
    ellipsis: f.type !== 'multipicklist',
    width: f.apiName === meta.nameField ? 220 : f.type === 'longtext' ? 280 : undefined,
    render: (_: unknown, r: RecordData) =>
      f.apiName === meta.nameField ? (
        <Link to={`/o/${object}/${r.id}`} data-testid="record-link">
          {String(r[f.apiName] ?? '') || t('records.untitled')}
        </Link>
      ) : (
        <FieldValue object={object} record={r} field={f} />
      ),
  }));
  if (!visibleFields.some((f) => f.apiName === meta.nameField)) {
    tableColumns.unshift({
      key: '__open',
      width: 64,
      fixed: isMobile ? undefined : 'left',
      render: (_: unknown, r: RecordData) => <Link to={`/o/${object}/${r.id}`}>{t('records.open')}</Link>,
    });
  }

  const applyView = (v: SavedView | null) => {
    setViewId(v?.id ?? null);
    setUrl({ filter: v?.filter ? JSON.stringify(v.filter) : null, sort: v?.sort ?? null });
    setColumns(v?.columns?.length ? v.columns : baseColumns);
  };
  const clearCriteria = () => {
    setSearch('');
    setUrl({ filter: null, q: null });
  };

  const filterCount = countConditions(fromFilter(filter));
  const hasCriteria = !!filter || !!q;
  const canCreate = can(`${object}:create`);
  const canImport = can(`${object}:import`);
  const canBulk = can(`${object}:delete`) || can(`${object}:update`);
  const plural = label(meta.pluralLabel, label(meta.label, object));

  // Without the right the button stays, disabled, naming it (a read-only role sees why).
  const newButton = (
    <PermissionButton
      allowed={can(`${object}:create`)}
      need={t('form.newTitle', { object: label(meta.label, object) })}
      type="primary"
      icon={<PlusOutlined />}
      onClick={() => navigate(`/o/${object}/new`)}
      data-testid="new-record"
    >
      {t('records.new')}
    </PermissionButton>
  );
  const importButton = canImport && (
    <Button icon={<ImportOutlined />} onClick={() => setImportOpen(true)} data-testid="import-button">
      {t('import.button')}
    </Button>
  );

  const emptyState = hasCriteria ? (
    <Empty description={t('records.noMatch')} data-testid="empty-state">
      <Button onClick={clearCriteria}>{t('records.clearCriteria')}</Button>
    </Empty>
  ) : deleted ? (
    <Empty description={t('records.recycleEmpty')} data-testid="empty-state" />
  ) : (
    <Empty
      image={Empty.PRESENTED_IMAGE_SIMPLE}
      description={
        <Space direction="vertical" size={2}>
          <Text strong>{t('records.emptyTitle', { object: plural })}</Text>
          <Text type="secondary">
            {canCreate || canImport ? t('records.emptyHint') : t('records.emptyReadOnly')}
          </Text>
        </Space>
      }
      data-testid="empty-state"
    >
      <Space>
        {canCreate && newButton}
        {importButton}
      </Space>
    </Empty>
  );

  return (
    <div className="kehu-page">
      <div className="kehu-page-header">
        <Space align="baseline" wrap>
          <Title level={4} data-testid="list-title">
            {plural}
          </Title>
          {deleted && <Text type="warning">{t('records.recycleBin')}</Text>}
        </Space>
        <Space wrap>
          {newButton}
          {importButton}
          {can(`${object}:export`) && (
            <ExportButton
              object={object}
              params={params}
              fields={visibleFields.map((f) => f.apiName)}
              compact={isMobile}
            />
          )}
        </Space>
      </div>

      <div className="kehu-toolbar" style={{ marginBottom: 12 }}>
        <Input.Search
          ref={searchRef}
          allowClear
          value={search}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => setQ(v.trim())}
          placeholder={t('records.searchPlaceholder')}
          style={{ width: isMobile ? '100%' : 280 }}
          data-testid="search-input"
          enterButton={false}
        />
        <SavedViews
          object={object}
          current={{ filter, columns, sort }}
          selectedId={viewId}
          onSelect={applyView}
        />
        <Badge count={filterCount} size="small">
          <Button
            icon={<FilterOutlined />}
            onClick={() => setFilterOpen(true)}
            data-testid="filter-button"
            type={filterCount ? 'primary' : 'default'}
            ghost={!!filterCount}
          >
            {t('filter.button')}
          </Button>
        </Badge>
        <ColumnChooser
          fields={meta.fields}
          columns={columns}
          defaultColumns={baseColumns}
          onChange={setColumns}
        />
        <Tooltip title={t('records.recycleBin')}>
          <Button
            icon={<RestOutlined />}
            type={deleted ? 'primary' : 'default'}
            onClick={() => setDeleted(!deleted)}
            data-testid="recycle-toggle"
            aria-label={t('records.recycleBin')}
          />
        </Tooltip>
        <Tooltip title={t('common.refresh')}>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => {
              void list.refetch();
              if (showCount) void count.refetch();
            }}
            aria-label={t('common.refresh')}
          />
        </Tooltip>
        <span style={{ marginLeft: isMobile ? 0 : 'auto' }} data-testid="record-total">
          {showCount ? (
            count.isFetching ? (
              <Spin size="small" />
            ) : count.data != null ? (
              <Text type="secondary">{t('records.total', { count: count.data })}</Text>
            ) : null
          ) : (
            <Button
              type="link"
              size="small"
              onClick={() => setShowCount(true)}
              style={{ padding: 0 }}
              data-testid="show-total"
            >
              {t('records.showTotal')}
            </Button>
          )}
        </span>
      </div>

      <FilterChips
        fields={fields}
        filter={filter}
        q={q}
        onRemovePart={(i) => setFilter(withoutPart(filter, i))}
        onClearQ={() => {
          setSearch('');
          setQ('');
        }}
        onClearAll={clearCriteria}
      />

      {canBulk && selected.length > 0 && (
        <Suspense fallback={null}>
          <BulkActions object={object} selected={selected} onDone={() => setSelected([])} />
        </Suspense>
      )}

      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : list.isPending ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : rows.length === 0 ? (
        <div style={{ background: '#fff', borderRadius: 8, padding: '40px 16px' }}>{emptyState}</div>
      ) : isMobile ? (
        <Suspense fallback={<Skeleton active paragraph={{ rows: 8 }} />}>
          <RecordCards
            meta={meta}
            records={rows}
            columns={visibleFields}
            selectable={canBulk}
            selectedIds={selected.map((r) => r.id)}
            onToggle={(r, checked) =>
              setSelected((s) => (checked ? [...s, r] : s.filter((x) => x.id !== r.id)))
            }
          />
        </Suspense>
      ) : (
        <Table<RecordData>
          rowKey="id"
          size="middle"
          columns={tableColumns}
          dataSource={rows}
          pagination={false}
          sticky={{ offsetHeader: 56 }}
          scroll={{ x: 'max-content' }}
          showSorterTooltip={false}
          data-testid="record-table"
          rowSelection={
            canBulk
              ? {
                  selectedRowKeys: selected.map((r) => r.id),
                  onChange: (_, recs) => setSelected(recs),
                  preserveSelectedRowKeys: true,
                }
              : undefined
          }
          onChange={(_p, _f, sorter) => {
            const s = (Array.isArray(sorter) ? sorter[0] : sorter) as SorterResult<RecordData>;
            setSort(s?.order ? `${s.order === 'descend' ? '-' : ''}${String(s.columnKey)}` : null);
          }}
          rowClassName={(r) => (r.deletedAt ? 'ant-table-row-disabled' : '')}
        />
      )}

      <LoadMore pages={list} loaded={rows.length} auto />

      <Suspense fallback={null}>
        {filterAsked && (
          <FilterBuilder
            open={filterOpen}
            fields={meta.fields}
            value={filter}
            onApply={setFilter}
            onClose={() => setFilterOpen(false)}
          />
        )}
        {canImport && importAsked && (
          <ImportWizard open={importOpen} onClose={() => setImportOpen(false)} meta={meta} />
        )}
      </Suspense>
    </div>
  );
}
