import {
  DeleteOutlined,
  EditOutlined,
  FolderAddOutlined,
  FolderOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Empty, List, Progress, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type TagGroup, type Tag as TagT, useEventWords, useTags } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { ObjectFilter, useSubjectObjects } from './object-picker';
import { PredictionCard } from './prediction-card';
import { lineageTag, TagDetails } from './tag-details';
import { TagEditor } from './tag-editor';
import { GroupModal } from './tag-group-modal';

const nowrap = () => ({ style: { whiteSpace: 'nowrap' as const } });

export function TagsPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const tags = useTags();
  const { can } = useSession();
  const isMobile = useIsMobile();
  const [expanded, setExpanded] = useState<string | null>(null);
  const [open, setOpen] = useState<{ groupId: string | null; tag?: TagT } | null>(null);
  const [groupModal, setGroupModal] = useState<{ group: TagGroup | null } | null>(null);
  const [objectFilter, setObjectFilter] = useState('');
  const { objectLabel } = useSubjectObjects();
  const all = tags.data?.items ?? [];
  const items = objectFilter ? all.filter((x) => x.object === objectFilter) : all;
  const groups = tags.data?.groups ?? [];
  const tagName = (key: string) => all.find((x) => x.key === key)?.name ?? key;
  const words = useEventWords();
  const objectTag = (x: TagT) =>
    x.object !== 'profile' && (
      <Tag color="purple" data-testid="tag-object-label">
        {objectLabel(x.object)}
      </Tag>
    );
  const del = useMutation({
    mutationFn: (g: TagGroup) => http.del(`/cdp/tag-groups/${g.id}`),
    onSuccess: () => {
      message.success(t('cdp.tags.deleted'));
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const columns = [
    {
      title: t('cdp.tags.name'),
      render: (_: unknown, x: TagT) => (
        <Space direction="vertical" size={0}>
          <span>
            <Tag color="geekblue">{x.name}</Tag>
            {objectTag(x)}
          </span>
          {x.description && (
            <Typography.Text type="secondary" style={{ fontSize: 12 }} ellipsis={{ tooltip: x.description }}>
              {x.description}
            </Typography.Text>
          )}
        </Space>
      ),
    },
    {
      title: t('cdp.tags.kind'),
      dataIndex: 'kind',
      width: 96,
      onHeaderCell: nowrap,
      render: (k: string) => <span style={{ whiteSpace: 'nowrap' }}>{t(`cdp.tagKind.${k}`)}</span>,
    },
    {
      title: t('cdp.tags.owner'),
      dataIndex: 'ownerName',
      width: 96,
      responsive: ['md' as const],
      render: (n: string | null) => n ?? '—',
    },
    {
      title: t('cdp.tags.coverageCol'),
      dataIndex: 'coverage',
      width: 90,
      onHeaderCell: nowrap,
      render: (n: number) => <span data-testid="tag-coverage">{n.toLocaleString()}</span>,
    },
    {
      title: t('cdp.tags.lineage'),
      // On a phone the lineage is in the row's details.
      responsive: ['md' as const],
      render: (_: unknown, x: TagT) => (
        <Space direction="vertical" size={2}>
          <span>
            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
              {t('cdp.tags.dependsOn')}:{' '}
            </Typography.Text>
            {x.lineage.length ? x.lineage.map((l) => lineageTag(l, tagName, t, words.event)) : '—'}
          </span>
          {x.usedBy.length > 0 && (
            <span>
              <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                {t('cdp.tags.usedBy')}:{' '}
              </Typography.Text>
              {x.usedBy.map((u) => (
                <Tag key={u.id} color={u.kind === 'segment' ? 'green' : 'geekblue'}>
                  {u.name}
                </Tag>
              ))}
            </span>
          )}
        </Space>
      ),
    },
    {
      title: t('cdp.tags.backfill'),
      width: 140,
      render: (_: unknown, x: TagT) =>
        x.backfill ? (
          <Progress
            size="small"
            style={{ width: 120 }}
            data-testid="tag-backfill"
            status={x.backfill.status === 'done' ? 'success' : 'active'}
            percent={
              x.backfill.status === 'done'
                ? 100
                : Math.min(99, Math.round((100 * x.backfill.done) / Math.max(1, x.backfill.total ?? 1)))
            }
          />
        ) : (
          '—'
        ),
    },
  ];
  const sections: { group: TagGroup | null; tags: TagT[] }[] = [
    ...groups.map((g) => ({ group: g, tags: items.filter((x) => x.groupId === g.id) })),
    { group: null, tags: items.filter((x) => !x.groupId || !groups.some((g) => g.id === x.groupId)) },
  ]
    // Filtered by object, a group without such tags is left out rather than shown empty.
    .filter((s) => (objectFilter ? s.tags.length : s.group || s.tags.length));
  const confirmDelete = (g: TagGroup) =>
    modal.confirm({
      title: t('cdp.tags.deleteGroupConfirm', { name: g.name }),
      onOk: () => del.mutateAsync(g),
    });
  return (
    <div className="kehu-page" data-testid="cdp-tags">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.tags.title')}
        </Typography.Title>
        <Space wrap>
          <ObjectFilter
            value={objectFilter}
            onChange={setObjectFilter}
            present={all.map((x) => x.object)}
            testId="tag-object-filter"
          />
          <PermissionButton
            allowed={can('cdp:manage')}
            need={t('cdp.perm.tags')}
            icon={<FolderAddOutlined />}
            onClick={() => setGroupModal({ group: null })}
            data-testid="group-new"
          >
            {t('cdp.tags.newGroup')}
          </PermissionButton>
          <PermissionButton
            allowed={can('cdp:manage')}
            need={t('cdp.perm.tags')}
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setOpen({ groupId: null })}
            data-testid="tag-new"
          >
            {t('cdp.tags.new')}
          </PermissionButton>
        </Space>
      </div>
      {tags.error ? (
        <ErrorResult error={tags.error} onRetry={() => tags.refetch()} />
      ) : !tags.isPending && items.length === 0 && groups.length === 0 ? (
        <Card>
          <Empty description={t('cdp.tags.empty')} />
        </Card>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          {sections.map(({ group, tags: list }) => (
            <Card
              key={group?.id ?? 'ungrouped'}
              size="small"
              data-testid="tag-group"
              title={
                <Space wrap size={4}>
                  <FolderOutlined />
                  <span data-testid="tag-group-name">{group ? group.name : t('cdp.tags.ungrouped')}</span>
                  <Typography.Text type="secondary" style={{ fontSize: 12, fontWeight: 'normal' }}>
                    {t('cdp.tags.tagCount', { n: list.length })}
                  </Typography.Text>
                </Space>
              }
              extra={
                group &&
                can('cdp:manage') && (
                  <Space size={0}>
                    <Button
                      size="small"
                      type="text"
                      icon={<PlusOutlined />}
                      aria-label={t('cdp.tags.new')}
                      onClick={() => setOpen({ groupId: group.id })}
                    />
                    <Button
                      size="small"
                      type="text"
                      icon={<EditOutlined />}
                      aria-label={t('cdp.tags.editGroup')}
                      onClick={() => setGroupModal({ group })}
                      data-testid="group-edit"
                    />
                    <Tooltip
                      title={list.length ? t('cdp.tags.groupNotEmpty', { n: list.length }) : undefined}
                    >
                      <Button
                        size="small"
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        disabled={list.length > 0}
                        aria-label={t('cdp.tags.deleteGroup')}
                        onClick={() => confirmDelete(group)}
                        data-testid="group-delete"
                      />
                    </Tooltip>
                  </Space>
                )
              }
              styles={{ body: { padding: 0, overflowX: 'auto' } }}
            >
              {group?.description && (
                <Typography.Paragraph type="secondary" style={{ margin: '8px 12px 0' }}>
                  {group.description}
                </Typography.Paragraph>
              )}
              {list.length === 0 ? (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('cdp.tags.groupEmpty')} />
              ) : isMobile ? (
                // A phone gets a list: name, kind, coverage and progress; details on tap.
                <List
                  size="small"
                  dataSource={list}
                  renderItem={(x) => (
                    <List.Item style={{ display: 'block', padding: '8px 12px' }}>
                      <button
                        type="button"
                        style={{
                          all: 'unset',
                          boxSizing: 'border-box',
                          width: '100%',
                          display: 'flex',
                          alignItems: 'center',
                          gap: 8,
                          cursor: 'pointer',
                        }}
                        aria-expanded={expanded === x.id}
                        onClick={() => setExpanded(expanded === x.id ? null : x.id)}
                      >
                        <span style={{ flex: 1, minWidth: 0 }}>
                          <Space size={4} wrap>
                            <Tag color="geekblue">{x.name}</Tag>
                            {objectTag(x)}
                            <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                              {t(`cdp.tagKind.${x.kind}`)}
                            </Typography.Text>
                          </Space>
                          {x.description && (
                            <Typography.Text
                              type="secondary"
                              style={{ fontSize: 12, display: 'block' }}
                              ellipsis
                            >
                              {x.description}
                            </Typography.Text>
                          )}
                        </span>
                        <span data-testid="tag-coverage">{x.coverage.toLocaleString()}</span>
                        {x.backfill && (
                          <Progress
                            type="circle"
                            size={24}
                            status={x.backfill.status === 'done' ? 'success' : 'active'}
                            percent={
                              x.backfill.status === 'done'
                                ? 100
                                : Math.min(
                                    99,
                                    Math.round((100 * x.backfill.done) / Math.max(1, x.backfill.total ?? 1)),
                                  )
                            }
                          />
                        )}
                      </button>
                      {expanded === x.id && (
                        <div style={{ marginTop: 8 }}>
                          <TagDetails
                            tag={x}
                            groups={groups}
                            tagName={tagName}
                            onEdit={() => setOpen({ groupId: x.groupId, tag: x })}
                          />
                          {x.kind === 'predicted' && <PredictionCard tag={x} />}
                        </div>
                      )}
                    </List.Item>
                  )}
                />
              ) : (
                <Table
                  rowKey="id"
                  size="small"
                  dataSource={list}
                  pagination={false}
                  scroll={{ x: 760 }}
                  columns={columns}
                  expandable={{
                    expandedRowRender: (x: TagT) => (
                      <>
                        <TagDetails
                          tag={x}
                          groups={groups}
                          tagName={tagName}
                          onEdit={() => setOpen({ groupId: x.groupId, tag: x })}
                        />
                        {x.kind === 'predicted' && <PredictionCard tag={x} />}
                      </>
                    ),
                  }}
                />
              )}
            </Card>
          ))}
        </Space>
      )}
      {open && (
        <TagEditor
          open
          onClose={() => setOpen(null)}
          tags={all}
          groups={groups}
          groupId={open.groupId}
          tag={open.tag}
          defaultObject={objectFilter || 'profile'}
        />
      )}
      {groupModal && <GroupModal open group={groupModal.group} onClose={() => setGroupModal(null)} />}
    </div>
  );
}
