import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Popconfirm, Space, Table, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import { CampaignForm } from './campaign-form';
import { type Campaign, endCampaign, fissionKeys, useCampaigns } from './fission-api';

/** 裂变活动: the list with live figures; create, edit, copy the join link, end. */
export function CampaignsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const list = useCampaigns();
  const [open, setOpen] = useState(false);
  const [editing, setEditing] = useState<Campaign | null>(null);
  const manage = can('fission:manage');
  const end = async (id: string) => {
    try {
      await endCampaign(id);
      await qc.invalidateQueries({ queryKey: fissionKeys.all });
    } catch (e) {
      message.error(errorMessage(e));
    }
  };
  return (
    <div className="kehu-page" data-testid="fission-campaigns">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('fission.title')}
        </Typography.Title>
        {manage && (
          <Button
            type="primary"
            onClick={() => {
              setEditing(null);
              setOpen(true);
            }}
            data-testid="fission-new"
          >
            {t('fission.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('fission.intro')}</Typography.Paragraph>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('fission.empty') }}
            columns={[
              {
                title: t('fission.cols.name'),
                dataIndex: 'name',
                render: (v, c) => <Link to={`/fission/${c.id}`}>{v}</Link>,
              },
              {
                title: t('fission.cols.period'),
                key: 'period',
                render: (_, c) => `${c.startsOn} ~ ${c.endsOn}`,
              },
              {
                title: t('fission.cols.target'),
                dataIndex: 'inviteTarget',
                render: (n: number, c) => `${t('fission.invites', { n })} · ${c.rewardText}`,
              },
              { title: t('fission.cols.participants'), dataIndex: 'participants' },
              { title: t('fission.cols.newCustomers'), dataIndex: 'newCustomers' },
              { title: t('fission.cols.rewards'), dataIndex: 'rewards' },
              {
                key: 'actions',
                render: (_, c) => (
                  <Space wrap size={4}>
                    <Button
                      size="small"
                      type="link"
                      onClick={() =>
                        navigator.clipboard
                          ?.writeText(c.joinUrl)
                          .then(() => message.success(t('fission.copied')))
                      }
                    >
                      {t('fission.copyLink')}
                    </Button>
                    {manage && (
                      <Button
                        size="small"
                        type="link"
                        onClick={() => {
                          setEditing(c);
                          setOpen(true);
                        }}
                      >
                        {t('fission.edit')}
                      </Button>
                    )}
                    {manage && (
                      <Popconfirm title={t('fission.endConfirm')} onConfirm={() => end(c.id)}>
                        <Button size="small" type="link" danger>
                          {t('fission.end')}
                        </Button>
                      </Popconfirm>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
      <CampaignForm open={open} editing={editing} onClose={() => setOpen(false)} />
    </div>
  );
}
