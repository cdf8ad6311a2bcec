import { Alert, Button, Card, Col, Row, Space, Statistic, Table, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { useParams } from 'react-router';
import { useSession } from '../../app/session';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult } from '../../shared/ui/error-result';
import { useMessage, useMessageAction } from './outreach-api';

const DELIVERY_COLOR: Record<string, string> = {
  sent: '#52c41a',
  waiting: '#1677ff',
  notFriend: '#faad14',
  overLimit: '#fa8c16',
  failed: '#ff4d4f',
  excluded: '#bfbfbf',
};

/** One mass message: the plan per staff member, who is excluded and why, then the results. */
export function MessagePage() {
  const { t, i18n } = useTranslation();
  const { id = '' } = useParams();
  const { can } = useSession();
  const q = useMessage(id);
  const act = useMessageAction(id);
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} page />;
  const m = q.data;
  if (!m) return <Card loading />;
  const c = m.counts;
  const at = m.scheduledAt ? new Date(m.scheduledAt).toLocaleString(i18n.language) : '';
  const delivery = [
    { key: 'sent', value: c.sent },
    { key: 'waiting', value: c.waiting + c.planned },
    { key: 'notFriend', value: c.notFriend },
    { key: 'overLimit', value: c.overLimit },
    { key: 'failed', value: c.failed },
    { key: 'excluded', value: c.excluded },
  ].filter((x) => x.value > 0);
  return (
    <div className="kehu-page" data-testid="outreach-message">
      <div className="kehu-page-header">
        <Space wrap>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {m.title}
          </Typography.Title>
          <Tag data-testid="outreach-status">{t(`outreach.status.${m.status}`)}</Tag>
        </Space>
        <Space wrap>
          {can('outreach:send') && m.status === 'planned' && (
            <Button
              type="primary"
              loading={act.isPending}
              onClick={() => act.mutate('send')}
              data-testid="outreach-send"
            >
              {t('outreach.detail.send')}
            </Button>
          )}
          {m.status === 'sending' && (
            <Button
              loading={act.isPending}
              onClick={() => act.mutate('refresh')}
              data-testid="outreach-refresh"
            >
              {t('outreach.detail.refresh')}
            </Button>
          )}
          {can('outreach:send') && ['planned', 'scheduled', 'sending'].includes(m.status) && (
            <Button danger onClick={() => act.mutate('cancel')}>
              {t('outreach.detail.cancel')}
            </Button>
          )}
        </Space>
      </div>
      {m.quietHoursMoved && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('outreach.detail.quietMoved', { at })}
        />
      )}
      {m.status === 'sending' && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('outreach.detail.confirmHint')}
        />
      )}
      <Typography.Paragraph style={{ whiteSpace: 'pre-wrap' }}>{m.text}</Typography.Paragraph>
      {(m.materials?.length ?? 0) > 0 && (
        <Space wrap style={{ marginBottom: 12 }} data-testid="outreach-materials">
          {m.materials.map((x) => (
            <Tag key={x.id}>
              {t(`materials.kinds.${x.kind}`)} · {x.title}
            </Tag>
          ))}
        </Space>
      )}
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        {(['planned', 'excluded', 'sent', 'replied'] as const).map((k) => (
          <Col xs={12} md={6} key={k}>
            <Card size="small">
              <Statistic
                title={t(`outreach.detail.${k}`)}
                value={
                  k === 'planned'
                    ? c.planned + c.waiting + c.sent + c.failed + c.notFriend + c.overLimit
                    : c[k]
                }
              />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('outreach.detail.delivery')}>
            <EChart
              height={220}
              option={{
                animation: false,
                tooltip: { trigger: 'axis' },
                grid: { left: 96, right: 24, top: 8, bottom: 24 },
                xAxis: { type: 'value', minInterval: 1 },
                yAxis: {
                  type: 'category',
                  inverse: true,
                  data: delivery.map((d) => t(`outreach.detail.${d.key}`)),
                },
                series: [
                  {
                    type: 'bar',
                    barMaxWidth: 22,
                    label: { show: true, position: 'right' },
                    data: delivery.map((d) => ({
                      value: d.value,
                      itemStyle: { color: DELIVERY_COLOR[d.key] },
                    })),
                  },
                ],
              }}
            />
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card
            size="small"
            title={t('outreach.detail.perStaff')}
            styles={{ body: { padding: 0, overflowX: 'auto' } }}
          >
            <Table
              rowKey="staffUserid"
              size="small"
              pagination={false}
              dataSource={m.staff}
              columns={[
                { title: t('outreach.detail.staff'), dataIndex: 'staffName' },
                { title: t('outreach.detail.recipients'), dataIndex: 'recipients', align: 'right' },
                {
                  title: '',
                  dataIndex: 'status',
                  render: (s: string) => <Tag>{t(`outreach.status.${s}`)}</Tag>,
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <Card
        size="small"
        title={t('outreach.detail.exclusions')}
        styles={{ body: { padding: 0, overflowX: 'auto' } }}
      >
        <Table
          rowKey="target"
          size="small"
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          dataSource={m.excluded}
          locale={{ emptyText: t('outreach.detail.noExclusions') }}
          data-testid="outreach-exclusions"
          columns={[
            { title: t('outreach.detail.target'), dataIndex: 'name', render: (v, r) => v ?? r.target },
            {
              title: t('outreach.detail.why'),
              dataIndex: 'reason',
              render: (r: string) => <Tag color="red">{t(`outreach.reason.${r}`)}</Tag>,
            },
          ]}
        />
      </Card>
    </div>
  );
}
