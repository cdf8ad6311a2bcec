import { ArrowLeftOutlined, PaperClipOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  Descriptions,
  Empty,
  Input,
  List,
  Modal,
  Row,
  Segmented,
  Select,
  Space,
  Tag,
  Timeline,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { ApiError, http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { type TicketDetail, useAgents, useSuggestions, useTicket } from './service-api';
import { SlaBadge } from './sla-badge';

const KIND_COLOR: Record<string, string> = { reply: 'blue', note: 'gold', customer: 'green' };

/** One ticket: conversation (replies vs internal notes), SLA clocks, workflow, links, merge/split, KB suggestions. */
export function TicketPage() {
  const { id = '' } = useParams();
  const { t } = useTranslation();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const qc = useQueryClient();
  const q = useTicket(id);
  const agents = useAgents();
  const sug = useSuggestions(id);
  const [kind, setKind] = useState<'reply' | 'note' | 'customer'>('reply');
  const [body, setBody] = useState('');
  const [files, setFiles] = useState<{ id: string; fileName: string }[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [picked, setPicked] = useState<string[]>([]);
  const [modal, setModal] = useState<null | 'merge' | 'split' | 'reopen' | 'link'>(null);
  const [field1, setField1] = useState('');
  const [field2, setField2] = useState('');
  const [complaint, setComplaint] = useState(false);
  if (q.isLoading) return <PageSkeleton />;
  if (q.error || !q.data) return <ErrorResult error={q.error} onRetry={() => q.refetch()} page />;
  const d = q.data;
  const set = (next: TicketDetail) => {
    qc.setQueryData(['service', 'ticket', id], next);
    qc.invalidateQueries({ queryKey: ['service', 'tickets'] });
    qc.invalidateQueries({ queryKey: ['service', 'stats'] });
  };
  const act = async (fn: () => Promise<TicketDetail>, after?: (x: TicketDetail) => void) => {
    setBusy(true);
    setError(null);
    try {
      const x = await fn();
      if (x.id === id) set(x);
      after?.(x);
      return x;
    } catch (e) {
      if (e instanceof ApiError && e.status === 409 && (e.problem as any).reason === 'version_conflict') {
        message.warning(t('service.detail.conflict'));
        q.refetch();
      } else setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const send = () =>
    act(
      () =>
        http.post<TicketDetail>(`/service/tickets/${id}/messages`, {
          kind,
          body,
          attachmentIds: files.map((f) => f.id),
        }),
      () => {
        setBody('');
        setFiles([]);
      },
    );
  const patch = (p: Record<string, unknown>) =>
    act(() => http.patch<TicketDetail>(`/service/tickets/${id}`, { version: d.version, ...p }));
  const upload = async (file: File) => {
    const buf = new Uint8Array(await file.arrayBuffer());
    let bin = '';
    for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
    try {
      const a = await http.post<{ id: string; fileName: string }>(`/service/tickets/${id}/attachments`, {
        fileName: file.name,
        mime: file.type || 'application/octet-stream',
        content: btoa(bin),
      });
      setFiles((f) => [...f, a]);
    } catch (e) {
      setError(errorMessage(e));
    }
    return false;
  };
  const closed = d.status === 'closed' || d.status === 'merged';
  const evText = (e: TicketDetail['events'][number]) => {
    const x = e.data as Record<string, any>;
    const st = (s: unknown) => (s ? t(`service.statuses.${s}`) : '');
    const pr = (s: unknown) => (s ? t(`service.priorities.${s}`) : '');
    const agent = (uid: unknown) =>
      agents.data?.items.find((a) => a.userId === uid)?.userName ??
      (uid ? String(uid).slice(0, 8) : t('service.unassigned'));
    switch (e.type) {
      case 'created':
        return t('service.events.created', { channel: t(`service.channels.${x.channel}`) });
      case 'assigned':
        return t('service.events.assigned', { to: agent(x.to) });
      case 'status':
        return t('service.events.status', { from: st(x.from), to: st(x.to) });
      case 'priority':
      case 'sla_breached':
        return t(`service.events.${e.type}`, {
          from: pr(x.from),
          to: pr(x.to),
          target: x.target ? t(`service.sla.${x.target}`) : '',
        });
      case 'sla_warning':
        return t('service.events.sla_warning', { target: t(`service.sla.${x.target}`) });
      case 'sla_resumed':
        return t('service.events.sla_resumed', { minutes: x.pausedBusinessMinutes });
      default:
        return t(`service.events.${e.type}`, { ...x, defaultValue: e.type });
    }
  };
  return (
    <div className="kehu-page" data-testid="service-ticket-page">
      <Space wrap style={{ marginBottom: 8 }}>
        <Link to="/service/tickets">
          <ArrowLeftOutlined /> {t('service.detail.back')}
        </Link>
      </Space>
      <div className="kehu-page-header">
        <div>
          <Typography.Title level={4} style={{ margin: 0 }} data-testid="ticket-subject">
            {d.subject}
          </Typography.Title>
          <Space wrap size={4} style={{ marginTop: 4 }}>
            <Typography.Text type="secondary">{d.number}</Typography.Text>
            <Tag data-testid="ticket-status">{t(`service.statuses.${d.status}`)}</Tag>
            <Tag>{t(`service.priorities.${d.priority}`)}</Tag>
            {d.kind === 'complaint' && <Tag color="red">{t('service.kinds.complaint')}</Tag>}
            <Tag>{d.categoryName ?? d.categoryKey}</Tag>
            <Tag>{t(`service.channels.${d.channel}`)}</Tag>
          </Space>
        </div>
      </div>
      {d.mergedInto && (
        <Alert
          type="info"
          showIcon
          message={t('service.detail.mergedInto')}
          action={<Link to={`/service/tickets/${d.mergedInto}`}>{t('service.detail.openMerged')}</Link>}
          style={{ marginBottom: 12 }}
        />
      )}
      {error && (
        <Alert
          type="error"
          showIcon
          message={error}
          closable
          onClose={() => setError(null)}
          style={{ marginBottom: 12 }}
        />
      )}
      <Row gutter={[16, 16]}>
        <Col xs={24} lg={16}>
          <Card
            size="small"
            title={t('service.detail.conversation')}
            extra={
              d.canHandle &&
              !closed &&
              picked.length > 0 && (
                <Button
                  size="small"
                  onClick={() => {
                    setField1('');
                    setModal('split');
                  }}
                >
                  {t('service.detail.split')}
                </Button>
              )
            }
          >
            {d.messages.length === 0 ? (
              <Empty description={t('service.detail.selectToSplit')} />
            ) : (
              <List
                dataSource={d.messages}
                renderItem={(m) => (
                  <List.Item
                    data-testid={`msg-${m.kind}`}
                    style={{
                      background: m.kind === 'note' ? '#fffbe6' : undefined,
                      padding: '8px 10px',
                      alignItems: 'flex-start',
                    }}
                  >
                    <Space align="start" style={{ width: '100%' }}>
                      {d.canHandle && !closed && (
                        <Checkbox
                          aria-label={t('service.detail.split')}
                          checked={picked.includes(m.id)}
                          onChange={(e) =>
                            setPicked((p) => (e.target.checked ? [...p, m.id] : p.filter((x) => x !== m.id)))
                          }
                        />
                      )}
                      <div style={{ flex: 1, minWidth: 0 }}>
                        <Space size={4} wrap>
                          <Tag color={KIND_COLOR[m.kind]}>{t(`service.detail.${m.kind}Tag`)}</Tag>
                          <Typography.Text strong>
                            {m.authorName ??
                              (m.kind === 'customer' ? t('service.detail.customerTag') : t('service.system'))}
                          </Typography.Text>
                          <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                            {new Date(m.createdAt).toLocaleString(undefined, { hour12: false })}
                          </Typography.Text>
                        </Space>
                        <div style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word', marginTop: 4 }}>
                          {m.body}
                        </div>
                        {m.attachments.map((a) => (
                          <div key={a.id}>
                            <a href={`/api/v1/service/attachments/${a.id}`}>
                              <PaperClipOutlined /> {a.fileName}
                            </a>
                          </div>
                        ))}
                      </div>
                    </Space>
                  </List.Item>
                )}
              />
            )}
            {d.canHandle && !closed && (
              <div style={{ marginTop: 12 }}>
                <Segmented
                  value={kind}
                  onChange={(v) => setKind(v as typeof kind)}
                  options={[
                    { value: 'reply', label: t('service.detail.reply') },
                    { value: 'note', label: t('service.detail.note') },
                    { value: 'customer', label: t('service.detail.customer') },
                  ]}
                />
                <Input.TextArea
                  rows={3}
                  value={body}
                  onChange={(e) => setBody(e.target.value)}
                  placeholder={t(`service.detail.${kind}Placeholder`)}
                  aria-label={t(`service.detail.${kind}`)}
                  data-testid="ticket-reply"
                  style={{ marginTop: 8, background: kind === 'note' ? '#fffbe6' : undefined }}
                  maxLength={20000}
                />
                <Space wrap style={{ marginTop: 8 }}>
                  <Upload beforeUpload={upload} showUploadList={false} accept="image/*,.pdf,.txt,.docx,.xlsx">
                    <Button icon={<PaperClipOutlined />}>{t('service.detail.attach')}</Button>
                  </Upload>
                  {files.map((f) => (
                    <Tag key={f.id} closable onClose={() => setFiles((x) => x.filter((y) => y.id !== f.id))}>
                      {f.fileName}
                    </Tag>
                  ))}
                  <Button
                    type="primary"
                    disabled={!body.trim()}
                    loading={busy}
                    onClick={send}
                    data-testid="ticket-send"
                  >
                    {t('service.detail.send')}
                  </Button>
                </Space>
              </div>
            )}
          </Card>
          <Card size="small" title={t('service.detail.history')} style={{ marginTop: 16 }}>
            <Timeline
              items={d.events.map((e) => ({
                children: (
                  <div>
                    <div>{evText(e)}</div>
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                      {e.actorName ?? t('service.system')} ·{' '}
                      {new Date(e.at).toLocaleString(undefined, { hour12: false })}
                    </Typography.Text>
                  </div>
                ),
              }))}
            />
          </Card>
        </Col>
        <Col xs={24} lg={8}>
          <Card size="small" title={t('service.detail.clocks')}>
            <Space direction="vertical">
              {d.clocks.map((c) => (
                <SlaBadge key={c.target} clock={c} withTarget />
              ))}
            </Space>
          </Card>
          {d.canHandle && (
            <Card size="small" style={{ marginTop: 16 }}>
              <Space direction="vertical" style={{ width: '100%' }}>
                <Typography.Text type="secondary">{t('service.detail.to')}</Typography.Text>
                <Space wrap>
                  {d.next.map((s) => (
                    <Button
                      key={s}
                      onClick={() => patch({ status: s })}
                      loading={busy}
                      data-testid={`to-${s}`}
                    >
                      {t(`service.statuses.${s}`)}
                    </Button>
                  ))}
                  {(d.status === 'resolved' || d.status === 'closed') && (
                    <Button
                      danger
                      onClick={() => {
                        setField1('');
                        setComplaint(false);
                        setModal('reopen');
                      }}
                    >
                      {t('service.detail.reopen')}
                    </Button>
                  )}
                </Space>
                <Typography.Text type="secondary">{t('service.detail.assignee')}</Typography.Text>
                <Select
                  style={{ width: '100%' }}
                  disabled={closed}
                  value={d.assigneeId ?? undefined}
                  placeholder={t('service.unassigned')}
                  aria-label={t('service.detail.reassign')}
                  onChange={(v) => patch({ assigneeId: v })}
                  options={(agents.data?.items ?? []).map((a) => ({
                    value: a.userId,
                    label: `${a.userName}${a.unitName ? ` · ${a.unitName}` : ''} (${a.openTickets})`,
                  }))}
                  showSearch
                  optionFilterProp="label"
                />
                <Select
                  style={{ width: '100%' }}
                  disabled={closed}
                  value={d.priority}
                  aria-label={t('service.fields.priority')}
                  onChange={(v) => patch({ priority: v })}
                  options={['low', 'normal', 'high', 'urgent'].map((p) => ({
                    value: p,
                    label: t(`service.priorities.${p}`),
                  }))}
                />
                {!closed && (
                  <Button
                    block
                    onClick={() => {
                      setField1('');
                      setModal('merge');
                    }}
                  >
                    {t('service.detail.merge')}
                  </Button>
                )}
              </Space>
            </Card>
          )}
          <Card size="small" title={t('service.detail.suggestions')} style={{ marginTop: 16 }}>
            {sug.data?.items.length ? (
              <List
                size="small"
                dataSource={sug.data.items}
                renderItem={(a) => (
                  <List.Item>
                    <div>
                      <Link to={`/service/kb?open=${a.id}`}>{a.title}</Link>
                      <div style={{ fontSize: 12, color: '#8c8c8c' }}>{a.excerpt}</div>
                    </div>
                  </List.Item>
                )}
              />
            ) : (
              <Typography.Text type="secondary">{t('service.detail.noSuggestions')}</Typography.Text>
            )}
          </Card>
          <Card
            size="small"
            title={t('service.detail.links')}
            style={{ marginTop: 16 }}
            extra={
              d.canHandle && (
                <Button
                  size="small"
                  onClick={() => {
                    setField1('');
                    setField2('');
                    setModal('link');
                  }}
                >
                  {t('service.detail.addLink')}
                </Button>
              )
            }
          >
            {d.links.length ? (
              d.links.map((l) => (
                <div key={`${l.object}:${l.recordId}`}>
                  <Tag>{l.object}</Tag>
                  {l.object === 'service_ticket' ? (
                    <Link to={`/service/tickets/${l.recordId}`}>{l.recordId.slice(0, 8)}</Link>
                  ) : (
                    l.recordId
                  )}
                </div>
              ))
            ) : (
              <Typography.Text type="secondary">{t('service.detail.noLinks')}</Typography.Text>
            )}
          </Card>
          {Object.keys(d.form).length > 0 && (
            <Card size="small" title={t('service.detail.form')} style={{ marginTop: 16 }}>
              <Descriptions size="small" column={1}>
                {d.categoryFields.map((f) =>
                  d.form[f.key] === undefined ? null : (
                    <Descriptions.Item key={f.key} label={f.label}>
                      {String(d.form[f.key])}
                    </Descriptions.Item>
                  ),
                )}
              </Descriptions>
            </Card>
          )}
        </Col>
      </Row>
      <Modal
        open={modal !== null}
        onCancel={() => setModal(null)}
        confirmLoading={busy}
        title={modal ? t(`service.detail.${modal === 'link' ? 'addLink' : modal}`) : ''}
        onOk={async () => {
          if (modal === 'merge') {
            let target = field1.trim();
            if (!/^[0-9a-f-]{36}$/i.test(target)) {
              const found = await http.get<{ items: { id: string; number: string }[] }>(
                `/service/tickets?q=${encodeURIComponent(target)}&status=open`,
              );
              target = found.items.find((x) => x.number === target.toUpperCase())?.id ?? target;
            }
            await act(
              () =>
                http.post<TicketDetail>(`/service/tickets/${id}/merge`, {
                  intoTicketId: target,
                  version: d.version,
                }),
              (x) => navigate(`/service/tickets/${x.id}`),
            );
          } else if (modal === 'split') {
            await act(
              () =>
                http.post<TicketDetail>(`/service/tickets/${id}/split`, {
                  messageIds: picked,
                  subject: field1,
                  version: d.version,
                }),
              (x) => {
                setPicked([]);
                navigate(`/service/tickets/${x.id}`);
              },
            );
          } else if (modal === 'reopen') {
            await act(() =>
              http.post<TicketDetail>(`/service/tickets/${id}/reopen`, {
                asComplaint: complaint,
                reason: field1,
              }),
            );
          } else if (modal === 'link') {
            await act(() =>
              http.post<TicketDetail>(`/service/tickets/${id}/links`, { object: field1, recordId: field2 }),
            );
          }
          setModal(null);
        }}
      >
        {modal === 'merge' && (
          <Input
            value={field1}
            onChange={(e) => setField1(e.target.value)}
            placeholder="GD000123"
            aria-label={t('service.detail.mergeInto')}
          />
        )}
        {modal === 'split' && (
          <Input
            value={field1}
            onChange={(e) => setField1(e.target.value)}
            placeholder={t('service.detail.splitSubject')}
            aria-label={t('service.detail.splitSubject')}
          />
        )}
        {modal === 'reopen' && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Input.TextArea
              value={field1}
              onChange={(e) => setField1(e.target.value)}
              placeholder={t('service.detail.reopenReason')}
              aria-label={t('service.detail.reopenReason')}
            />
            <Checkbox checked={complaint} onChange={(e) => setComplaint(e.target.checked)}>
              {t('service.detail.asComplaint')}
            </Checkbox>
          </Space>
        )}
        {modal === 'link' && (
          <Space direction="vertical" style={{ width: '100%' }}>
            <Input
              value={field1}
              onChange={(e) => setField1(e.target.value)}
              placeholder={t('service.detail.object')}
              aria-label={t('service.detail.object')}
            />
            <Input
              value={field2}
              onChange={(e) => setField2(e.target.value)}
              placeholder={t('service.detail.recordId')}
              aria-label={t('service.detail.recordId')}
            />
          </Space>
        )}
      </Modal>
    </div>
  );
}
