import { InboxOutlined, RightOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Typography } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { formatCurrency } from '../../shared/format';
import { useLabel } from '../meta';
import type { Label, Money } from './today-api';

// The frame every home card shares (shell's and modules'): a card with a count, a way to the
// full list and an empty state that says what to do, plus the formats the cards use.

export const drill = (object: string, filter: unknown) =>
  `/o/${object}?filter=${encodeURIComponent(JSON.stringify(filter))}`;

export function useFormat() {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const label = useLabel();
  const money = (m: Money | number, currency = 'CNY') =>
    formatCurrency(typeof m === 'number' ? { amount: m, currency } : m, lang);
  /** Today's times as HH:mm, other days with the date: a salesperson thinks in "this afternoon". */
  const when = (iso: string | null) => {
    if (!iso) return '';
    const d = new Date(iso);
    const sameDay = d.toDateString() === new Date().toDateString();
    return new Intl.DateTimeFormat(lang, {
      ...(sameDay ? {} : { month: '2-digit', day: '2-digit' }),
      hour: '2-digit',
      minute: '2-digit',
    }).format(d);
  };
  const day = (date: string | null) =>
    date
      ? new Intl.DateTimeFormat(lang, { month: '2-digit', day: '2-digit' }).format(
          new Date(`${date}T00:00:00`),
        )
      : '';
  const opt = (l: Label, fallback: string | null) => (l ? label(l, fallback ?? '') : (fallback ?? ''));
  return { money, when, day, opt, lang };
}

/** One "my day" card: title with a count, a link to the full list, and an empty state that says what to do. */
export function TodayCard({
  id,
  title,
  count,
  countTone,
  to,
  children,
  empty,
  emptyAction,
}: {
  id: string;
  title: string;
  count?: number | string;
  countTone?: 'danger' | 'default';
  /** The full list; none for notifications, whose full list is the bell. */
  to?: string;
  children?: ReactNode;
  empty?: string | null;
  emptyAction?: { to: string; label: string };
}) {
  const { t } = useTranslation();
  return (
    <Card
      size="small"
      data-testid={`today-${id}`}
      title={
        <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }}>
          {title}
          {count !== undefined && (
            <Badge
              count={count}
              showZero
              overflowCount={999}
              color={!count ? '#bfbfbf' : countTone === 'danger' ? '#ff4d4f' : '#1677ff'}
            />
          )}
        </span>
      }
      extra={
        to && (
          <Link to={to} data-testid={`today-${id}-all`}>
            {t('today.viewAll')} <RightOutlined style={{ fontSize: 10 }} />
          </Link>
        )
      }
      style={{ height: '100%' }}
      styles={{ body: { paddingTop: 8 } }}
    >
      {empty ? (
        // Compact on purpose: on a phone six empty cards with pictures would push the work off screen.
        <div style={{ padding: '4px 0' }}>
          <Typography.Paragraph type="secondary" style={{ marginBottom: emptyAction ? 8 : 0 }}>
            <InboxOutlined style={{ marginInlineEnd: 6 }} />
            <span data-testid={`today-${id}-empty`}>{empty}</span>
          </Typography.Paragraph>
          {emptyAction && (
            <Link to={emptyAction.to}>
              <Button size="small">{emptyAction.label}</Button>
            </Link>
          )}
        </div>
      ) : (
        children
      )}
    </Card>
  );
}
