import { SendOutlined } from '@ant-design/icons';
import { App, Button, Card, Space, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { SidebarSectionProps } from '../../app/web-modules';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import { useMyCard } from './cards-api';

/** 名片 in the WeCom chat sidebar: one tap sends the staff member's card into the chat as a link card. */
export function CardSidebarSection({ send }: SidebarSectionProps) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const card = useMyCard();
  if (card.error) return <ErrorResult error={card.error} onRetry={() => card.refetch()} />;
  const c = card.data;
  return (
    <Card size="small" loading={card.isLoading} data-testid="card-sidebar">
      {c && (
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text strong>{c.name}</Typography.Text>
          <Typography.Text type="secondary">{c.title ?? t('cards.sidebar.noTitle')}</Typography.Text>
          <Button
            type="primary"
            block
            icon={<SendOutlined />}
            data-testid="card-sidebar-send"
            onClick={() =>
              send({
                msgtype: 'news',
                news: {
                  link: c.url,
                  title: t('cards.sidebar.newsTitle', { name: c.name }),
                  desc: c.title ?? '',
                  ...(c.photoUrl ? { imgUrl: c.photoUrl } : {}),
                },
              }).catch((e) => message.error(errorMessage(e)))
            }
          >
            {t('cards.sidebar.send')}
          </Button>
        </Space>
      )}
    </Card>
  );
}
