import { useQuery } from '@tanstack/react-query';
import { Empty, Skeleton, Tag, Timeline, Typography } from 'antd';
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type ObjectMeta, useLabel } from '../app/meta';
import { useSession } from '../app/session';
import { ErrorResult } from '../shared/ui/error-result';
import { formatPlain, RegionText } from './field-value';
import { recordApi, type TimelineEntry } from './record-api';
import { useUserNames } from './user-select';

dayjs.extend(relativeTime);

const ACTION_COLORS: Record<string, string> = {
  create: 'green',
  update: 'blue',
  delete: 'red',
  restore: 'orange',
  unmask: 'purple',
};

export function RecordTimeline({
  meta,
  id,
  renderValue,
  describe,
}: {
  meta: ObjectMeta;
  id: string;
  /** A page's own rendering of a field's value (e.g. a plain-text id it can name); undefined → default. */
  renderValue?: (field: string, value: unknown) => React.ReactNode | undefined;
  /** A page's own words for an entry its module writes (e.g. "完成 SOP：确认预算"); undefined → the action name. */
  describe?: (entry: TimelineEntry) => string | undefined;
}) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const users = useUserNames();
  const { me } = useSession();
  const tl = useQuery({
    queryKey: ['records', meta.apiName, 'timeline', id],
    queryFn: () => recordApi.timeline(meta.apiName, id),
  });
  if (tl.isPending) return <Skeleton active />;
  if (tl.error) return <ErrorResult error={tl.error} onRetry={() => tl.refetch()} />;
  if (tl.data.items.length === 0) return <Empty description={t('timeline.empty')} />;
  const fieldOf = (name: string) => meta.fields.find((f) => f.apiName === name);
  const show = (name: string, v: unknown, display?: string): React.ReactNode => {
    const f = fieldOf(name);
    if (v !== null && v !== undefined && v !== '') {
      const own = renderValue?.(name, v);
      if (own !== undefined) return own;
      if (f?.type === 'lookup' && display !== undefined)
        return f.lookupObject ? <Link to={`/o/${f.lookupObject}/${String(v)}`}>{display}</Link> : display;
      if (f?.type === 'region') return <RegionText code={String(v)} />;
      if (f?.type === 'user') return users.get(String(v)) ?? String(v);
      if (f?.type === 'unit') return me.units.find((u) => u.id === v)?.name ?? String(v);
    }
    const s = formatPlain(f, v, i18n.language);
    return s === '' ? t('timeline.emptyValue') : s;
  };
  return (
    <Timeline
      data-testid="timeline"
      items={tl.data.items.map((e) => ({
        key: e.id,
        color: ACTION_COLORS[e.action] ?? 'gray',
        children: (
          <div>
            <div style={{ display: 'flex', gap: 8, flexWrap: 'wrap', alignItems: 'center' }}>
              <Tag color={ACTION_COLORS[e.action]} bordered={false}>
                {describe?.(e) ?? t(`timeline.actions.${e.action}`, { defaultValue: e.action })}
              </Tag>
              <Typography.Text strong>{e.actor?.name ?? t('timeline.system')}</Typography.Text>
              <Typography.Text type="secondary" title={dayjs(e.at).format('YYYY-MM-DD HH:mm:ss')}>
                {dayjs(e.at).fromNow()}
              </Typography.Text>
            </div>
            {(e.changes ?? []).length > 0 && (
              <ul style={{ margin: '6px 0 0', paddingInlineStart: 18 }}>
                {e.changes!.map((c) => (
                  <li key={c.field} data-testid="timeline-change">
                    <Typography.Text type="secondary">
                      {label(fieldOf(c.field)?.label, c.field)}:{' '}
                    </Typography.Text>
                    <span className="kehu-diff-from">{show(c.field, c.from, c.fromDisplay)}</span>
                    {' → '}
                    <span className="kehu-diff-to">{show(c.field, c.to, c.toDisplay)}</span>
                  </li>
                ))}
              </ul>
            )}
          </div>
        ),
      }))}
    />
  );
}
