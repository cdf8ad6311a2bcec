import { PhoneOutlined, PlusOutlined, ReloadOutlined } from '@ant-design/icons';
import { Badge, Button, Card, Empty, List, Skeleton, Space, Statistic, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { PageError } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import { InboxChart } from './inbox-chart';
import { fieldText, type InboxLead, leadScore, localTime, useInbox, useLeadOptionLabel } from './leads-api';
import { LogCallModal } from './log-call-modal';
import { SlaTag } from './sla-tag';

function ScoreBadge({ score }: { score: number | null }) {
  if (score === null || score === undefined) return null;
  const color = score >= 70 ? '#f5222d' : score >= 40 ? '#fa8c16' : '#8c8c8c';
  return <Badge count={score} color={color} overflowCount={100} showZero data-testid="lead-score" />;
}

export function InboxPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const navigate = useNavigate();
  const inbox = useInbox();
  const opt = useLeadOptionLabel();
  const [callFor, setCallFor] = useState<string | null>(null);

  const renderItem = (l: InboxLead) => (
    <List.Item
      key={l.id}
      data-testid="inbox-item"
      style={{
        background: l.overdue ? '#fff1f0' : undefined,
        paddingInline: 12,
        borderLeft: l.overdue ? '3px solid #f5222d' : '3px solid transparent',
      }}
      actions={[
        <Button
          key="call"
          type={l.firstRespondedAt ? 'default' : 'primary'}
          danger={l.overdue}
          icon={<PhoneOutlined />}
          onClick={() => setCallFor(l.id)}
          data-testid="inbox-log-call"
        >
          {t('leads.inbox.logCall')}
        </Button>,
      ]}
    >
      <List.Item.Meta
        avatar={<ScoreBadge score={leadScore(l)} />}
        title={
          <Space size={6} wrap>
            <Link to={`/leads/inbox/${l.id}`} data-testid="inbox-lead-link">
              {fieldText(l.name)}
            </Link>
            {fieldText(l.company) && (
              <Typography.Text type="secondary">{fieldText(l.company)}</Typography.Text>
            )}
            <Tag>{t(`leads.status.${fieldText(l.status)}`)}</Tag>
          </Space>
        }
        description={
          <Space size={4} wrap>
            <SlaTag dueAt={fieldText(l.firstResponseDueAt)} respondedAt={fieldText(l.firstRespondedAt)} />
            {l.nextFollowUpAt && (
              <Tag color={l.followUpOverdue ? 'error' : 'default'}>
                {l.followUpOverdue
                  ? t('leads.inbox.followUpOverdue')
                  : t('leads.inbox.followUp', { time: localTime(l.nextFollowUpAt) })}
              </Tag>
            )}
            {fieldText(l.phone) && <Typography.Text copyable>{fieldText(l.phone)}</Typography.Text>}
            {fieldText(l.channel) && (
              <Typography.Text type="secondary">{opt('channel', l.channel)}</Typography.Text>
            )}
          </Space>
        }
      />
    </List.Item>
  );

  return (
    <div className="kehu-page" data-testid="leads-inbox">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('leads.inbox.title')}
        </Typography.Title>
        <Space wrap>
          <Button
            icon={<ReloadOutlined />}
            onClick={() => inbox.refetch()}
            aria-label={t('leads.common.refresh')}
          />
          <PermissionButton
            allowed={can('lead:create')}
            need={t('leads.inbox.newLead')}
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => navigate('/o/lead/new')}
            data-testid="lead-new"
          >
            {t('leads.inbox.newLead')}
          </PermissionButton>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('leads.inbox.subtitle')}</Typography.Paragraph>
      {inbox.isPending ? (
        <Skeleton active />
      ) : inbox.error ? (
        <PageError error={inbox.error} onRetry={() => inbox.refetch()} />
      ) : (
        <>
          <Space size={12} wrap style={{ marginBottom: 12 }}>
            <Card size="small">
              <Statistic title={t('leads.inbox.open')} value={inbox.data.counts.open} />
            </Card>
            <Card size="small">
              <Statistic title={t('leads.inbox.waiting')} value={inbox.data.counts.waiting} />
            </Card>
            <Card size="small">
              <Statistic
                title={t('leads.inbox.overdue')}
                value={inbox.data.counts.overdue}
                valueStyle={{ color: inbox.data.counts.overdue ? '#cf1322' : undefined }}
              />
            </Card>
          </Space>
          <InboxChart />
          <Card size="small" styles={{ body: { padding: 0 } }}>
            {inbox.data.items.length === 0 ? (
              <Empty description={t('leads.inbox.empty')} style={{ padding: 24 }} />
            ) : (
              <List dataSource={inbox.data.items} renderItem={renderItem} itemLayout="vertical" />
            )}
          </Card>
        </>
      )}
      <LogCallModal leadId={callFor} open={callFor !== null} onClose={() => setCallFor(null)} />
    </div>
  );
}
