import { ArrowLeftOutlined, EditOutlined, FileAddOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  List,
  Row,
  Skeleton,
  Space,
  Steps,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { useLabel, useObjectMeta } from '../../app/meta';
import { useSession } from '../../app/session';
import { layoutSections } from '../../records/detail-page';
import { FieldValue } from '../../records/field-value';
import { recordApi } from '../../records/record-api';
import { RecordTimeline } from '../../records/timeline';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { salesApi, yuan } from './sales-api';
import { salesKeys } from './sales-keys';
import { useStageMove } from './stage-move';

/** Opportunity detail with the stage bar and the SOP checklist of each stage (R4.2). */
export function OpportunityPage() {
  const { id } = useParams();
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const meta = useObjectMeta('opportunity');
  const rec = useQuery({
    queryKey: ['records', 'opportunity', 'one', id],
    queryFn: () => recordApi.get('opportunity', id!),
  });
  const sop = useQuery({ queryKey: salesKeys.sop(id), queryFn: () => salesApi.sop(id!) });
  const leadId = typeof rec.data?.leadId === 'string' ? rec.data.leadId : null;
  // leadId is a plain id (the leads module owns `lead`): named here through the lead API, so a
  // lead outside the viewer's scope answers 404 and keeps showing its id.
  const lead = useQuery({
    queryKey: ['records', 'lead', 'one', leadId],
    queryFn: () => recordApi.get('lead', leadId!),
    enabled: !!leadId && can('lead:read'),
    retry: false,
  });
  const quotes = useQuery({
    queryKey: ['records', 'quote', 'for-opp', id],
    queryFn: () =>
      recordApi.list('quote', { filter: { field: 'opportunityId', op: 'eq', value: id }, limit: 20 }),
    enabled: can('quote:read'),
  });
  const refresh = () => {
    rec.refetch();
    sop.refetch();
  };
  const { move, modal } = useStageMove(refresh);
  const toggle = useMutation({
    mutationFn: (v: { stage: string; item: string; done: boolean }) =>
      salesApi.setSop(id!, v.stage, v.item, v.done),
    onSuccess: (data) => qc.setQueryData(salesKeys.sop(id), data),
    onError: (e) => message.error(errorMessage(e)),
  });
  const newQuote = useMutation({
    mutationFn: () =>
      recordApi.create('quote', {
        name: `${String(rec.data?.name)} ${t('sales.quote.suffix')}`,
        customerId: rec.data?.customerId,
        opportunityId: id,
        contactId: rec.data?.contactId ?? null,
      }),
    onSuccess: (q) => navigate(`/o/quote/${q.id}`),
    onError: (e) => message.error(errorMessage(e)),
  });

  if (rec.error)
    return (
      <div className="kehu-page">
        <PageError error={rec.error} onRetry={() => rec.refetch()} />
      </div>
    );
  if (rec.isPending || meta.isPending || sop.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active paragraph={{ rows: 10 }} />
      </div>
    );
  const r = rec.data;
  const stages = sop.data?.stages ?? [];
  const open = stages.filter((s) => s.kind === 'open');
  const currentIdx = open.findIndex((s) => s.key === r.stage);
  const cur = stages.find((s) => s.key === r.stage);
  const terminal = cur && cur.kind !== 'open';
  const next =
    currentIdx >= 0 && currentIdx < open.length - 1
      ? open[currentIdx + 1]
      : stages.find((s) => s.kind === 'won');
  const won = stages.find((s) => s.kind === 'won');
  const lost = stages.find((s) => s.kind === 'lost');
  const canEdit = can('opportunity:update');
  const leadLink = (v: unknown) =>
    lead.data && v === lead.data.id ? (
      <Link to={`/leads/inbox/${lead.data.id}`} data-testid="opp-lead-link">
        {String(lead.data.name ?? lead.data.company ?? lead.data.id)}
      </Link>
    ) : undefined;
  // SOP ticks read as what was done, with the item's label as it was when ticked.
  const describe = (e: { action: string; meta?: unknown }) => {
    const m = e.meta as { itemLabel?: Record<string, string> } | null;
    if ((e.action === 'sop_done' || e.action === 'sop_undone') && m?.itemLabel)
      return t(e.action === 'sop_done' ? 'sales.opp.sopDone' : 'sales.opp.sopUndone', {
        item: label(m.itemLabel as never),
      });
    return undefined;
  };
  const renderChange = (field: string, v: unknown) => {
    if (field === 'leadId') return leadLink(v);
    if (field === 'pipelineId' && sop.data && v === sop.data.pipeline.id)
      return label(sop.data.pipeline.name);
    return undefined;
  };

  return (
    <div className="kehu-page" data-testid="opportunity-page">
      {modal}
      <Space style={{ marginBottom: 8 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label="back" />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {String(r.name)}
        </Typography.Title>
        <Tag color="blue">{yuan((r.amount as any)?.amount, (r.amount as any)?.currency)}</Tag>
        {cur && (
          <Tag color={cur.kind === 'won' ? 'green' : cur.kind === 'lost' ? 'red' : 'processing'}>
            {label(cur.label)}
          </Tag>
        )}
      </Space>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Steps
          size="small"
          direction={isMobile ? 'vertical' : 'horizontal'}
          current={terminal ? open.length : currentIdx}
          status={cur?.kind === 'lost' ? 'error' : cur?.kind === 'won' ? 'finish' : 'process'}
          items={[
            ...open.map((s) => ({ title: label(s.label), description: `${s.probability}%` })),
            { title: cur?.kind === 'lost' ? label(lost?.label) : label(won?.label) },
          ]}
          data-testid="stage-bar"
        />
        {canEdit && (
          <Space style={{ marginTop: 12 }} wrap>
            {!terminal && next && (
              <Button type="primary" data-testid="stage-next" onClick={() => move(r.id, next.key, next.kind)}>
                {t('sales.opp.advance', { stage: label(next.label) })}
              </Button>
            )}
            {!terminal && won && next?.key !== won.key && (
              <Button onClick={() => move(r.id, won.key, 'won')}>{t('sales.opp.markWon')}</Button>
            )}
            {!terminal && lost && (
              <Button danger onClick={() => move(r.id, lost.key, 'lost')} data-testid="stage-lost">
                {t('sales.opp.markLost')}
              </Button>
            )}
            {terminal && can('opportunity:reopen') && (
              <Button onClick={() => move(r.id, open[0]!.key, 'open')}>{t('sales.opp.reopen')}</Button>
            )}
            <Link to={`/o/opportunity/${r.id}/edit`}>
              <Button icon={<EditOutlined />}>{t('sales.common.edit')}</Button>
            </Link>
          </Space>
        )}
      </Card>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('sales.opp.sop')} data-testid="sop-card">
            {open.map((s) => (
              <div key={s.key} style={{ marginBottom: 12, opacity: s.key === r.stage ? 1 : 0.75 }}>
                <Typography.Text strong>
                  {label(s.label)}{' '}
                  {s.key === r.stage && <Tag color="processing">{t('sales.opp.current')}</Tag>}
                </Typography.Text>
                {s.items.map((i) => (
                  <div key={i.key} style={{ marginLeft: 4, marginTop: 4 }}>
                    <Checkbox
                      checked={!!i.done}
                      disabled={!canEdit || terminal}
                      data-testid={`sop-${s.key}-${i.key}`}
                      onChange={(e) => toggle.mutate({ stage: s.key, item: i.key, done: e.target.checked })}
                    >
                      <Tag bordered={false}>{t(`sales.sopType.${i.type}`)}</Tag>
                      {label(i.label)}
                      {i.required && <Typography.Text type="danger"> *</Typography.Text>}
                    </Checkbox>
                    {i.content && (
                      <Typography.Paragraph type="secondary" style={{ margin: '2px 0 0 24px', fontSize: 12 }}>
                        {label(i.content as any)}
                      </Typography.Paragraph>
                    )}
                    {i.done && i.doneBy && (
                      <Typography.Text type="secondary" style={{ marginLeft: 24, fontSize: 12 }}>
                        {i.doneBy} · {i.doneAt ? dayjs(i.doneAt).format('YYYY-MM-DD HH:mm') : ''}
                      </Typography.Text>
                    )}
                  </div>
                ))}
              </div>
            ))}
          </Card>
        </Col>
        <Col xs={24} lg={14}>
          <Card size="small" title={t('sales.opp.details')} style={{ marginBottom: 12 }}>
            {layoutSections(meta.data!)
              .filter((s) => s.key !== 'system')
              .map((s) => (
                <Descriptions key={s.key} size="small" column={isMobile ? 1 : 2} style={{ marginBottom: 8 }}>
                  {s.fields
                    .filter((f) => f.apiName !== 'pipelineId')
                    .map((f) => (
                      <Descriptions.Item key={f.apiName} label={label(f.label, f.apiName)}>
                        {(f.apiName === 'leadId' && leadLink(r.leadId)) || (
                          <FieldValue object="opportunity" record={r} field={f} />
                        )}
                      </Descriptions.Item>
                    ))}
                </Descriptions>
              ))}
          </Card>
          {can('quote:read') && (
            <Card
              size="small"
              title={t('sales.quote.title')}
              style={{ marginBottom: 12 }}
              extra={
                can('quote:create') && (
                  <Button
                    size="small"
                    icon={<FileAddOutlined />}
                    onClick={() => newQuote.mutate()}
                    loading={newQuote.isPending}
                    data-testid="new-quote"
                  >
                    {t('sales.quote.new')}
                  </Button>
                )
              }
            >
              <List
                size="small"
                dataSource={quotes.data?.items ?? []}
                renderItem={(q) => (
                  <List.Item>
                    <Link to={`/o/quote/${q.id}`}>{String(q.name)}</Link>
                    <span>{yuan((q.total as any)?.amount)}</span>
                  </List.Item>
                )}
              />
            </Card>
          )}
          <Card size="small" title={t('sales.common.history')}>
            <RecordTimeline meta={meta.data!} id={r.id} renderValue={renderChange} describe={describe} />
          </Card>
        </Col>
      </Row>
    </div>
  );
}
