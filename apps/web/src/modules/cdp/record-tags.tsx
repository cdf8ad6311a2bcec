import { TagsOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Card, Empty, Space, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { cdpKeys } from './cdp-keys';

interface SubjectTags {
  tags: {
    id: string;
    key: string;
    name: string;
    kind: string;
    description: string | null;
    groupName: string | null;
    value: unknown;
    setAt: string;
    setByName: string | null;
    reason: string | null;
  }[];
  segments: { id: string; name: string; purpose: string; enteredAt: string }[];
}

/**
 * The CDP tags and segments of one record (R2.2), on the generic record detail page. Shown only
 * to users who may read the CDP; the server reads the record as the viewer (out of scope: 404).
 */
export function RecordTagsPanel({ object, id }: { object: string; id: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const allowed = can('cdp:read');
  const q = useQuery({
    queryKey: cdpKeys.tags.ofSubject(object, id),
    queryFn: () => http.get<SubjectTags>(`/cdp/subjects/${object}/${id}/tags`),
    enabled: allowed,
    retry: false,
  });
  if (!allowed || q.error) return null;
  const at = (s: string) => dayjs(s).format('YYYY-MM-DD HH:mm');
  const tags = q.data?.tags ?? [];
  const segments = q.data?.segments ?? [];
  return (
    <Card
      size="small"
      loading={q.isPending}
      style={{ marginBottom: 16 }}
      data-testid="record-tags"
      title={
        <Space size={6}>
          <TagsOutlined />
          {t('cdp.recordTags.title')}
        </Space>
      }
    >
      {tags.length === 0 && segments.length === 0 ? (
        <Empty
          image={Empty.PRESENTED_IMAGE_SIMPLE}
          style={{ margin: 0 }}
          description={
            <span>
              {t('cdp.recordTags.empty')}{' '}
              {can('cdp:manage') && <Link to="/cdp/tags">{t('cdp.recordTags.create')}</Link>}
            </span>
          }
        />
      ) : (
        <Space direction="vertical" size={8} style={{ width: '100%' }}>
          <Space size={[4, 8]} wrap>
            {tags.map((x) => (
              <Tooltip
                key={x.id}
                title={
                  <>
                    {x.description && <div>{x.description}</div>}
                    <div>
                      {x.reason === 'manual'
                        ? t('cdp.recordTags.setBy', { who: x.setByName ?? '—', at: at(x.setAt) })
                        : t('cdp.recordTags.byRule', { at: at(x.setAt) })}
                    </div>
                  </>
                }
              >
                <Tag color="geekblue" data-testid="record-tag">
                  {x.groupName ? `${x.groupName} · ` : ''}
                  {x.name}
                  {x.value !== true && x.value !== null && x.value !== undefined
                    ? `：${String(x.value)}`
                    : ''}
                </Tag>
              </Tooltip>
            ))}
          </Space>
          {segments.length > 0 && (
            <div>
              <Typography.Text type="secondary" style={{ marginInlineEnd: 8 }}>
                {t('cdp.recordTags.segments')}
              </Typography.Text>
              {segments.map((s) => (
                <Link key={s.id} to={`/cdp/segments/${s.id}`}>
                  <Tag color="green" data-testid="record-segment">
                    {s.name}
                  </Tag>
                </Link>
              ))}
            </div>
          )}
        </Space>
      )}
    </Card>
  );
}
