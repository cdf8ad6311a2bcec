import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Select, Space, Tag, Tooltip } from 'antd';
import type { TFunction } from 'i18next';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { TagGroup, Tag as TagT } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { ruleText } from './rule-model';

// One tag's details: its rule in words, where it is used, its model.

export function lineageTag(l: string, tagName: (k: string) => string, t: TFunction) {
  const [kind, ...rest] = l.split(':');
  // `event:*` is "every event" (a predicted tag's activity features).
  const what = kind === 'event' && rest.join(':') === '*' ? t('cdp.tags.allEvents') : rest.join(':');
  return (
    <Tag
      key={l}
      color={kind === 'tag' ? 'geekblue' : kind === 'event' ? 'blue' : kind === 'crm' ? 'green' : undefined}
    >
      {kind === 'tag' ? tagName(what) : what}
    </Tag>
  );
}

export function TagDetails({
  tag,
  groups,
  tagName,
  onEdit,
}: {
  tag: TagT;
  groups: TagGroup[];
  tagName: (k: string) => string;
  onEdit: () => void;
}) {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const { can } = useSession();
  const move = useMutation({
    mutationFn: (groupId: string | null) => http.patch(`/cdp/tags/${tag.id}`, { groupId }),
    onSuccess: () => qc.invalidateQueries({ queryKey: cdpKeys.tags.list() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const del = useMutation({
    mutationFn: () => http.del(`/cdp/tags/${tag.id}`),
    onSuccess: () => {
      message.success(t('cdp.tags.deleted'));
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
    },
    // The server names what still uses the tag (409) if the list here was stale.
    onError: (e) => message.error(errorMessage(e)),
  });
  const inUse = tag.usedBy.length > 0;
  return (
    <>
      {can('cdp:manage') && (
        <Space wrap style={{ marginBottom: 8 }}>
          <Button size="small" icon={<EditOutlined />} onClick={onEdit} data-testid="tag-edit">
            {t('cdp.tags.editShort')}
          </Button>
          <Tooltip title={inUse ? t('cdp.tags.inUseHint', { n: tag.usedBy.length }) : undefined}>
            <Button
              size="small"
              danger
              icon={<DeleteOutlined />}
              disabled={inUse}
              loading={del.isPending}
              data-testid="tag-delete"
              onClick={() =>
                modal.confirm({
                  title: t('cdp.tags.deleteConfirm', { name: tag.name }),
                  okButtonProps: { danger: true },
                  onOk: () => del.mutateAsync(),
                })
              }
            >
              {t('cdp.tags.delete')}
            </Button>
          </Tooltip>
        </Space>
      )}
      <Descriptions size="small" column={1} data-testid="tag-details">
        {tag.description && (
          <Descriptions.Item label={t('cdp.tags.description')}>{tag.description}</Descriptions.Item>
        )}
        {tag.rule && (
          <Descriptions.Item label={t('cdp.tags.rule')}>{ruleText(tag.rule, t, tagName)}</Descriptions.Item>
        )}
        <Descriptions.Item label={t('cdp.tags.dependsOn')}>
          {tag.lineage.length ? tag.lineage.map((l) => lineageTag(l, tagName, t)) : t('cdp.tags.none')}
        </Descriptions.Item>
        <Descriptions.Item label={t('cdp.tags.usedBy')}>
          <span data-testid="tag-used-by">
            {tag.usedBy.length
              ? tag.usedBy.map((u) =>
                  u.kind === 'segment' ? (
                    <Link key={u.id} to={`/cdp/segments/${u.id}`}>
                      <Tag color="green">
                        {t('cdp.tags.segment')}: {u.name}
                      </Tag>
                    </Link>
                  ) : (
                    <Tag key={u.id} color="geekblue">
                      {u.name}
                    </Tag>
                  ),
                )
              : t('cdp.tags.none')}
          </span>
        </Descriptions.Item>
        {can('cdp:manage') && (
          <Descriptions.Item label={t('cdp.tags.moveTo')}>
            <Select
              style={{ width: 200 }}
              value={tag.groupId ?? ''}
              loading={move.isPending}
              onChange={(v) => move.mutate(v || null)}
              options={[
                { value: '', label: t('cdp.tags.ungrouped') },
                ...groups.map((g) => ({ value: g.id, label: g.name })),
              ]}
              data-testid="tag-move"
            />
          </Descriptions.Item>
        )}
      </Descriptions>
    </>
  );
}
