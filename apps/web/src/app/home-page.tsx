import { ReloadOutlined } from '@ant-design/icons';
import { Button, Card, Col, Collapse, Empty, Row, Skeleton, Typography } from 'antd';
import type { ComponentType, ReactNode } from 'react';
import { Suspense, useSyncExternalStore } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { ErrorResult } from '../shared/ui/error-result';
import './home/messages';
import { useIsMobile } from '../shared/use-is-mobile';
import { type Today, useToday } from './home/today-api';
import { FollowUpsCard, NotificationsCard } from './home/today-cards';
import { useLabel, useObjects } from './meta';
import { objectIcon } from './object-icon';
import { useSession } from './session';
import { type HomeCardProps, slotsOf, useWebModules } from './web-modules';

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

type HomeCards = Record<string, ComponentType<HomeCardProps>>;

/**
 * The cards of the day in the order the role works them: a manager first clears what waits on
 * them and watches the team; a salesperson starts with leads whose SLA clock is running.
 * A manager's personal cards appear only when they hold something (they mostly work the team).
 * Domain cards come from the modules' `homeCards` slot: a section no module draws is left out.
 */
function cardsFor(data: Today, userId: string, slots: HomeCards): { key: string; node: ReactNode }[] {
  const manager = data.role === 'manager';
  const personal = (has: boolean) => !manager || has;
  const cards: { key: string; node: ReactNode }[] = [];
  const add = (key: string, show: boolean, node: ReactNode) => {
    if (show) cards.push({ key, node });
  };
  const slot = <K extends keyof Today>(key: K, show: (d: NonNullable<Today[K]>) => boolean) => {
    const Card = slots[key];
    const section = data[key];
    if (!Card || section == null) return;
    add(
      key,
      show(section as NonNullable<Today[K]>),
      <Suspense fallback={<Skeleton active />}>
        <Card data={section} userId={userId} />
      </Suspense>,
    );
  };
  if (manager) {
    slot('approvals', () => true);
    slot('teamSla', () => true);
    slot('teamPipeline', () => true);
  }
  slot('leads', (d) => personal(d.open > 0));
  add(
    'followUps',
    !!data.followUps && personal(data.followUps.total > 0),
    data.followUps && <FollowUpsCard data={data.followUps} userId={userId} />,
  );
  slot('closingDeals', (d) => personal(d.count > 0));
  slot('target', () => true);
  slot('pendingQuotes', (d) => personal(d.total > 0));
  if (!manager) {
    // A salesperson who may also approve (rare) still sees it, after their own work.
    slot('approvals', () => true);
  }
  if (data.notifications) add('notifications', true, <NotificationsCard data={data.notifications} />);
  return cards;
}

export function HomePage() {
  const { t, i18n } = useTranslation();
  const { me } = useSession();
  const isMobile = useIsMobile();
  const hasKeyboard = useHasKeyboard();
  const today = useToday();
  const homeCards: HomeCards = Object.assign({}, ...slotsOf(useWebModules(), 'homeCards'));
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
              {today.data.notifications && <NotificationsCard data={today.data.notifications} />}
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
            {cardsFor(today.data, me.user.id, homeCards).map((c) => (
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
