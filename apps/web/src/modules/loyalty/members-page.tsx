import { Empty, Input, Select, Space, Table, Tag, TreeSelect, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { buildUnitTree } from '../../app/unit-tree';
import { ErrorResult } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type MemberFilter, type MemberRow, useMembers, usePrograms } from './loyalty-api';

const TIER_COLORS = ['default', 'gold', 'purple', 'magenta', 'volcano'];

/** 会员列表: newest first, by tier / store, or one member by number or phone. */
export function MembersPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const mobile = useIsMobile();
  const navigate = useNavigate();
  const programs = usePrograms();
  const [filter, setFilter] = useState<MemberFilter>({});
  const [pages, setPages] = useState<string[]>([]);
  const list = useMembers({ ...filter, cursor: pages.at(-1) });
  const program = programs.data?.items.find((p) => p.id === filter.programId) ?? programs.data?.items[0];
  const unitTree = useMemo(() => buildUnitTree(me.units), [me.units]);
  const set = (f: Partial<MemberFilter>) => {
    setPages([]);
    setFilter((x) => ({ ...x, ...f }));
  };
  const noProgram = programs.data && programs.data.items.length === 0;
  return (
    <div className="kehu-page" data-testid="loyalty-members-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('loyalty.members.title')}
        </Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('loyalty.members.intro')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12, width: '100%' }}>
        {(programs.data?.items.length ?? 0) > 1 && (
          <Select
            style={{ minWidth: 160 }}
            value={program?.id}
            options={programs.data!.items.map((p) => ({ value: p.id, label: p.name }))}
            onChange={(programId) => set({ programId, tierId: undefined })}
          />
        )}
        <Select
          allowClear
          style={{ minWidth: 130 }}
          placeholder={t('loyalty.members.allTiers')}
          value={filter.tierId}
          options={(program?.tiers ?? []).map((x) => ({ value: x.id, label: `${x.name}（${x.members}）` }))}
          onChange={(tierId) => set({ tierId })}
          aria-label={t('loyalty.members.columns.tier')}
        />
        <TreeSelect
          allowClear
          style={{ minWidth: 180 }}
          placeholder={t('loyalty.members.allUnits')}
          treeData={unitTree}
          treeDefaultExpandAll
          value={filter.unitId}
          onChange={(unitId) => set({ unitId })}
          aria-label={t('loyalty.members.columns.unit')}
        />
        <Input.Search
          allowClear
          style={{ width: mobile ? '100%' : 220 }}
          placeholder={t('loyalty.members.search')}
          onSearch={(q) => set({ q: q.trim() || undefined })}
        />
      </Space>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<MemberRow>
          rowKey="id"
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          size={mobile ? 'small' : 'middle'}
          scroll={{ x: true }}
          pagination={false}
          onRow={(r) => ({
            onClick: () => navigate(`/loyalty/members/${r.id}`),
            style: { cursor: 'pointer' },
          })}
          locale={{
            emptyText: (
              <Empty description={noProgram ? t('loyalty.members.noProgram') : t('loyalty.members.empty')} />
            ),
          }}
          columns={[
            {
              title: t('loyalty.members.columns.no'),
              dataIndex: 'memberNo',
              render: (no: string, r) => <Link to={`/loyalty/members/${r.id}`}>{no}</Link>,
            },
            { title: t('loyalty.members.columns.name'), dataIndex: 'name' },
            ...(mobile ? [] : [{ title: t('loyalty.members.columns.phone'), dataIndex: 'phone' }]),
            {
              title: t('loyalty.members.columns.tier'),
              key: 'tier',
              render: (_: unknown, r: MemberRow) => (
                <Tag color={TIER_COLORS[r.tierRank] ?? 'blue'}>{r.tierName}</Tag>
              ),
            },
            {
              title: t('loyalty.members.columns.balance'),
              dataIndex: 'balance',
              align: 'right' as const,
              render: (n: number) => (
                <span style={{ color: n < 0 ? '#cf1322' : undefined }}>{n.toLocaleString()}</span>
              ),
            },
            ...(mobile
              ? []
              : [
                  { title: t('loyalty.members.columns.unit'), dataIndex: 'unitName' },
                  {
                    title: t('loyalty.members.columns.enrolledAt'),
                    dataIndex: 'enrolledAt',
                    render: (d: string) => d.slice(0, 10),
                  },
                ]),
          ]}
        />
      )}
      <Space style={{ marginTop: 12, width: '100%', justifyContent: 'center' }}>
        {pages.length > 0 && (
          <Typography.Link onClick={() => setPages([])}>{t('loyalty.members.first')}</Typography.Link>
        )}
        {list.data?.nextCursor && (
          <Typography.Link onClick={() => setPages((p) => [...p, list.data!.nextCursor!])}>
            {t('loyalty.members.more')}
          </Typography.Link>
        )}
      </Space>
    </div>
  );
}
