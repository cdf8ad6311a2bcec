import { Space, Tag, Tooltip, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import type { MessageLogItem } from './messaging-api';

const STATUS_COLOR: Record<string, string> = {
  queued: 'processing',
  deferred: 'gold',
  sent: 'blue',
  delivered: 'green',
  skipped: 'default',
  failed: 'red',
};

export const at = (s: string | null) => (s ? dayjs(s).format('MM-DD HH:mm') : '');

/** Status with its reason in words (a skip), the error, and the click/open/bounce marks. */
export function MessageStatus({ m }: { m: MessageLogItem }) {
  const { t } = useTranslation();
  return (
    <Space direction="vertical" size={2}>
      <Space size={4} wrap>
        <Tag color={STATUS_COLOR[m.status]}>{t(`messaging.statuses.${m.status}`)}</Tag>
        {m.clickedAt && <Tag color="purple">{t('messaging.log.clicked')}</Tag>}
        {m.openedAt && (
          <Tooltip title={t('messaging.log.opened')}>
            <Tag>{t('messaging.log.opened').split('（')[0]!.split(' (')[0]}</Tag>
          </Tooltip>
        )}
        {m.bouncedAt && <Tag color="red">{t('messaging.log.bounced')}</Tag>}
      </Space>
      {m.reason && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t(`messaging.reasons.${m.reason}`)}
        </Typography.Text>
      )}
      {m.status === 'deferred' && m.deferredUntil && (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('messaging.log.deferredUntil', { at: at(m.deferredUntil) })}
        </Typography.Text>
      )}
      {m.error && m.status !== 'skipped' && (
        <Typography.Text type="danger" style={{ fontSize: 12 }}>
          {t('messaging.log.error', { error: m.error })}
        </Typography.Text>
      )}
    </Space>
  );
}
