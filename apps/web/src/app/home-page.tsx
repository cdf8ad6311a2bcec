import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Collapse, Empty, Row, Skeleton, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorResult } from './error-result';
import './home/messages';
import { type Today, useToday } from './home/today-api';
import {
  ApprovalsCard,
  DealsCard,
  FollowUpsCard,
  LeadsCard,
  NotificationsCard,
  PipelineCard,
  QuotesCard,
  TargetCard,
  TeamSlaCard,
} from './home/today-cards';
import { useLabel, useObjects } from './meta';
import { objectIcon } from './object-icon';
import { useSession } from './session';
import { useIsMobile } from './use-is-mobile';

const FINE_POINTER = '(hover: hover) and (pointer: fine)';

/** Keyboard hints only make sense with a keyboard-and-mouse device, not on a phone or tablet. */
function useHasKeyboard(): boolean {
  return useSyncExternalStore(
    (cb) => {
      const mql = window.matchMedia(FINE_POINTER);
      mql.addEventListener('change', cb);
      return () => mql.removeEventListener('change', cb);
    },
    () => window.matchMedia(FINE_POINTER).matches,
    () => true,
  );
}

function ObjectTiles() {
  const { t } = useTranslation();
  const label = useLabel();
  const objects = useObjects();
  if (objects.isPending) return <Skeleton active />;
  if (objects.error) return <ErrorResult error={objects.error} onRetry={() => objects.refetch()} />;
  if (objects.data.length === 0) return <Empty description={t('home.noObjects')} />;
  return (
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
  );
}

/**
 * The cards of the day in the order the role works them: a manager first clears what waits on
 * them and watches the team; a salesperson starts with leads whose SLA clock is running.
 * A manager's personal cards appear only when they hold something (they mostly work the team).
 */
function cardsFor(data: Today, userId: string): { key: string; node: ReactNode }[] {
  const manager = data.role === 'manager';
  const personal = (has: boolean) => !manager || has;
  const cards: { key: string; node: ReactNode }[] = [];
  const add = (key: string, show: boolean, node: ReactNode) => {
    if (show) cards.push({ key, node });
  };
  if (manager) {
    add('approvals', !!data.approvals, data.approvals && <ApprovalsCard data={data.approvals} />);
    add('teamSla', !!data.teamSla, data.teamSla && <TeamSlaCard data={data.teamSla} />);
    add('pipeline', !!data.teamPipeline, data.teamPipeline && <PipelineCard data={data.teamPipeline} />);
  }
  add('leads', !!data.leads && personal(data.leads.open > 0), data.leads && <LeadsCard data={data.leads} />);
  add(
    'followUps',
    !!data.followUps && personal(data.followUps.total > 0),
    data.followUps && <FollowUpsCard data={data.followUps} userId={userId} />,
  );
  add(
    'deals',
    !!data.closingDeals && personal(data.closingDeals.count > 0),
    data.closingDeals && <DealsCard data={data.closingDeals} />,
  );
  add('target', !!data.target, data.target && <TargetCard data={data.target} />);
  add(
    'quotes',
    !!data.pendingQuotes && personal(data.pendingQuotes.total > 0),
    data.pendingQuotes && <QuotesCard data={data.pendingQuotes} userId={userId} />,
  );
  if (!manager) {
    // A salesperson who may also approve (rare) still sees it, after their own work.
    add('approvals', !!data.approvals, data.approvals && <ApprovalsCard data={data.approvals} />);
  }
  add('notifications', true, <NotificationsCard data={data.notifications} />);
  return cards;
}

export function HomePage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const isMobile = useIsMobile();
  const hasKeyboard = useHasKeyboard();
  const today = useToday();
  const date = new Intl.DateTimeFormat(i18n.language, {
    month: 'long',
    day: 'numeric',
    weekday: 'long',
  }).format(new Date());
  const role = today.data?.role;
  return (
    <div className="kehu-page">
      <div style={{ display: 'flex', alignItems: 'flex-start', gap: 8 }}>
        <div style={{ flex: 1, minWidth: 0 }}>
          <Typography.Title level={4} style={{ marginTop: 0, marginBottom: 4 }}>
            {t('home.welcome', { name: me.user.name })}
          </Typography.Title>
          <Typography.Paragraph type="secondary" style={{ marginBottom: 16 }} data-testid="home-subtitle">
            {t('today.today', { date })}
            {role === 'other' ? ` · ${t('today.otherIntro')}` : ''}
            {hasKeyboard && !isMobile ? (
              <span data-testid="home-search-hint"> · {t('today.hintKeyboard')}</span>
            ) : null}
          </Typography.Paragraph>
        </div>
        <Button
          icon={<ReloadOutlined />}
          aria-label={t('today.refresh')}
          title={t('today.refresh')}
          loading={today.isFetching}
          onClick={() => today.refetch()}
        />
      </div>
      {today.isPending ? (
        <Skeleton active />
      ) : today.error ? (
        <ErrorResult error={today.error} onRetry={() => today.refetch()} />
      ) : today.data.role === 'other' ? (
        // Without sales work the objects they may open are the page; notifications follow.
        <div data-testid="home-today" data-role="other">
          <div style={{ marginBottom: 16 }} data-testid="home-objects">
            <ObjectTiles />
          </div>
          <Row gutter={[12, 12]}>
            <Col xs={24} md={12} xl={8}>
              <NotificationsCard data={today.data.notifications} />
            </Col>
          </Row>
        </div>
      ) : (
        <>
          <Row
            gutter={[12, 12]}
            data-testid="home-today"
            data-role={today.data.role}
            style={{ marginBottom: 16 }}
          >
            {cardsFor(today.data, me.user.id).map((c) => (
              <Col key={c.key} xs={24} md={12} xl={8}>
                {c.node}
              </Col>
            ))}
          </Row>
          <Collapse
            key={isMobile ? 'phone' : 'desk'}
            ghost
            // A way out to every list: open on a desktop, folded on a phone below the day's cards.
            defaultActiveKey={isMobile ? [] : ['objects']}
            data-testid="home-objects"
            items={[
              {
                key: 'objects',
                label: (
                  <Typography.Text strong>
                    {t('today.objects')}
                    <Typography.Text type="secondary" style={{ fontWeight: 'normal', marginInlineStart: 8 }}>
                      {t('today.objectsHint')}
                    </Typography.Text>
                  </Typography.Text>
                ),
                children: <ObjectTiles />,
              },
            ]}
          />
        </>
      )}
    </div>
  );
}
