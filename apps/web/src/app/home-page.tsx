import { Card, Col, Empty, Row, Skeleton, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorResult } from './error-result';
import { useLabel, useObjects } from './meta';
import { objectIcon } from './object-icon';
import { useSession } from './session';

export function HomePage() {
  const { t } = useTranslation();
  const label = useLabel();
  const { me } = useSession();
  const objects = useObjects();
  return (
    <div className="kehu-page">
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {t('home.welcome', { name: me.user.name })}
      </Typography.Title>
      <Typography.Paragraph type="secondary">{t('home.hint')}</Typography.Paragraph>
      {objects.isPending ? (
        <Skeleton active />
      ) : objects.error ? (
        <ErrorResult error={objects.error} onRetry={() => objects.refetch()} />
      ) : objects.data.length === 0 ? (
        <Empty description={t('home.noObjects')} />
      ) : (
        <Row gutter={[12, 12]}>
          {objects.data.map((o) => (
            <Col key={o.apiName} xs={12} sm={8} md={6} xl={4}>
              <Link to={`/o/${o.apiName}`} data-testid={`home-object-${o.apiName}`}>
                <Card hoverable size="small">
                  <div style={{ display: 'flex', alignItems: 'center', gap: 10 }}>
                    <span style={{ fontSize: 22, color: '#1677ff' }}>{objectIcon(o.icon, o.apiName)}</span>
                    <Typography.Text strong ellipsis>
                      {label(o.pluralLabel, label(o.label, o.apiName))}
                    </Typography.Text>
                  </div>
                </Card>
              </Link>
            </Col>
          ))}
        </Row>
      )}
    </div>
  );
}
