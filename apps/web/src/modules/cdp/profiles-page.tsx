import { Card, Input, List, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorResult } from '../../app/error-result';
import { useProfiles } from './cdp-api';

export function ProfilesPage() {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const profiles = useProfiles(q);
  return (
    <div className="kehu-page" data-testid="cdp-profiles">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.profiles.title')}
        </Typography.Title>
        <Input.Search
          allowClear
          placeholder={t('cdp.profiles.search')}
          onSearch={setQ}
          style={{ maxWidth: 280 }}
          data-testid="profile-search"
        />
      </div>
      {profiles.error ? (
        <ErrorResult error={profiles.error} onRetry={() => profiles.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0 } }}>
          <List
            loading={profiles.isPending}
            dataSource={profiles.data?.items ?? []}
            locale={{ emptyText: t('cdp.profiles.empty') }}
            renderItem={(p) => (
              <List.Item style={{ paddingInline: 12 }} data-testid="profile-item">
                <List.Item.Meta
                  title={
                    <Link to={`/cdp/profiles/${p.id}`}>{p.name ?? p.identities[0] ?? p.id.slice(0, 8)}</Link>
                  }
                  description={
                    <Space wrap size={4}>
                      {p.identities.slice(0, 6).map((i) => (
                        <Tag key={i}>{i}</Tag>
                      ))}
                      <Typography.Text type="secondary">
                        {t('cdp.profiles.lastSeen', { at: new Date(p.lastSeenAt).toLocaleString() })}
                      </Typography.Text>
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
