import type { OutboxMail } from '@kehu/contracts/admin';
import { useQuery } from '@tanstack/react-query';
import { Alert, Drawer, Empty, List, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { asItems, http } from '../shared/api-client';
import { ErrorResult } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';

/** Mail kept instead of sent (no SMTP configured): admins pass reset links on from here. */
export function MailOutboxDrawer({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const mails = useQuery({
    queryKey: ['admin', 'mail-outbox'],
    queryFn: () => http.get<unknown>('/admin/mail-outbox').then((d) => asItems<OutboxMail>(d)),
  });
  return (
    <Drawer open onClose={onClose} title={t('admin.users.outbox')} width={isMobile ? '100%' : 560}>
      <Alert type="info" showIcon message={t('admin.users.outboxHint')} style={{ marginBottom: 16 }} />
      {mails.error ? (
        <ErrorResult error={mails.error} onRetry={() => mails.refetch()} />
      ) : (
        <List<OutboxMail>
          loading={mails.isPending}
          dataSource={mails.data ?? []}
          locale={{ emptyText: <Empty description={t('admin.users.outboxEmpty')} /> }}
          data-testid="mail-outbox"
          renderItem={(m) => (
            <List.Item key={m.id} data-testid="outbox-mail">
              <div style={{ width: '100%', minWidth: 0 }}>
                <Typography.Text strong>{m.subject}</Typography.Text>
                <div style={{ color: 'rgba(0,0,0,.45)', fontSize: 12, margin: '2px 0 8px' }}>
                  {t('admin.users.outboxTo')}: {m.to} · {dayjs(m.createdAt).format('YYYY-MM-DD HH:mm')}
                </div>
                <Typography.Paragraph
                  style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all', marginBottom: 0 }}
                  copyable={{ text: m.text.match(/https?:\/\/\S+/)?.[0] ?? m.text }}
                  data-testid="outbox-mail-text"
                >
                  {m.text}
                </Typography.Paragraph>
              </div>
            </List.Item>
          )}
        />
      )}
    </Drawer>
  );
}
