import {
  ArrowLeftOutlined,
  PhoneOutlined,
  RollbackOutlined,
  SwapOutlined,
  WarningOutlined,
} from '@ant-design/icons';
import type { Assignments, DuplicateOf } from '@kehu/contracts/leads';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Input,
  List,
  Progress,
  Row,
  Skeleton,
  Space,
  Tag,
  Timeline,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { useSession } from '../../app/session';
import { asItems, http } from '../../shared/api-client';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import { ConvertWizard } from './convert-wizard';
import {
  fieldText,
  type Lead,
  leadScore,
  localTime,
  scoreReasons,
  useLead,
  useLeadOptionLabel,
} from './leads-api';
import { leadsKeys } from './leads-keys';
import { LogCallModal } from './log-call-modal';
import { SlaTag } from './sla-tag';

function ScoreCard({ lead }: { lead: Lead }) {
  const { t } = useTranslation();
  const label = useLabel();
  const score = leadScore(lead) ?? 0;
  return (
    <Card size="small" title={t('leads.lead.score')} data-testid="lead-score-card">
      <Space align="center" size={16} wrap>
        <Progress
          type="dashboard"
          percent={score}
          format={(p) => p}
          size={96}
          strokeColor={score >= 70 ? '#f5222d' : score >= 40 ? '#fa8c16' : '#8c8c8c'}
        />
        <div>
          <Tag>{lead.scoreSource ? t(`leads.lead.scoreBy.${fieldText(lead.scoreSource)}`) : '-'}</Tag>
          <Typography.Text type="secondary" style={{ display: 'block', margin: '6px 0 4px' }}>
            {t('leads.lead.reasons')}
          </Typography.Text>
          {scoreReasons(lead).map((r) => (
            <div key={r.key} data-testid="score-reason">
              <Typography.Text>{label(r.label, r.key)}</Typography.Text>{' '}
              <Typography.Text type={r.impact >= 0 ? 'success' : 'danger'}>
                {r.impact >= 0 ? '+' : ''}
                {r.impact}
              </Typography.Text>
            </div>
          ))}
        </div>
      </Space>
    </Card>
  );
}

export function LeadPage() {
  const { id = '' } = useParams();
  const navigate = useNavigate();
  const { t } = useTranslation();
  const { can } = useSession();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const lead = useLead(id);
  const opt = useLeadOptionLabel();
  const dup = useQuery({
    queryKey: leadsKeys.lead.duplicate(id),
    queryFn: () => http.get<DuplicateOf>(`/leads/${id}/duplicate`),
    enabled: !!lead.data?.duplicateOfId,
  });
  const activityMeta = useObjectMeta('activity');
  const label = useLabel();
  const activityOption = (field: string, v: string) => {
    const f = activityMeta.data?.fields.find((x) => x.apiName === field);
    return normalizeOptions(f?.options ?? null).find((x) => x.value === v);
  };
  const activityType = (v: string) => {
    const o = activityOption('type', v);
    return o ? label(o.label, v) : v;
  };
  const history = useQuery({
    queryKey: leadsKeys.lead.assignments(id),
    queryFn: () => http.get<Assignments>(`/leads/${id}/assignments`),
  });
  const acts = useQuery({
    queryKey: leadsKeys.lead.activities(id),
    queryFn: () =>
      http
        .get<unknown>('/records/activity', {
          filter: JSON.stringify({ field: 'leadId', op: 'eq', value: id }),
          sort: '-createdAt',
          limit: 50,
        })
        .then((d) => asItems<any>(d)),
  });
  const [callOpen, setCallOpen] = useState(false);
  const [convertOpen, setConvertOpen] = useState(false);
  const refresh = () => void qc.invalidateQueries({ queryKey: leadsKeys.all });
  const action = useMutation({
    mutationFn: (a: { path: string; body?: unknown }) => http.post(`/leads/${id}/${a.path}`, a.body),
    onSuccess: () => {
      message.success(t('leads.common.saved'));
      refresh();
    },
    onError: (e) => modal.error({ title: t('leads.lead.actions'), content: errorMessage(e) }),
  });
  const askReason = (titleKey: string, run: (reason: string) => void) => {
    let reason = '';
    modal.confirm({
      title: t(titleKey),
      content: (
        <Input.TextArea
          autoFocus
          rows={3}
          onChange={(e) => (reason = e.target.value)}
          data-testid="reason-input"
        />
      ),
      onOk: () => run(reason),
    });
  };

  if (lead.isPending) return <Skeleton active style={{ padding: 24 }} />;
  if (lead.error) return <PageError error={lead.error} onRetry={() => lead.refetch()} />;
  const l = lead.data;
  const status = fieldText(l.status);
  const open = ['new', 'contacted', 'qualified'].includes(status ?? '');
  const canUpdate = can('lead:update');
  const d = dup.data?.duplicate;

  return (
    <div className="kehu-page" data-testid="lead-page">
      <div className="kehu-page-header">
        <Space wrap size={8}>
          <Link to="/leads/inbox" data-testid="lead-back">
            <Button
              icon={<ArrowLeftOutlined />}
              aria-label={t('leads.lead.backToInbox')}
              title={t('leads.lead.backToInbox')}
            />
          </Link>
          <Typography.Title level={4} style={{ margin: 0 }}>
            {fieldText(l.name)}
          </Typography.Title>
          {fieldText(l.company) && <Typography.Text type="secondary">{fieldText(l.company)}</Typography.Text>}
          <Tag color="blue" data-testid="lead-status">
            {t(`leads.status.${status}`)}
          </Tag>
          {open && (
            <SlaTag dueAt={fieldText(l.firstResponseDueAt)} respondedAt={fieldText(l.firstRespondedAt)} />
          )}
        </Space>
        <Link to={`/o/lead/${l.id}`}>{t('leads.common.detail')}</Link>
      </div>
      {d && (
        <Alert
          type={d.ownedByOther ? 'error' : 'warning'}
          showIcon
          icon={<WarningOutlined />}
          style={{ marginBottom: 12 }}
          data-testid="duplicate-warning"
          message={t('leads.lead.duplicate', { object: t(`leads.lead.objects.${d.object}`) })}
          description={
            <Space wrap>
              <span>
                {[
                  d.name,
                  d.ownerName &&
                    t('leads.lead.duplicateOwner', {
                      object: t(`leads.lead.objects.${d.object}`),
                      owner: d.ownerUnitName ? `${d.ownerName}（${d.ownerUnitName}）` : d.ownerName,
                    }),
                ]
                  .filter(Boolean)
                  .join(' · ')}
              </span>
              {d.id && (
                <Link to={d.object === 'customer' ? `/o/customer/${d.id}` : `/leads/inbox/${d.id}`}>
                  {t('leads.lead.duplicateOpen')}
                </Link>
              )}
              {d.id && d.object === 'lead' && open && can('lead:update') && (
                <Button
                  size="small"
                  onClick={() =>
                    action.mutate(
                      { path: 'merge', body: { intoId: d.id } },
                      { onSuccess: () => navigate(`/leads/inbox/${d.id}`) },
                    )
                  }
                  data-testid="lead-merge"
                >
                  {t('leads.lead.merge')}
                </Button>
              )}
            </Space>
          }
        />
      )}
      {status === 'converted' && fieldText(l.convertedCustomerId) && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('leads.lead.converted')}
          action={<Link to={`/o/customer/${l.convertedCustomerId}`}>{t('leads.lead.openCustomer')}</Link>}
        />
      )}
      {canUpdate && (
        <Space wrap style={{ marginBottom: 12 }}>
          {open && (
            <Button
              type="primary"
              icon={<PhoneOutlined />}
              onClick={() => setCallOpen(true)}
              data-testid="lead-log-call"
            >
              {t('leads.inbox.logCall')}
            </Button>
          )}
          {l.status === 'new' && (
            <Button onClick={() => action.mutate({ path: 'status', body: { status: 'contacted' } })}>
              {t('leads.lead.contacted')}
            </Button>
          )}
          {(l.status === 'new' || l.status === 'contacted') && (
            <Button
              onClick={() => action.mutate({ path: 'status', body: { status: 'qualified' } })}
              data-testid="lead-qualify"
            >
              {t('leads.lead.qualify')}
            </Button>
          )}
          {open && (
            <Button
              type="primary"
              ghost
              icon={<SwapOutlined />}
              onClick={() => setConvertOpen(true)}
              data-testid="lead-convert"
            >
              {t('leads.lead.convert')}
            </Button>
          )}
          {open && (
            <Button
              icon={<RollbackOutlined />}
              onClick={() =>
                askReason('leads.lead.returnReason', (reason) =>
                  action.mutate({ path: 'return', body: { reason } }),
                )
              }
            >
              {t('leads.lead.returnToPool')}
            </Button>
          )}
          {open && (
            <Button
              danger
              onClick={() =>
                askReason('leads.lead.disqualifyReason', (reason) =>
                  action.mutate({ path: 'status', body: { status: 'disqualified', reason } }),
                )
              }
            >
              {t('leads.lead.disqualify')}
            </Button>
          )}
          {l.status === 'disqualified' && (
            <Button onClick={() => action.mutate({ path: 'status', body: { status: 'new' } })}>
              {t('leads.lead.reopen')}
            </Button>
          )}
        </Space>
      )}
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={10}>
          <Space direction="vertical" style={{ width: '100%' }} size={12}>
            <ScoreCard lead={l} />
            <Card size="small">
              <Descriptions column={1} size="small">
                <Descriptions.Item label={t('leads.lead.on.phone')}>
                  {fieldText(l.phone) && !l._masked?.includes('phone') ? (
                    <a href={`tel:${fieldText(l.phone)}`} data-testid="lead-phone">
                      {fieldText(l.phone)}
                    </a>
                  ) : (
                    (fieldText(l.phone) ?? '-')
                  )}
                </Descriptions.Item>
                <Descriptions.Item label={t('leads.lead.on.email')}>
                  {fieldText(l.email) ?? '-'}
                </Descriptions.Item>
                <Descriptions.Item label={t('leads.settings.channel')}>
                  {opt('channel', l.channel)}
                </Descriptions.Item>
                <Descriptions.Item label={t('leads.settings.industries')}>
                  {opt('industry', l.industry)}
                </Descriptions.Item>
                <Descriptions.Item label={t('leads.settings.campaign')}>
                  {fieldText(l.campaign) ?? '-'}
                </Descriptions.Item>
                <Descriptions.Item label={t('leads.common.owner')}>
                  {l._display?.ownerId ?? '-'}
                </Descriptions.Item>
              </Descriptions>
            </Card>
          </Space>
        </Col>
        <Col xs={24} lg={14}>
          <Space direction="vertical" style={{ width: '100%' }} size={12}>
            <Card size="small" title={t('leads.lead.activities')}>
              {acts.data && acts.data.length === 0 ? (
                <Empty description={t('leads.lead.noActivities')} image={Empty.PRESENTED_IMAGE_SIMPLE} />
              ) : (
                <List
                  size="small"
                  loading={acts.isPending}
                  dataSource={acts.data ?? []}
                  renderItem={(a: any) => (
                    <List.Item key={a.id}>
                      <List.Item.Meta
                        title={
                          <Space>
                            <Tag>{activityType(a.type)}</Tag>
                            {a.outcome && (
                              <Tag
                                bordered={false}
                                color={activityOption('outcome', a.outcome)?.color}
                                data-testid="activity-outcome"
                              >
                                {label(activityOption('outcome', a.outcome)?.label ?? a.outcome, a.outcome)}
                              </Tag>
                            )}
                            {a.subject}
                          </Space>
                        }
                        description={`${localTime(a.occurredAt ?? a.dueAt ?? a.createdAt)}${a.content ? ` · ${a.content}` : ''}`}
                      />
                    </List.Item>
                  )}
                />
              )}
            </Card>
            <Card size="small" title={t('leads.lead.history')}>
              <Timeline
                items={(history.data?.items ?? []).map((h) => ({
                  children: (
                    <div>
                      <Typography.Text strong>{t(`leads.lead.kinds.${h.kind}`)}</Typography.Text>
                      {h.toName ? ` → ${h.toName}` : ''}
                      {h.ruleName ? ` · ${h.ruleName}` : ''}
                      <div>
                        <Typography.Text type="secondary">
                          {localTime(h.at)}
                          {h.reason?.code
                            ? ` · ${t(`leads.lead.reasonCodes.${h.reason.code}`, { defaultValue: h.reason.code })}`
                            : ''}
                          {h.reason?.note ? ` · ${h.reason.note}` : ''}
                        </Typography.Text>
                      </div>
                    </div>
                  ),
                }))}
              />
            </Card>
          </Space>
        </Col>
      </Row>
      <LogCallModal leadId={callOpen ? l.id : null} open={callOpen} onClose={() => setCallOpen(false)} />
      <ConvertWizard lead={l} open={convertOpen} onClose={() => setConvertOpen(false)} />
    </div>
  );
}
