import { CheckCircleOutlined, ClockCircleOutlined, FireOutlined } from '@ant-design/icons';
import { Tag } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { humanDuration } from './leads-api';

/** First-response countdown: blue while time is left, orange under 10 minutes, red when overdue. */
export function SlaTag({ dueAt, respondedAt }: { dueAt: string | null; respondedAt: string | null }) {
  const { t, i18n } = useTranslation();
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (respondedAt || !dueAt) return;
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, [dueAt, respondedAt]);
  if (respondedAt)
    return (
      <Tag icon={<CheckCircleOutlined />} color="success" data-testid="sla-responded">
        {t('leads.inbox.responded')}
      </Tag>
    );
  if (!dueAt) return null;
  const left = Math.round((new Date(dueAt).getTime() - now) / 1000);
  if (left < 0)
    return (
      <Tag icon={<FireOutlined />} color="error" data-testid="sla-overdue">
        {t('leads.inbox.overdueBy', { time: humanDuration(left, i18n.language) })}
      </Tag>
    );
  return (
    <Tag
      icon={<ClockCircleOutlined />}
      color={left < 600 ? 'warning' : 'processing'}
      data-testid="sla-countdown"
    >
      {t('leads.inbox.dueIn', { time: humanDuration(left, i18n.language) })}
    </Tag>
  );
}
