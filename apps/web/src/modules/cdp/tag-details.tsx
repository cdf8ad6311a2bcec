import { DeleteOutlined, EditOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Descriptions, Select, Space, Tag, Tooltip, Typography } from 'antd';
import type { TFunction } from 'i18next';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { errorMessage } from '../../shared/ui/error-result';
import { type TagGroup, type Tag as TagT, useEventWords, useTagHistory } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { ruleWords } from './rule-model';

/** How many subjects carried the tag each day (hourly snapshots; today live). */
export function TagCoverageChart({ tagId }: { tagId: string }) {
  const { t } = useTranslation();
  const history = useTagHistory(tagId);
  const items = history.data?.items ?? [];
  const option = useMemo(
    () => ({
      tooltip: { trigger: 'axis' as const },
      grid: { left: 8, right: 16, top: 16, bottom: 8, containLabel: true },
      xAxis: { type: 'category' as const, data: items.map((i) => i.day.slice(5)) },
      yAxis: { type: 'value' as const, minInterval: 1 },
      series: [
        // One day of history is a bar (a lone line point is all but invisible); more, a line.
        items.length < 2
          ? {
              name: t('cdp.charts.members'),
              type: 'bar' as const,
              barMaxWidth: 32,
              data: items.map((i) => i.members),
            }
          : {
              name: t('cdp.charts.members'),
              type: 'line' as const,
              areaStyle: { opacity: 0.15 },
              showSymbol: items.length < 15,
              data: items.map((i) => i.members),
            },
      ],
    }),
    [items, t],
  );
  if (!history.isPending && items.length === 0) return null;
  return (
    <div data-testid="tag-coverage-history">
      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
        {t('cdp.charts.coverage')}
        {items.length < 2 ? ` · ${t('cdp.charts.coverageEmpty')}` : ''}
      </Typography.Text>
      <EChart option={option} height={160} testId="tag-coverage-chart" />
    </div>
  );
}

// One tag's details: its rule in words, where it is used, its model.

export function lineageTag(
  l: string,
  tagName: (k: string) => string,
  t: TFunction,
  eventName: (n: string) => string = (n) => n,
) {
  const [kind, ...rest] = l.split(':');
  // `event:*` is "every event" (a predicted tag's activity features).
  const raw = rest.join(':');
  const what =
    kind === 'event'
      ? raw === '*'
        ? t('cdp.tags.allEvents')
        : eventName(raw)
      : kind === 'trait'
        ? t(`cdp.traitName.${raw}`, { defaultValue: raw })
        : raw;
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
  const words = useEventWords();
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
        {/* The key is for rules and the API; lists show the name. */}
        <Descriptions.Item label={t('cdp.tags.key')}>
          <Typography.Text type="secondary" copyable>
            {tag.key}
          </Typography.Text>
        </Descriptions.Item>
        {tag.description && (
          <Descriptions.Item label={t('cdp.tags.description')}>{tag.description}</Descriptions.Item>
        )}
        {tag.rule && (
          <Descriptions.Item label={t('cdp.tags.rule')}>
            <span data-testid="tag-rule-words">
              {ruleWords(tag.rule, t, { tag: tagName, event: words.event, prop: words.prop })}
            </span>
          </Descriptions.Item>
        )}
        <Descriptions.Item label={t('cdp.tags.dependsOn')}>
          {tag.lineage.length
            ? tag.lineage.map((l) => lineageTag(l, tagName, t, words.event))
            : t('cdp.tags.none')}
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
      <TagCoverageChart tagId={tag.id} />
    </>
  );
}
