import type { AuditPage as AuditEntries, AuditEntry } from '@kehu/contracts/admin';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Button, Card, DatePicker, Input, Select, Space, Table, Tag, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useLabel, useObjects } from '../app/meta';
import { UserSelect } from '../records/user-select';
import { http } from '../shared/api-client';
import { ErrorResult } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';
import { AdminPageHeader } from './admin-page-header';

const ACTIONS = [
  'create',
  'update',
  'delete',
  'restore',
  'unmask',
  'export',
  'import',
  'login',
  'logout',
  'login_failed',
];
const ACTION_COLORS: Record<string, string> = {
  create: 'green',
  update: 'blue',
  delete: 'red',
  restore: 'orange',
  unmask: 'purple',
  export: 'cyan',
  import: 'geekblue',
  login: 'default',
};

function show(v: unknown): string {
  if (v === null || v === undefined || v === '') return '∅';
  return typeof v === 'object' ? JSON.stringify(v) : String(v);
}

export function AuditPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const isMobile = useIsMobile();
  const objects = useObjects();
  const [filters, setFilters] = useState<{
    action?: string;
    object?: string;
    actorId?: string | null;
    recordId?: string;
    range?: [Dayjs | null, Dayjs | null] | null;
  }>({});
  const query = useMemo(
    () => ({
      action: filters.action,
      object: filters.object,
      actorId: filters.actorId ?? undefined,
      recordId: filters.recordId?.trim() || undefined,
      from: filters.range?.[0]?.startOf('day').toISOString(),
      to: filters.range?.[1]?.endOf('day').toISOString(),
    }),
    [filters],
  );
  const audit = useInfiniteQuery({
    queryKey: ['admin', 'audit', query],
    queryFn: ({ pageParam }) =>
      http.get<AuditEntries>('/admin/audit', {
        ...query,
        cursor: pageParam ?? undefined,
        limit: 50,
      }),
    initialPageParam: null as string | null,
    getNextPageParam: (last) => last.nextCursor ?? undefined,
  });
  const rows = audit.data?.pages.flatMap((p) => p.items ?? []) ?? [];
  const objLabel = (o?: string | null) => {
    const m = objects.data?.find((x) => x.apiName === o);
    if (m) return label(m.label, o!);
    return o ? t(`admin.audit.objectNames.${o}`, { defaultValue: o }) : '—';
  };
  const changesOf = (e: AuditEntry) => e.changes ?? [];

  return (
    <div className="kehu-page">
      <AdminPageHeader title={t('admin.nav.audit')} description={t('admin.audit.hint')} />
      <Card>
        <Space wrap style={{ marginBottom: 12 }} data-testid="audit-filters">
          <Select
            allowClear
            placeholder={t('admin.audit.action')}
            style={{ width: 150 }}
            value={filters.action}
            onChange={(v) => setFilters((f) => ({ ...f, action: v }))}
            options={ACTIONS.map((a) => ({
              value: a,
              label: t(`timeline.actions.${a}`, { defaultValue: a }),
            }))}
            data-testid="audit-action"
          />
          <Select
            allowClear
            placeholder={t('admin.audit.object')}
            style={{ width: 160 }}
            value={filters.object}
            onChange={(v) => setFilters((f) => ({ ...f, object: v }))}
            options={(objects.data ?? []).map((o) => ({
              value: o.apiName,
              label: label(o.label, o.apiName),
            }))}
            data-testid="audit-object"
          />
          <UserSelect
            value={filters.actorId ?? null}
            onChange={(v) => setFilters((f) => ({ ...f, actorId: v as string | null }))}
            placeholder={t('admin.audit.actor')}
            style={{ width: 180 }}
          />
          <Input
            allowClear
            placeholder={t('admin.audit.recordId')}
            style={{ width: 200 }}
            value={filters.recordId}
            onChange={(e) => setFilters((f) => ({ ...f, recordId: e.target.value }))}
          />
          <DatePicker.RangePicker
            value={filters.range ?? null}
            onChange={(r) => setFilters((f) => ({ ...f, range: r as [Dayjs | null, Dayjs | null] | null }))}
            style={{ width: isMobile ? '100%' : undefined }}
            data-testid="audit-range"
          />
          <Button onClick={() => setFilters({})}>{t('filter.clear')}</Button>
        </Space>
        {audit.error ? (
          <ErrorResult error={audit.error} onRetry={() => audit.refetch()} />
        ) : (
          <>
            <Table<AuditEntry>
              rowKey="id"
              loading={audit.isPending}
              dataSource={rows}
              pagination={false}
              size="small"
              scroll={{ x: 'max-content' }}
              data-testid="audit-table"
              expandable={{
                rowExpandable: (e) => changesOf(e).length > 0 || !!e.meta,
                expandedRowRender: (e) => (
                  <div data-testid="audit-diff">
                    {changesOf(e).length > 0 ? (
                      <Table
                        size="small"
                        rowKey="field"
                        pagination={false}
                        dataSource={changesOf(e)}
                        columns={[
                          {
                            title: t('admin.audit.field'),
                            dataIndex: 'field',
                            render: (v) => <code className="kehu-mono">{v}</code>,
                          },
                          {
                            title: t('admin.audit.from'),
                            dataIndex: 'from',
                            render: (v) => <span className="kehu-diff-from">{show(v)}</span>,
                          },
                          {
                            title: t('admin.audit.to'),
                            dataIndex: 'to',
                            render: (v) => <span className="kehu-diff-to">{show(v)}</span>,
                          },
                        ]}
                      />
                    ) : (
                      <pre className="kehu-mono" style={{ margin: 0, fontSize: 12, whiteSpace: 'pre-wrap' }}>
                        {JSON.stringify(e.meta, null, 2)}
                      </pre>
                    )}
                  </div>
                ),
              }}
              columns={[
                {
                  title: t('admin.audit.at'),
                  dataIndex: 'at',
                  render: (v) => dayjs(v).format('YYYY-MM-DD HH:mm:ss'),
                  width: 170,
                },
                {
                  title: t('admin.audit.action'),
                  dataIndex: 'action',
                  render: (a) => (
                    <Tag color={ACTION_COLORS[a]} bordered={false}>
                      {t(`timeline.actions.${a}`, { defaultValue: a })}
                    </Tag>
                  ),
                },
                { title: t('admin.audit.object'), dataIndex: 'object', render: (o) => objLabel(o) },
                {
                  title: t('admin.audit.record'),
                  dataIndex: 'recordId',
                  render: (id, e) =>
                    id && e.object && objects.data?.some((o) => o.apiName === e.object) ? (
                      <Link to={`/o/${e.object}/${id}`} data-testid="audit-record">
                        {e.recordName ? (
                          e.recordName
                        ) : (
                          <Typography.Text className="kehu-mono" style={{ fontSize: 12 }}>
                            {/* nameless to this viewer: the tail (a uuid v7's head is its timestamp) */}…
                            {String(id).slice(-8)}
                          </Typography.Text>
                        )}
                      </Link>
                    ) : (
                      '—'
                    ),
                },
                {
                  title: t('admin.audit.actor'),
                  key: 'actor',
                  render: (_, e) => e.actor.name ?? e.actor.id ?? t('timeline.system'),
                },
                { title: 'IP', dataIndex: 'ip', responsive: ['lg'], render: (v) => v ?? '—' },
              ]}
            />
            {audit.hasNextPage && (
              <div style={{ textAlign: 'center', marginTop: 12 }}>
                <Button
                  onClick={() => audit.fetchNextPage()}
                  loading={audit.isFetchingNextPage}
                  data-testid="load-more"
                >
                  {t('records.loadMore')}
                </Button>
              </div>
            )}
          </>
        )}
      </Card>
    </div>
  );
}
