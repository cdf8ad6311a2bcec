import { Card, Descriptions, Space, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { type GroupDetail, useGroup } from './groups-api';

type Member = GroupDetail['members'][number];

/** One customer group: members linked to their customer / profile pages, joins and leaves per day. */
export function GroupPage() {
  const { t } = useTranslation();
  const { id = '' } = useParams();
  const group = useGroup(id);
  if (group.error) return <ErrorResult error={group.error} onRetry={() => group.refetch()} />;
  const g = group.data;
  return (
    <div className="kehu-page" data-testid="wecom-group">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {g?.name || g?.chatId || '…'} {g?.dismissedAt && <Tag>{t('wecom.groups.dismissedTag')}</Tag>}
        </Typography.Title>
        <Link to="/wecom/groups">{t('wecom.groups.back')}</Link>
      </div>
      {g && (
        <Space direction="vertical" size={12} style={{ width: '100%' }}>
          <Card size="small">
            <Descriptions size="small" column={{ xs: 1, sm: 2, lg: 4 }}>
              <Descriptions.Item label={t('wecom.groups.owner')}>
                {g.ownerName ?? g.ownerUserid}
              </Descriptions.Item>
              <Descriptions.Item label={t('wecom.groups.members')}>{g.memberCount}</Descriptions.Item>
              <Descriptions.Item label={t('wecom.groups.customers')}>{g.externalCount}</Descriptions.Item>
              <Descriptions.Item label={t('wecom.groups.corp')}>{g.corpName}</Descriptions.Item>
            </Descriptions>
          </Card>
          <Card size="small" title={t('wecom.groups.perDay')}>
            <EChart
              height={220}
              option={{
                animation: false,
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 32, right: 12, top: 64, bottom: 24 },
                xAxis: { type: 'category', data: g.days.map((d) => d.day.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  { name: t('wecom.groups.joins'), type: 'bar', data: g.days.map((d) => d.joins) },
                  { name: t('wecom.groups.leaves'), type: 'bar', data: g.days.map((d) => d.leaves) },
                ],
              }}
            />
          </Card>
          <Card
            size="small"
            title={t('wecom.groups.members')}
            styles={{ body: { padding: 0, overflowX: 'auto' } }}
          >
            <Table
              rowKey="memberId"
              size="small"
              dataSource={g.members}
              pagination={false}
              scroll={{ x: 'max-content' }}
              columns={[
                {
                  title: t('wecom.groups.memberName'),
                  dataIndex: 'name',
                  render: (v: string | null, m: Member) =>
                    m.contactId ? (
                      <Link to={`/o/contact/${m.contactId}`}>{v ?? m.memberId}</Link>
                    ) : m.profileId ? (
                      <Link to={`/cdp/profiles/${m.profileId}`}>{v ?? m.memberId}</Link>
                    ) : (
                      (v ?? m.memberId)
                    ),
                },
                {
                  title: t('wecom.groups.kind'),
                  dataIndex: 'kind',
                  render: (k: string) => (
                    <Tag color={k === 'staff' ? 'blue' : undefined}>{t(`wecom.groups.kind_${k}`)}</Tag>
                  ),
                },
                {
                  title: t('wecom.groups.links'),
                  responsive: ['sm'],
                  render: (_: unknown, m: Member) => (
                    <Space size={8}>
                      {m.contactId && (
                        <Link to={`/o/contact/${m.contactId}`}>{t('wecom.contacts.contact')}</Link>
                      )}
                      {m.profileId && (
                        <Link to={`/cdp/profiles/${m.profileId}`}>{t('wecom.contacts.profile')}</Link>
                      )}
                    </Space>
                  ),
                },
                {
                  title: t('wecom.groups.joinScene'),
                  dataIndex: 'joinScene',
                  responsive: ['md'],
                  render: (s: number | null) => (s ? t(`wecom.groups.scene_${s}`) : '—'),
                },
                {
                  title: t('wecom.groups.joinedAt'),
                  dataIndex: 'joinedAt',
                  render: (v: string, m: Member) =>
                    m.leftAt ? (
                      <Typography.Text type="secondary">
                        {t('wecom.groups.leftAt', { at: new Date(m.leftAt).toLocaleString() })}
                      </Typography.Text>
                    ) : (
                      new Date(v).toLocaleString()
                    ),
                },
              ]}
            />
          </Card>
        </Space>
      )}
    </div>
  );
}
