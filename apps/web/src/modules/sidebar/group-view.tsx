import { Button, Card, Input, Result, Skeleton, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SidebarMessage } from '../../app/web-modules';
import { ApiError } from '../../shared/api-client';
import { ErrorResult } from '../../shared/ui/error-result';
import { useSidebarGroup } from './sidebar-api';

/** The customer group in the open group chat: owner, counts, members linked to their profiles. */
export function GroupView({ chatId, send }: { chatId: string; send: (m: SidebarMessage) => Promise<void> }) {
  const { t } = useTranslation();
  const group = useSidebarGroup(chatId);
  const [text, setText] = useState('');
  const [busy, setBusy] = useState(false);
  if (group.error instanceof ApiError && group.error.status === 404)
    return (
      <div data-testid="sidebar-no-access">
        <Result
          status="403"
          title={t('sidebar.noAccess.groupTitle')}
          subTitle={t('sidebar.noAccess.groupHint')}
        />
      </div>
    );
  if (group.error) return <ErrorResult error={group.error} onRetry={() => group.refetch()} />;
  const g = group.data;
  if (!g) return <Skeleton active paragraph={{ rows: 6 }} />;
  return (
    <Space direction="vertical" size={10} style={{ width: '100%' }} data-testid="sidebar-group">
      <Card size="small">
        <Typography.Title level={5} style={{ margin: 0 }}>
          {g.name || t('sidebar.group.unnamed')}
        </Typography.Title>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('sidebar.group.owner', { name: g.owner.name ?? g.owner.userid })}
          {g.owner.you ? ` · ${t('sidebar.group.you')}` : ''}
        </Typography.Text>
        <div className="kehu-sidebar-stats">
          <div>
            <b>{g.counts.customers}</b>
            <small>{t('sidebar.group.customers')}</small>
          </div>
          <div>
            <b>{g.counts.staff}</b>
            <small>{t('sidebar.group.staff')}</small>
          </div>
          <div>
            <b>{g.counts.linked}</b>
            <small>{t('sidebar.group.linked')}</small>
          </div>
        </div>
        {g.notice && (
          <Typography.Paragraph style={{ fontSize: 12, margin: 0 }}>{g.notice}</Typography.Paragraph>
        )}
      </Card>
      <Card size="small" title={t('sidebar.group.members')}>
        {g.members.length === 0 && (
          <Typography.Text type="secondary">{t('sidebar.group.noMembers')}</Typography.Text>
        )}
        {g.members.map((m) => (
          <div className="kehu-sidebar-row" key={m.memberId}>
            <span>
              {m.customerId ? (
                <a href={`/o/customer/${m.customerId}`} target="_blank" rel="noreferrer">
                  {m.name ?? m.memberId}
                </a>
              ) : m.profileId ? (
                <a href={`/cdp/profiles/${m.profileId}`} target="_blank" rel="noreferrer">
                  {m.name ?? m.memberId}
                </a>
              ) : (
                (m.name ?? m.memberId)
              )}{' '}
              <Tag color={m.kind === 'staff' ? 'green' : 'blue'}>{t(`sidebar.group.kind.${m.kind}`)}</Tag>
            </span>
            <small>{dayjs(m.joinedAt).format('YYYY-MM-DD')}</small>
          </div>
        ))}
      </Card>
      <Card size="small" title={t('sidebar.actions.send')}>
        <Space direction="vertical" style={{ width: '100%' }}>
          <Input.TextArea
            rows={2}
            value={text}
            maxLength={2000}
            onChange={(e) => setText(e.target.value)}
            placeholder={t('sidebar.actions.sendPlaceholder')}
            aria-label={t('sidebar.actions.send')}
          />
          <Button
            type="primary"
            block
            disabled={!text.trim()}
            loading={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await send({ msgtype: 'text', text: { content: text.trim() } });
                setText('');
              } catch {
                // send() already said why.
              } finally {
                setBusy(false);
              }
            }}
          >
            {t('sidebar.actions.sendNow')}
          </Button>
        </Space>
      </Card>
    </Space>
  );
}
