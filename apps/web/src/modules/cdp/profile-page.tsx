import { Button, Card, Col, Row, Skeleton, Space, Statistic, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Navigate, useNavigate, useParams } from 'react-router';
import { ErrorResult } from '../../shared/ui/error-result';
import { PersonLayout } from '../../shared/ui/person-layout';
import { type Profile360, useProfile } from './cdp-api';
import { cdpKeys } from './cdp-keys';
import { usePersonText } from './person-label';
import { useProfileSections, useUnmaskedProfile } from './profile-sections';

/** The customer a profile is, when the viewer may see it (directly, or through a contact's customer). */
export function customerOf(p: Profile360): string | null {
  for (const l of p.links) {
    if (l.object === 'customer' && l.visible) return l.recordId;
    if (l.object === 'contact' && l.customerId) return l.customerId;
  }
  return null;
}

/**
 * A person who is not (yet, or not visibly) a customer: an anonymous visitor, a known person
 * without a CRM record. Same layout as the one customer page; a profile that is a customer the
 * viewer can see opens that page instead, with this profile as its CDP section.
 */
export function ProfilePage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const navigate = useNavigate();
  const masked = useProfile(id);
  const { profile: p, canUnmask, unmask } = useUnmaskedProfile(masked.data);
  const text = usePersonText();
  const sections = useProfileSections(p, {
    timeline: true,
    crm: true,
    invalidate: cdpKeys.profiles.detail(id),
  });
  if (masked.error) return <ErrorResult error={masked.error} onRetry={() => masked.refetch()} />;
  if (!p)
    return (
      <div className="kehu-page" aria-busy="true">
        <Skeleton active paragraph={{ rows: 10 }} />
      </div>
    );
  const customerId = customerOf(p);
  if (customerId) return <Navigate to={`/o/customer/${customerId}?profile=${p.id}`} replace />;
  const figure = (key: string, value: number | string) => (
    <Col xs={12} md={6}>
      <Card size="small">
        <Statistic title={t(`cdp.person.figures.${key}`)} value={value} />
      </Card>
    </Col>
  );
  return (
    <PersonLayout
      testId="cdp-profile"
      backLabel={t('cdp.nav.profiles')}
      onBack={() => navigate('/cdp/profiles')}
      title={text(p.label)}
      subtitle={
        <Space size={[12, 4]} wrap>
          <Typography.Text type="secondary">
            {t('cdp.person.firstSeen', { date: dayjs(p.firstSeenAt).format('YYYY-MM-DD HH:mm') })}
          </Typography.Text>
          <Typography.Text type="secondary">
            {t('cdp.profiles.lastSeen', { at: dayjs(p.lastSeenAt).format('YYYY-MM-DD HH:mm') })}
          </Typography.Text>
          {p.id !== id && (
            <Typography.Text type="secondary">
              {t('cdp.profile.mergedInto', { id: text(p.label) })}
            </Typography.Text>
          )}
        </Space>
      }
      actions={
        canUnmask && (
          <Button onClick={unmask} data-testid="profile-unmask">
            {t('cdp.profile.unmask')}
          </Button>
        )
      }
      figures={
        <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
          {figure('identities', p.identities.length)}
          {figure('tags', p.tags.length)}
          {figure('segments', p.segments.length)}
          {figure(
            'events',
            p.timeline.filter((i) => i.kind === 'event').length + (p.timelineNext ? '+' : ''),
          )}
        </Row>
      }
      main={sections.main}
      side={sections.side}
    />
  );
}
