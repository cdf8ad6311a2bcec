import { BulbOutlined } from '@ant-design/icons';
import { Button, Card, List, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Script } from './scripts-api';

export interface ReplySuggestionsProps {
  /** What the customer said, shown so the staff member knows what the suggestions answer. */
  basedOn: string | null;
  items: Script[];
  loading?: boolean;
  /** The one-tap action: send into the chat (sidebar) or copy (archive view). */
  actionLabel: string;
  onUse(script: Script): void | Promise<void>;
}

/** 回复建议 (R5.5): the scripts most like the customer's latest message, one tap to use. */
export function ReplySuggestions({ basedOn, items, loading, actionLabel, onUse }: ReplySuggestionsProps) {
  const { t } = useTranslation();
  if (!basedOn) return null;
  return (
    <Card
      size="small"
      data-testid="reply-suggestions"
      title={
        <span>
          <BulbOutlined /> {t('scripts.suggestions')}
        </span>
      }
      style={{ marginBottom: 12 }}
    >
      <Typography.Paragraph type="secondary" ellipsis={{ rows: 2 }} style={{ marginBottom: 4 }}>
        {t('scripts.suggestedFor', { text: basedOn })}
      </Typography.Paragraph>
      <List
        loading={loading}
        dataSource={items}
        locale={{ emptyText: t('scripts.noSuggestion') }}
        renderItem={(s) => (
          <List.Item
            data-testid="suggestion-item"
            actions={[
              <Button key="use" size="small" type="primary" ghost onClick={() => void onUse(s)}>
                {actionLabel}
              </Button>,
            ]}
          >
            <List.Item.Meta
              title={s.title}
              description={
                <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ margin: 0, whiteSpace: 'pre-line' }}>
                  {s.body}
                </Typography.Paragraph>
              }
            />
          </List.Item>
        )}
      />
    </Card>
  );
}
