import { ArrowLeftOutlined, FilePdfOutlined, WarningOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Descriptions,
  Empty,
  Form,
  Image,
  Input,
  List,
  Modal,
  Result,
  Row,
  Select,
  Space,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useParams } from 'react-router';
import { useSession } from '../../app/session';
import { buildUnitTree } from '../../app/unit-tree';
import { API_BASE } from '../../shared/api-client';
import { ErrorResult } from '../../shared/ui/error-result';
import {
  addNote,
  age,
  moveStage,
  onboard,
  problemLines,
  requestApproval,
  STAGE_COLOR,
  useApplication,
  useNetworkMutation,
  useRoles,
} from './dealer-network-api';

type Ask = 'reject' | 'contract' | 'review' | 'onboard' | null;

/** One application: what the dealer sent, its documents (preview), reviewer notes, and the next step. */
export function ApplicationPage() {
  const { id = '' } = useParams();
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { can, me } = useSession();
  const q = useApplication(id);
  const [ask, setAsk] = useState<Ask>(null);
  const [note, setNote] = useState('');
  const [created, setCreated] = useState<{ password?: string } | null>(null);
  const [form] = Form.useForm();
  const manage = can('dealer_network:recruit');
  const mayOnboard = manage && can('admin:units') && can('admin:users');
  const roles = useRoles(mayOnboard && can('admin:roles'));
  const tree = useMemo(() => buildUnitTree(me.units), [me.units]);
  const branches = me.units.filter((u) => u.type === 'region' || u.type === 'hq');
  const onError = (e: unknown) => message.error(problemLines(e).join('；'));
  const mutate = useNetworkMutation((fn: () => Promise<unknown>) => fn());
  const run = (fn: () => Promise<unknown>, after?: (r: any) => void) =>
    mutate.mutate(fn, {
      onSuccess: (r) => {
        setAsk(null);
        form.resetFields();
        message.success(t('dnw.app.done'));
        after?.(r);
      },
      onError,
    });

  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  const a = q.data;
  const when = (iso: string) => new Date(iso).toLocaleString(i18n.language);
  return (
    <div className="kehu-page" data-testid="dnw-application-page">
      <div>
        <Link to="/dealer-network/recruitment">
          <ArrowLeftOutlined /> {t('dnw.app.back')}
        </Link>
      </div>
      {!a ? (
        <Card loading />
      ) : (
        <>
          <Space wrap style={{ margin: '8px 0' }}>
            <Typography.Title level={4} style={{ margin: 0 }}>
              {a.company}
            </Typography.Title>
            <Tag color={STAGE_COLOR[a.stage]}>{t(`dnw.stages.${a.stage}`)}</Tag>
            <Typography.Text type={a.overdue ? 'danger' : 'secondary'}>
              {a.overdue && <WarningOutlined />} {age(a.ageHours, t)}
            </Typography.Text>
          </Space>
          {created?.password && (
            <Alert
              type="success"
              showIcon
              style={{ marginBottom: 12 }}
              message={t('dnw.app.onboarded')}
              description={
                <Typography.Text copyable>{t('dnw.app.password', { p: created.password })}</Typography.Text>
              }
            />
          )}
          <Row gutter={[12, 12]}>
            <Col xs={24} lg={14}>
              <Card size="small">
                <Descriptions size="small" column={{ xs: 1, sm: 2 }}>
                  <Descriptions.Item label={t('dnw.app.reference')}>{a.reference}</Descriptions.Item>
                  <Descriptions.Item label={t('dnw.app.created')}>{when(a.createdAt)}</Descriptions.Item>
                  <Descriptions.Item label={t('dnw.recruitment.contact')}>{a.contactName}</Descriptions.Item>
                  <Descriptions.Item label={t('dnw.app.phone')}>{a.phone}</Descriptions.Item>
                  {a.email && <Descriptions.Item label={t('dnw.app.email')}>{a.email}</Descriptions.Item>}
                  <Descriptions.Item label={t('dnw.recruitment.region')}>{a.region}</Descriptions.Item>
                  <Descriptions.Item label={t('dnw.recruitment.category')}>{a.category}</Descriptions.Item>
                  <Descriptions.Item label={t('dnw.recruitment.unit')}>{a.unitName}</Descriptions.Item>
                  {a.contractNo && (
                    <Descriptions.Item label={t('dnw.app.contractNo')}>{a.contractNo}</Descriptions.Item>
                  )}
                  {a.rejectReason && (
                    <Descriptions.Item label={t('dnw.app.rejectReason')}>{a.rejectReason}</Descriptions.Item>
                  )}
                  {a.message && (
                    <Descriptions.Item label={t('dnw.app.message')}>{a.message}</Descriptions.Item>
                  )}
                </Descriptions>
              </Card>
              <Card size="small" title={t('dnw.app.documents')} style={{ marginTop: 12 }}>
                {a.documents.length === 0 ? (
                  <Typography.Text type="secondary">{t('dnw.app.noDocuments')}</Typography.Text>
                ) : (
                  <Space wrap size={12}>
                    {a.documents.map((d) =>
                      d.mime.startsWith('image/') ? (
                        <Image
                          key={d.id}
                          width={120}
                          height={120}
                          style={{ objectFit: 'cover', border: '1px solid #f0f0f0' }}
                          src={`${API_BASE}/recruitment/documents/${d.id}`}
                          alt={d.name}
                        />
                      ) : (
                        <Button
                          key={d.id}
                          icon={<FilePdfOutlined />}
                          href={`${API_BASE}/recruitment/documents/${d.id}`}
                          target="_blank"
                          rel="noopener"
                        >
                          {d.name} · {t('dnw.app.preview')}
                        </Button>
                      ),
                    )}
                  </Space>
                )}
              </Card>
            </Col>
            <Col xs={24} lg={10}>
              {manage && (
                <Card size="small" title={t('dnw.app.actions')} data-testid="dnw-actions">
                  <Space wrap>
                    {(a.stage === 'new' || a.stage === 'reviewing') && (
                      <Button
                        type={a.stage === 'new' ? 'primary' : 'default'}
                        onClick={() => setAsk('review')}
                      >
                        {a.stage === 'new' ? t('dnw.app.startReview') : t('dnw.app.handTo')}
                      </Button>
                    )}
                    {a.stage === 'reviewing' && (
                      <Button type="primary" onClick={() => run(() => requestApproval(a.id, a.version))}>
                        {t('dnw.app.submitApproval')}
                      </Button>
                    )}
                    {a.stage === 'qualified' && (
                      <Button type="primary" onClick={() => setAsk('contract')}>
                        {t('dnw.app.toContract')}
                      </Button>
                    )}
                    {mayOnboard && (a.stage === 'qualified' || a.stage === 'contract') && (
                      <Button type="primary" onClick={() => setAsk('onboard')} data-testid="dnw-onboard">
                        {t('dnw.app.onboard')}
                      </Button>
                    )}
                    {['new', 'reviewing', 'qualified', 'contract'].includes(a.stage) && (
                      <Button danger onClick={() => setAsk('reject')}>
                        {t('dnw.app.reject')}
                      </Button>
                    )}
                  </Space>
                </Card>
              )}
              <Card size="small" title={t('dnw.app.notes')} style={{ marginTop: manage ? 12 : 0 }}>
                {a.notes.length === 0 ? (
                  <Typography.Text type="secondary">{t('dnw.app.noNotes')}</Typography.Text>
                ) : (
                  <List
                    size="small"
                    dataSource={a.notes}
                    renderItem={(n) => (
                      <List.Item>
                        <List.Item.Meta
                          title={n.text}
                          description={`${n.authorName ?? ''} · ${when(n.createdAt)}`}
                        />
                      </List.Item>
                    )}
                  />
                )}
                {manage && (
                  <Space.Compact style={{ width: '100%', marginTop: 8 }}>
                    <Input
                      aria-label={t('dnw.app.addNote')}
                      value={note}
                      onChange={(e) => setNote(e.target.value)}
                      placeholder={t('dnw.app.notePlaceholder')}
                      onPressEnter={() =>
                        note.trim() &&
                        run(
                          () => addNote(a.id, note.trim()),
                          () => setNote(''),
                        )
                      }
                    />
                    <Button
                      disabled={!note.trim()}
                      onClick={() =>
                        run(
                          () => addNote(a.id, note.trim()),
                          () => setNote(''),
                        )
                      }
                    >
                      {t('dnw.app.addNote')}
                    </Button>
                  </Space.Compact>
                )}
              </Card>
            </Col>
          </Row>
          <Modal
            open={ask !== null}
            title={
              ask === 'reject'
                ? t('dnw.app.reject')
                : ask === 'contract'
                  ? t('dnw.app.toContract')
                  : ask === 'onboard'
                    ? t('dnw.app.onboard')
                    : t('dnw.app.startReview')
            }
            onCancel={() => setAsk(null)}
            onOk={() => form.submit()}
            confirmLoading={mutate.isPending}
            destroyOnHidden
          >
            <Form
              form={form}
              layout="vertical"
              preserve={false}
              initialValues={{ unitName: a.company }}
              onFinish={(v) => {
                if (ask === 'reject')
                  run(() => moveStage(a.id, { version: a.version, to: 'rejected', reason: v.reason }));
                else if (ask === 'contract')
                  run(() =>
                    moveStage(a.id, { version: a.version, to: 'contract', contractNo: v.contractNo }),
                  );
                else if (ask === 'review')
                  run(() => moveStage(a.id, { version: a.version, to: 'reviewing', unitId: v.unitId }));
                else if (ask === 'onboard')
                  run(
                    () => onboard(a.id, { version: a.version, ...v }),
                    (r: { password?: string }) => setCreated(r),
                  );
              }}
            >
              {ask === 'reject' && (
                <Form.Item name="reason" label={t('dnw.app.rejectReason2')}>
                  <Input.TextArea maxLength={500} />
                </Form.Item>
              )}
              {ask === 'contract' && (
                <Form.Item name="contractNo" label={t('dnw.app.contractNoInput')}>
                  <Input maxLength={60} />
                </Form.Item>
              )}
              {ask === 'review' && (
                <Form.Item name="unitId" label={t('dnw.app.handTo')}>
                  <TreeSelect
                    treeData={tree}
                    treeDefaultExpandAll
                    allowClear
                    showSearch
                    treeNodeFilterProp="title"
                  />
                </Form.Item>
              )}
              {ask === 'onboard' && (
                <>
                  <Typography.Paragraph type="secondary">{t('dnw.app.onboardIntro')}</Typography.Paragraph>
                  <Form.Item name="branchUnitId" label={t('dnw.app.branch')} rules={[{ required: true }]}>
                    <Select options={branches.map((b) => ({ value: b.id, label: b.name }))} />
                  </Form.Item>
                  <Form.Item name="unitName" label={t('dnw.app.unitName')}>
                    <Input maxLength={120} />
                  </Form.Item>
                  <Form.Item name="unitCode" label={t('dnw.app.unitCode')}>
                    <Input maxLength={40} />
                  </Form.Item>
                  <Form.Item name="adminLogin" label={t('dnw.app.adminLogin')} rules={[{ required: true }]}>
                    <Input maxLength={60} autoComplete="off" />
                  </Form.Item>
                  <Form.Item name="roleId" label={t('dnw.app.role')} rules={[{ required: true }]}>
                    <Select
                      options={(roles.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
                      notFoundContent={roles.error ? t('dnw.app.noRoles') : undefined}
                    />
                  </Form.Item>
                </>
              )}
            </Form>
          </Modal>
          {a.stage === 'onboarded' && a.dealerUnitId && (
            <Result status="success" title={t('dnw.app.onboarded')} style={{ padding: 16 }} />
          )}
        </>
      )}
      {!a && !q.isLoading && <Empty />}
    </div>
  );
}
