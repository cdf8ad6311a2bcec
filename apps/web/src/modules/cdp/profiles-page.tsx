import type { TableColumnsType } from 'antd';
import {
  Button,
  Card,
  Empty,
  Input,
  List,
  Select,
  Skeleton,
  Space,
  Table,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import type { HTMLAttributes } from 'react';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LoadMore } from '../../records/load-more';
import { ErrorResult } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type ProfileFilter, type ProfileRow, useProfilePages, useSegments, useTags } from './cdp-api';
import { usePersonText } from './person-label';

dayjs.extend(relativeTime);

type Linked = 'any' | 'yes' | 'no';

/** `kind:value` → [kind, value] (values may contain colons). */
const splitIdentity = (s: string): [string, string] => {
  const at = s.indexOf(':');
  return [s.slice(0, at), s.slice(at + 1)];
};

/** The server's label: name, else a recognisable identity, else 匿名访客 · 来自 <source> · <first seen>. */
function useProfileLabel() {
  const text = usePersonText();
  return (p: ProfileRow) => text(p.label);
}

function Identities({ p, max }: { p: ProfileRow; max: number }) {
  const { t } = useTranslation();
  const more = p.identityCount - Math.min(max, p.identities.length);
  return (
    <Space wrap size={[4, 4]}>
      {p.identities.slice(0, max).map((s) => {
        const [kind, value] = splitIdentity(s);
        return (
          <Tag
            key={s}
            style={{ marginInlineEnd: 0, maxWidth: 260, overflow: 'hidden', textOverflow: 'ellipsis' }}
          >
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t(`cdp.idKind.${kind}`, { defaultValue: kind })}
            </Typography.Text>{' '}
            {value}
          </Tag>
        );
      })}
      {more > 0 && <Typography.Text type="secondary">+{more}</Typography.Text>}
    </Space>
  );
}

function CrmLink({ p }: { p: ProfileRow }) {
  const { t } = useTranslation();
  const l = p.links[0];
  if (!l) return <Typography.Text type="secondary">—</Typography.Text>;
  return (
    <Space size={4} wrap>
      <Tag style={{ marginInlineEnd: 0 }}>{t(`cdp.rule.${l.object}`, { defaultValue: l.object })}</Tag>
      {l.visible ? (
        <Link to={`/o/${l.object}/${l.recordId}`}>{l.name ?? t('records.untitled')}</Link>
      ) : (
        <Typography.Text type="secondary">{t('cdp.profile.linkHidden')}</Typography.Text>
      )}
      {p.links.length > 1 && <Typography.Text type="secondary">+{p.links.length - 1}</Typography.Text>}
    </Space>
  );
}

const LastSeen = ({ at }: { at: string }) => (
  <Tooltip title={dayjs(at).format('YYYY-MM-DD HH:mm:ss')}>
    <span>{dayjs(at).fromNow()}</span>
  </Tooltip>
);

export function ProfilesPage() {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const label = useProfileLabel();
  const [search, setSearch] = useState('');
  const [q, setQ] = useState('');
  const [segment, setSegment] = useState<string | undefined>();
  const [tag, setTag] = useState<string | undefined>();
  const [linked, setLinked] = useState<Linked>('any');
  useEffect(() => {
    const h = setTimeout(() => setQ(search.trim()), 300);
    return () => clearTimeout(h);
  }, [search]);
  const filter: ProfileFilter = {
    q: q || undefined,
    segment,
    tag,
    linked: linked === 'any' ? undefined : linked === 'yes',
  };
  const filtered = !!(filter.q || segment || tag || filter.linked !== undefined);
  const list = useProfilePages(filter);
  const segments = useSegments();
  const tags = useTags();
  const rows = useMemo(() => list.data?.pages.flatMap((p) => p.items) ?? [], [list.data]);
  const first = list.data?.pages[0];

  const clear = () => {
    setSearch('');
    setQ('');
    setSegment(undefined);
    setTag(undefined);
    setLinked('any');
  };

  const columns: TableColumnsType<ProfileRow> = [
    {
      key: 'profile',
      title: t('cdp.profiles.colProfile'),
      width: 180,
      ellipsis: true,
      render: (_, p) => (
        <Link to={`/cdp/profiles/${p.id}`} style={{ fontWeight: 500 }}>
          {label(p)}
        </Link>
      ),
    },
    {
      key: 'identities',
      title: t('cdp.profiles.colIdentities'),
      render: (_, p) => <Identities p={p} max={3} />,
    },
    {
      key: 'tags',
      title: t('cdp.profiles.colTags'),
      width: 80,
      align: 'right',
      render: (_, p) => p.tagCount || <Typography.Text type="secondary">0</Typography.Text>,
    },
    {
      key: 'segments',
      title: t('cdp.profiles.colSegments'),
      width: 80,
      align: 'right',
      render: (_, p) => p.segmentCount || <Typography.Text type="secondary">0</Typography.Text>,
    },
    {
      key: 'lastSeen',
      title: t('cdp.profiles.colLastSeen'),
      width: 120,
      render: (_, p) => <LastSeen at={p.lastSeenAt} />,
    },
    { key: 'crm', title: t('cdp.profiles.colCrm'), width: 180, render: (_, p) => <CrmLink p={p} /> },
  ];

  const profileSegments = (segments.data?.items ?? []).filter((s) => s.object === 'profile');
  const profileTags = (tags.data?.items ?? []).filter((x) => x.object === 'profile');

  return (
    <div className="kehu-page" data-testid="cdp-profiles">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.profiles.title')}
        </Typography.Title>
        {first?.total != null && (
          <Typography.Text type="secondary" data-testid="profile-total">
            {t(first.totalExact === false ? 'cdp.profiles.totalAbout' : 'cdp.profiles.total', {
              count: first.total,
            })}
          </Typography.Text>
        )}
      </div>
      <div style={{ display: 'flex', flexWrap: 'wrap', gap: 8, marginBottom: 12 }}>
        <Input.Search
          allowClear
          value={search}
          placeholder={t('cdp.profiles.search')}
          onChange={(e) => setSearch(e.target.value)}
          onSearch={(v) => {
            setSearch(v);
            setQ(v.trim());
          }}
          style={{ width: isMobile ? '100%' : 300 }}
          data-testid="profile-search"
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('cdp.profiles.segment')}
          value={segment}
          onChange={setSegment}
          loading={segments.isPending}
          options={profileSegments.map((s) => ({ value: s.id, label: s.name }))}
          style={{ width: isMobile ? 'calc(50% - 4px)' : 180 }}
          data-testid="profile-segment-filter"
        />
        <Select
          allowClear
          showSearch
          optionFilterProp="label"
          placeholder={t('cdp.profiles.tag')}
          value={tag}
          onChange={setTag}
          loading={tags.isPending}
          options={profileTags.map((x) => ({ value: x.id, label: x.name }))}
          style={{ width: isMobile ? 'calc(50% - 4px)' : 180 }}
          data-testid="profile-tag-filter"
        />
        <Select<Linked>
          value={linked}
          onChange={setLinked}
          options={[
            { value: 'any', label: t('cdp.profiles.linkedAny') },
            { value: 'yes', label: t('cdp.profiles.linkedYes') },
            { value: 'no', label: t('cdp.profiles.linkedNo') },
          ]}
          style={{ width: isMobile ? '100%' : 160 }}
          data-testid="profile-linked-filter"
        />
      </div>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : list.isPending ? (
        <Skeleton active paragraph={{ rows: 8 }} />
      ) : rows.length === 0 ? (
        <Card data-testid="profiles-empty">
          {filtered ? (
            <Empty description={t('cdp.profiles.noMatch')}>
              <Button onClick={clear}>{t('cdp.profiles.clear')}</Button>
            </Empty>
          ) : (
            <Empty
              description={
                <Space direction="vertical" size={4}>
                  <Typography.Text strong>{t('cdp.profiles.emptyTitle')}</Typography.Text>
                  <Typography.Text type="secondary">{t('cdp.profiles.emptyHint')}</Typography.Text>
                </Space>
              }
            >
              <Link to="/cdp/sources">
                <Button type="primary">{t('cdp.profiles.goSources')}</Button>
              </Link>
            </Empty>
          )}
        </Card>
      ) : isMobile ? (
        <List
          dataSource={rows}
          rowKey="id"
          renderItem={(p) => (
            <Card size="small" style={{ marginBottom: 8 }} data-testid="profile-item">
              <div style={{ display: 'flex', justifyContent: 'space-between', gap: 8 }}>
                <Link to={`/cdp/profiles/${p.id}`} style={{ fontWeight: 500, minWidth: 0 }}>
                  {label(p)}
                </Link>
                <Typography.Text type="secondary" style={{ fontSize: 12, flexShrink: 0 }}>
                  <LastSeen at={p.lastSeenAt} />
                </Typography.Text>
              </div>
              <div style={{ marginTop: 6 }}>
                <Identities p={p} max={2} />
              </div>
              <div style={{ marginTop: 6, display: 'flex', flexWrap: 'wrap', gap: 8, alignItems: 'center' }}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('cdp.profiles.tagsN', { count: p.tagCount })} ·{' '}
                  {t('cdp.profiles.segmentsN', { count: p.segmentCount })}
                </Typography.Text>
                {p.links.length > 0 && <CrmLink p={p} />}
              </div>
            </Card>
          )}
        />
      ) : (
        <Table<ProfileRow>
          rowKey="id"
          size="middle"
          columns={columns}
          dataSource={rows}
          pagination={false}
          sticky={{ offsetHeader: 56 }}
          tableLayout="fixed"
          scroll={{ x: 960 }}
          data-testid="profile-table"
          onRow={() => ({ 'data-testid': 'profile-item' }) as HTMLAttributes<HTMLElement>}
        />
      )}
      <LoadMore pages={list} loaded={rows.length} auto />
    </div>
  );
}
