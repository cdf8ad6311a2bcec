import { SendOutlined } from '@ant-design/icons';
import { Button, Empty, Input, List, Select, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { reportUse, type Script, useCategories, useRecommended, useScripts } from './scripts-api';

export interface ScriptPickerProps {
  /** Whom the script is for: recommendations follow their open stage and tags. */
  customerId?: string;
  profileId?: string;
  opportunityId?: string;
  /** Called when the user taps a script; its use is counted after this resolves. */
  onSend(script: Script): void | Promise<void>;
}

/**
 * The script picker the WeCom sidebar mounts (phone width first): a search box, the categories,
 * recommended scripts first, and a tap to send.
 */
export function ScriptPicker(props: ScriptPickerProps) {
  const { t } = useTranslation();
  const [q, setQ] = useState('');
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const browsing = !q && !categoryId;
  const scripts = useScripts({ q, categoryId });
  const recommended = useRecommended(
    { customerId: props.customerId, profileId: props.profileId, opportunityId: props.opportunityId },
    browsing,
  );
  const categories = useCategories();
  const rec = browsing ? (recommended.data?.items ?? []) : [];
  const recIds = new Set(rec.map((s) => s.id));
  const rest = (scripts.data?.items ?? []).filter((s) => s.enabled && !recIds.has(s.id));
  const send = async (s: Script) => {
    await props.onSend(s);
    await reportUse(s.id).catch(() => {});
  };
  const reason = (r: string) => t(`scripts.reason.${r.split(':')[0]}`);
  return (
    <div data-testid="script-picker">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Input.Search
          allowClear
          placeholder={t('scripts.search')}
          onSearch={setQ}
          data-testid="picker-search"
        />
        <Select
          style={{ width: '100%' }}
          value={categoryId ?? ''}
          onChange={(v) => setCategoryId(v || null)}
          options={[
            { value: '', label: t('scripts.allCategories') },
            ...(categories.data?.items ?? []).map((c) => ({
              value: c.id,
              label: `${c.parentId ? '　' : ''}${c.name}`,
            })),
          ]}
        />
      </Space>
      <List
        loading={scripts.isPending}
        dataSource={[...rec, ...rest]}
        locale={{
          emptyText: <Empty description={q ? t('scripts.emptySearch', { q }) : t('scripts.pickerEmpty')} />,
        }}
        renderItem={(s) => (
          <List.Item
            onClick={() => void send(s)}
            style={{ cursor: 'pointer', display: 'block' }}
            data-testid="picker-item"
          >
            <Space style={{ justifyContent: 'space-between', width: '100%' }}>
              <Space size={4} wrap>
                <Typography.Text strong>{s.title}</Typography.Text>
                {recIds.has(s.id) && (
                  <Tag color="orange">{s.reasons?.map(reason).join(' · ') || t('scripts.recommended')}</Tag>
                )}
              </Space>
              <Button size="small" type="link" icon={<SendOutlined />} aria-label={t('scripts.send')} />
            </Space>
            <Typography.Paragraph
              type="secondary"
              ellipsis={{ rows: 3 }}
              style={{ margin: 0, whiteSpace: 'pre-line' }}
            >
              {s.body}
            </Typography.Paragraph>
          </List.Item>
        )}
      />
    </div>
  );
}
