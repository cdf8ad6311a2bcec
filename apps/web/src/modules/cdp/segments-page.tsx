import { PlusOutlined } from '@ant-design/icons';
import { Card, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { ErrorResult } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import { useSegments } from './cdp-api';
import { ObjectFilter, useSubjectObjects } from './object-picker';

export function SegmentsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const segs = useSegments();
  const nav = useNavigate();
  const [object, setObject] = useState('');
  const { objectLabel } = useSubjectObjects();
  const all = segs.data?.items ?? [];
  const items = object ? all.filter((s) => s.object === object) : all;
  return (
    <div className="kehu-page" data-testid="cdp-segments">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.segments.title')}
        </Typography.Title>
        <Space wrap>
          <ObjectFilter
            value={object}
            onChange={setObject}
            present={all.map((s) => s.object)}
            testId="segment-object-filter"
          />
          <PermissionButton
            allowed={can('cdp:manage')}
            need={t('cdp.perm.segments')}
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => nav(object ? `/cdp/segments/new?object=${object}` : '/cdp/segments/new')}
            data-testid="segment-new"
          >
            {t('cdp.segments.new')}
          </PermissionButton>
        </Space>
      </div>
      {segs.error ? (
        <ErrorResult error={segs.error} onRetry={() => segs.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0 } }}>
          <List
            loading={segs.isPending}
            dataSource={items}
            locale={{ emptyText: t('cdp.segments.empty') }}
            renderItem={(s) => (
              <List.Item style={{ paddingInline: 12 }} data-testid="segment-item">
                <List.Item.Meta
                  title={<Link to={`/cdp/segments/${s.id}`}>{s.name}</Link>}
                  description={
                    <Space wrap>
                      <Tag>{t(`cdp.purpose.${s.purpose}`)}</Tag>
                      {s.object !== 'profile' && (
                        <Tag color="purple" data-testid="segment-object-label">
                          {objectLabel(s.object)}
                        </Tag>
                      )}
                      {s.object === 'profile'
                        ? t('cdp.segments.members', { n: s.memberCount })
                        : t('cdp.segments.records', { n: s.memberCount })}
                    </Space>
                  }
                />
              </List.Item>
            )}
          />
        </Card>
      )}
    </div>
  );
}
