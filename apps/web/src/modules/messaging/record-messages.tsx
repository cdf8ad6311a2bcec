import { SendOutlined } from '@ant-design/icons';
import { Card, Empty, List, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { at, MessageStatus } from './message-parts';
import { useMessagePages } from './messaging-api';

/** The messages to a customer's (or contact's) profiles, with skip reasons in words. */
export function RecordMessagesPanel({ object, id }: { object: string; id: string }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const shown = (object === 'customer' || object === 'contact') && can('messaging:read');
  const q = useMessagePages({ object, recordId: id }, shown);
  if (!shown || q.error) return null;
  const items = (q.data?.pages[0]?.items ?? []).slice(0, 5);
  return (
    <Card
      size="small"
      loading={q.isPending}
      style={{ marginBottom: 16 }}
      data-testid="record-messages"
      title={
        <Space size={6}>
          <SendOutlined />
          {t('messaging.record.title')}
        </Space>
      }
      extra={items.length ? <Link to="/messaging">{t('messaging.record.all')}</Link> : null}
    >
      {items.length === 0 ? (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('messaging.record.empty')} />
      ) : (
        <List
          size="small"
          dataSource={items}
          renderItem={(m) => (
            <List.Item>
              <Space direction="vertical" size={2} style={{ width: '100%' }}>
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {at(m.createdAt)} · {t(`messaging.channels.${m.channel}`)}
                </Typography.Text>
                <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0 }}>
                  {m.text}
                </Typography.Paragraph>
                <MessageStatus m={m} />
              </Space>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
