import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Col,
  DatePicker,
  Descriptions,
  Empty,
  Form,
  Grid,
  Input,
  List,
  Modal,
  Row,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { ApiError } from '../../shared/api-client';
import {
  downloadStatement,
  issueStatement,
  lineAction,
  problemLines,
  useAccounts,
  useDealersMutation,
  useStatement,
  useStatements,
  yuan,
} from './dealers-api';

const ST_COLOR: Record<string, string> = { open: 'processing', confirmed: 'green', disputed: 'red' };
const LINE_COLOR: Record<string, string> = {
  pending: 'default',
  confirmed: 'green',
  disputed: 'red',
  resolved: 'blue',
};

/** 对账单: the month's statement per dealer; the dealer confirms or disputes lines, HQ resolves disputes. */
export function StatementsPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const money = (v: number) => yuan(v, i18n.language);
  const list = useStatements();
  const items = list.data?.items ?? [];
  const [picked, setPicked] = useState<string | null>(null);
  const current = picked ?? items[0]?.id ?? null;
  const st = useStatement(current);
  const [ask, setAsk] = useState<{ lineNo: number; action: 'dispute' | 'resolve' } | null>(null);
  const [text, setText] = useState('');
  const [issuing, setIssuing] = useState(false);
  const act = useDealersMutation(
    (v: {
      lineNo: number | null;
      action: 'confirm' | 'dispute' | 'resolve';
      body?: { reason?: string; resolution?: string };
    }) => lineAction(current!, v.lineNo, v.action, { ...v.body, version: st.data!.version }),
  );
  const onError = (e: unknown) => {
    // Re-issued or decided elsewhere since this page loaded: show the statement as it is now.
    if (e instanceof ApiError && e.status === 409) {
      message.warning(t('dms.statements.changed'));
      setAsk(null);
      void st.refetch();
      void list.refetch();
      return;
    }
    message.error(problemLines(e).join('；'));
  };
  const s = st.data;
  const screens = Grid.useBreakpoint();
  type Line = NonNullable<typeof s>['lines'][number];
  const lineActions = (l: Line) => (
    <Space wrap>
      {l.status === 'pending' && can('dealers:order') && (
        <>
          <Button
            size="small"
            onClick={() => act.mutate({ lineNo: l.lineNo, action: 'confirm' }, { onError })}
          >
            {t('dms.statements.confirm')}
          </Button>
          <Button size="small" danger onClick={() => setAsk({ lineNo: l.lineNo, action: 'dispute' })}>
            {t('dms.statements.dispute')}
          </Button>
        </>
      )}
      {l.status === 'disputed' && can('dealers:statements') && (
        <Button size="small" onClick={() => setAsk({ lineNo: l.lineNo, action: 'resolve' })}>
          {t('dms.statements.resolve')}
        </Button>
      )}
    </Space>
  );
  return (
    <div className="kehu-page" data-testid="dms-statements-page">
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={4}>{t('dms.statements.title')}</Typography.Title>
        {can('dealers:statements') && (
          <Button type="primary" onClick={() => setIssuing(true)}>
            {t('dms.statements.issue')}
          </Button>
        )}
      </Space>
      <Typography.Paragraph type="secondary">{t('dms.statements.intro')}</Typography.Paragraph>
      {list.error && <Alert type="error" showIcon message={problemLines(list.error).join('；')} />}
      {!list.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.statements.empty')} />
        </Card>
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={8}>
            <Card size="small" styles={{ body: { padding: 0 } }}>
              <List
                loading={list.isLoading}
                dataSource={items}
                renderItem={(x) => (
                  <List.Item
                    onClick={() => setPicked(x.id)}
                    style={{
                      cursor: 'pointer',
                      padding: '10px 12px',
                      background: x.id === current ? '#e6f4ff' : undefined,
                    }}
                    data-testid="dms-statement-item"
                  >
                    <List.Item.Meta
                      title={`${x.dealerName ?? ''} · ${x.period}`}
                      description={money(x.closing)}
                    />
                    <Tag color={ST_COLOR[x.status]}>{t(`dms.stStatus.${x.status}`)}</Tag>
                  </List.Item>
                )}
              />
            </Card>
          </Col>
          <Col xs={24} md={16}>
            {!s ? (
              <Card>
                <Empty description={t('dms.statements.pick')} />
              </Card>
            ) : (
              <Card
                size="small"
                title={`${s.dealerName ?? ''} · ${s.period}`}
                extra={
                  <Space wrap>
                    {can('dealers:order') && s.lines.some((l) => l.status === 'pending') && (
                      <Button
                        size="small"
                        type="primary"
                        onClick={() => act.mutate({ lineNo: null, action: 'confirm' }, { onError })}
                      >
                        {t('dms.statements.confirmAll')}
                      </Button>
                    )}
                    <Button
                      size="small"
                      onClick={() => downloadStatement(s.id, `statement-${s.period}.xlsx`).catch(onError)}
                    >
                      {t('dms.statements.export')}
                    </Button>
                    <Button
                      size="small"
                      data-testid="dms-statement-pdf"
                      onClick={() =>
                        downloadStatement(s.id, `statement-${s.period}.pdf`, 'pdf').catch(onError)
                      }
                    >
                      {t('dms.statements.exportPdf')}
                    </Button>
                  </Space>
                }
              >
                <Descriptions size="small" column={{ xs: 1, sm: 3, md: 4 }}>
                  {(
                    ['opening', 'orders', 'payments', 'rebates', 'deductions', 'credits', 'closing'] as const
                  ).map((k) => (
                    <Descriptions.Item key={k} label={t(`dms.statements.${k}`)}>
                      <span data-testid={`dms-statement-${k}`}>{money(k === 'orders' ? -s[k] : s[k])}</span>
                    </Descriptions.Item>
                  ))}
                </Descriptions>
                <div style={{ overflowX: 'auto' }}>
                  <Table
                    rowKey="lineNo"
                    size="small"
                    pagination={false}
                    dataSource={s.lines}
                    locale={{ emptyText: t('dms.statements.noLines') }}
                    columns={[
                      {
                        title: t('dms.orders.at'),
                        dataIndex: 'at',
                        render: (v) => new Date(v).toLocaleDateString(i18n.language),
                        responsive: ['sm'],
                      },
                      {
                        title: t('dms.accounts.kind'),
                        dataIndex: 'kind',
                        render: (k) => <span style={{ whiteSpace: 'nowrap' }}>{t(`dms.kinds.${k}`)}</span>,
                      },
                      { title: t('dms.accounts.ref'), dataIndex: 'ref' },
                      {
                        title: t('dms.orders.amount'),
                        dataIndex: 'amount',
                        align: 'right',
                        render: (v: number) => <span style={{ whiteSpace: 'nowrap' }}>{money(v)}</span>,
                      },
                      {
                        title: t('dms.statements.status'),
                        dataIndex: 'status',
                        render: (v, l) => (
                          <Space direction="vertical" size={0}>
                            <Tag color={LINE_COLOR[v]}>{t(`dms.lineStatus.${v}`)}</Tag>
                            {l.disputeReason && (
                              <Typography.Text type="danger">{l.disputeReason}</Typography.Text>
                            )}
                            {l.resolution && (
                              <Typography.Text type="secondary">{l.resolution}</Typography.Text>
                            )}
                            {!screens.sm && lineActions(l)}
                          </Space>
                        ),
                      },
                      {
                        key: 'actions',
                        // On a phone the buttons sit under the line's status: no sideways scroll to reach them.
                        responsive: ['sm'],
                        render: (_, l) => lineActions(l),
                      },
                    ]}
                  />
                </div>
              </Card>
            )}
          </Col>
        </Row>
      )}
      <Modal
        open={!!ask}
        title={ask?.action === 'resolve' ? t('dms.statements.resolution') : t('dms.statements.disputeReason')}
        onCancel={() => setAsk(null)}
        okButtonProps={{ disabled: !text.trim(), loading: act.isPending }}
        onOk={() =>
          act.mutate(
            {
              lineNo: ask!.lineNo,
              action: ask!.action,
              body: ask!.action === 'resolve' ? { resolution: text } : { reason: text },
            },
            {
              onSuccess: () => {
                setAsk(null);
                setText('');
              },
              onError,
            },
          )
        }
      >
        <Input.TextArea rows={3} maxLength={500} value={text} onChange={(e) => setText(e.target.value)} />
      </Modal>
      {issuing && <IssueModal onClose={() => setIssuing(false)} />}
    </div>
  );
}

function IssueModal({ onClose }: { onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const accounts = useAccounts();
  const [form] = Form.useForm();
  const issue = useDealersMutation(issueStatement);
  return (
    <Modal
      open
      title={t('dms.statements.issue')}
      onCancel={onClose}
      okButtonProps={{ loading: issue.isPending }}
      onOk={async () => {
        const v = await form.validateFields();
        issue.mutate(
          { dealerUnitId: v.dealerUnitId, period: v.period.format('YYYY-MM'), reissue: !!v.reissue },
          { onSuccess: onClose, onError: (e) => message.error(problemLines(e).join('；')) },
        );
      }}
    >
      <Form form={form} layout="vertical">
        <Form.Item name="dealerUnitId" label={t('dms.statements.dealer')} rules={[{ required: true }]}>
          <Select
            options={(accounts.data?.items ?? []).map((a) => ({
              value: a.dealerUnitId,
              label: a.dealerName,
            }))}
          />
        </Form.Item>
        <Form.Item name="period" label={t('dms.statements.period')} rules={[{ required: true }]}>
          <DatePicker picker="month" style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="reissue" valuePropName="checked">
          <Checkbox>{t('dms.statements.reissue')}</Checkbox>
        </Form.Item>
      </Form>
    </Modal>
  );
}
