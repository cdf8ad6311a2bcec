import { DeleteOutlined, PlusOutlined, SendOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Drawer,
  Dropdown,
  Empty,
  Form,
  Input,
  Modal,
  Popconfirm,
  Progress,
  Radio,
  Row,
  Select,
  Space,
  Spin,
  Table,
  Tag,
  Typography,
} from 'antd';
import type { TextAreaRef } from 'antd/es/input/TextArea';
import dayjs from 'dayjs';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { ApiError } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  type BulkSend,
  bulkSendProgress,
  type Channel,
  type Preview,
  type ProfileOption,
  previewTemplate,
  searchProfiles,
  startBulkSend,
  type Template,
  type TemplateInput,
  useDeleteTemplate,
  useSaveTemplate,
  useSegments,
  useTemplates,
} from './messaging-api';

const TEMPLATE_CHANNELS: Channel[] = ['sms', 'email', 'wecom_private', 'wecom_mass', 'in_app', 'webhook'];
const VARIABLES = ['name', 'customer.name', 'owner.name', 'profile.city', 'coupon_code'];

/** Message templates: list, the editor (variables picker, per-segment texts) and the preview. */
export function TemplatesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const list = useTemplates();
  const del = useDeleteTemplate();
  const [editing, setEditing] = useState<Template | 'new' | null>(null);
  const [sending, setSending] = useState<Template | null>(null);
  const segments = useSegments();
  const segName = (id: string) => segments.data?.items.find((s) => s.id === id)?.name ?? id.slice(0, 8);
  const manage = can('messaging:manage');
  return (
    <div className="kehu-page" data-testid="messaging-templates-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('messaging.templates.title')}
        </Typography.Title>
        {manage && (
          <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
            {t('messaging.templates.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('messaging.templates.intro')}</Typography.Paragraph>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<Template>
          rowKey="id"
          loading={list.isPending}
          dataSource={list.data?.items ?? []}
          size={mobile ? 'small' : 'middle'}
          scroll={{ x: true }}
          pagination={false}
          locale={{ emptyText: <Empty description={t('messaging.templates.empty')} /> }}
          onRow={(r) => ({ onDoubleClick: () => setEditing(r) })}
          columns={[
            {
              title: t('messaging.templates.columns.name'),
              dataIndex: 'name',
              render: (n: string, r) => (
                <Button type="link" style={{ padding: 0 }} onClick={() => setEditing(r)}>
                  {n}
                </Button>
              ),
            },
            {
              title: t('messaging.templates.columns.channel'),
              dataIndex: 'channel',
              render: (c: string) => <Tag>{t(`messaging.channels.${c}`)}</Tag>,
            },
            ...(mobile
              ? []
              : [
                  {
                    title: t('messaging.templates.columns.variables'),
                    dataIndex: 'variables',
                    render: (v: string[]) => (
                      <Space size={2} wrap>
                        {v.map((x) => (
                          <Tag key={x} color="blue">{`{{${x}}}`}</Tag>
                        ))}
                      </Space>
                    ),
                  },
                  {
                    title: t('messaging.templates.columns.variants'),
                    key: 'v',
                    render: (_: unknown, r: Template) => (
                      <Space size={2} wrap>
                        {(r.variants ?? []).map((v) => (
                          <Tag key={v.segmentId}>{segName(v.segmentId)}</Tag>
                        ))}
                      </Space>
                    ),
                  },
                  {
                    title: t('messaging.templates.columns.updated'),
                    dataIndex: 'updatedAt',
                    render: (d: string) => dayjs(d).format('YYYY-MM-DD HH:mm'),
                  },
                ]),
            ...(manage || can('messaging:send')
              ? [
                  {
                    title: t('messaging.templates.columns.actions'),
                    key: 'a',
                    render: (_: unknown, r: Template) => (
                      <Space size={4}>
                        {can('messaging:send') && (
                          <Button
                            size="small"
                            icon={<SendOutlined />}
                            onClick={() => setSending(r)}
                            data-testid="template-send"
                          >
                            {t('messaging.templates.send')}
                          </Button>
                        )}
                        {manage && (
                          <Popconfirm
                            title={t('messaging.templates.confirmDelete', { name: r.name })}
                            onConfirm={() => del.mutate(r.id)}
                          >
                            <Button
                              size="small"
                              type="text"
                              danger
                              icon={<DeleteOutlined />}
                              aria-label={t('messaging.templates.del')}
                            />
                          </Popconfirm>
                        )}
                      </Space>
                    ),
                  },
                ]
              : []),
          ]}
        />
      )}
      <Drawer
        open={editing !== null}
        onClose={() => setEditing(null)}
        width={mobile ? '100%' : 960}
        title={editing === 'new' ? t('messaging.templates.new') : editing?.name}
        destroyOnClose
      >
        {editing !== null && (
          <TemplateEditor
            template={editing === 'new' ? null : editing}
            readOnly={!manage}
            onSaved={(tpl) => setEditing(tpl)}
          />
        )}
      </Drawer>
      {sending && <SendDialog template={sending} onClose={() => setSending(null)} />}
    </div>
  );
}

function SendDialog({ template, onClose }: { template: Template; onClose: () => void }) {
  const { t } = useTranslation();
  const segments = useSegments();
  const [form] = Form.useForm();
  const [run, setRun] = useState<BulkSend | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [key] = useState(() => `web:${template.id}:${Date.now()}`);
  const extra = template.variables.filter(
    (v) => !['name', 'customer.name', 'owner.name'].includes(v) && !v.startsWith('profile.'),
  );
  useEffect(() => {
    if (!run || run.status === 'done') return;
    const h = setTimeout(
      () =>
        bulkSendProgress(run.id)
          .then(setRun)
          .catch(() => undefined),
      800,
    );
    return () => clearTimeout(h);
  }, [run]);
  const go = async (v: any) => {
    setError(null);
    try {
      setRun(
        await startBulkSend({
          templateId: template.id,
          segmentId: v.segmentId,
          purpose: v.purpose,
          variables: Object.fromEntries(extra.map((n) => [n, v[`var_${n}`] ?? ''])),
          idempotencyKey: key,
        }),
      );
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const pct = run
    ? run.total
      ? Math.round((run.processed / run.total) * 100)
      : run.status === 'done'
        ? 100
        : 0
    : 0;
  return (
    <Modal
      open
      title={t('messaging.templates.sendTitle', { name: template.name })}
      onCancel={onClose}
      footer={
        run ? (
          <Button onClick={onClose}>
            {run.status === 'done' ? t('messaging.templates.sendDone') : 'OK'}
          </Button>
        ) : (
          <Button type="primary" onClick={() => form.submit()} data-testid="bulk-send-go">
            {t('messaging.templates.sendGo')}
          </Button>
        )
      }
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      {run ? (
        <div data-testid="bulk-send-progress" data-status={run.status}>
          <Progress percent={pct} status={run.status === 'done' ? 'success' : 'active'} />
          <Typography.Text>{t('messaging.templates.sendProgress', { ...run })}</Typography.Text>
        </div>
      ) : (
        <Form form={form} layout="vertical" onFinish={go} initialValues={{ purpose: 'marketing' }}>
          <Form.Item
            name="segmentId"
            label={t('messaging.templates.sendSegment')}
            rules={[{ required: true }]}
          >
            <Select
              showSearch
              optionFilterProp="label"
              data-testid="bulk-send-segment"
              options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
          <Form.Item name="purpose" label={t('messaging.templates.sendPurpose')}>
            <Radio.Group
              options={[
                { value: 'marketing', label: t('messaging.purposes.marketing') },
                { value: 'service', label: t('messaging.purposes.service') },
              ]}
            />
          </Form.Item>
          {extra.length > 0 && (
            <Typography.Text strong>{t('messaging.templates.sendVariables')}</Typography.Text>
          )}
          {extra.map((n) => (
            <Form.Item key={n} name={`var_${n}`} label={`{{${n}}}`} rules={[{ required: true }]}>
              <Input />
            </Form.Item>
          ))}
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('messaging.templates.sendHelp')}
          </Typography.Paragraph>
        </Form>
      )}
    </Modal>
  );
}

function TemplateEditor(props: {
  template: Template | null;
  readOnly: boolean;
  onSaved: (t: Template) => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<TemplateInput>();
  const save = useSaveTemplate();
  const segments = useSegments();
  const channel: Channel = Form.useWatch('channel', form) ?? props.template?.channel ?? 'sms';
  const bodyRef = useRef<TextAreaRef>(null);
  const [error, setError] = useState<string | null>(null);
  const insert = (name: string) => {
    const el = bodyRef.current?.resizableTextArea?.textArea;
    const cur: string = form.getFieldValue('body') ?? '';
    const at = el ? el.selectionStart : cur.length;
    const token = `{{${name}}}`;
    form.setFieldValue('body', cur.slice(0, at) + token + cur.slice(el ? el.selectionEnd : at));
    requestAnimationFrame(() => {
      el?.focus();
      el?.setSelectionRange(at + token.length, at + token.length);
    });
  };
  const submit = async (v: TemplateInput) => {
    setError(null);
    try {
      const saved = await save.mutateAsync({
        id: props.template?.id,
        input: {
          ...v,
          subject: channel === 'email' ? v.subject || null : null,
          providerCode: channel === 'sms' ? v.providerCode || null : null,
          url: v.url || null,
          variants: (v.variants ?? []).map((x) => ({
            ...x,
            subject: channel === 'email' ? x.subject || null : null,
          })),
        },
      });
      message.success(t('messaging.templates.saved'));
      props.onSaved(saved);
    } catch (e) {
      if (e instanceof ApiError && e.problem.errors?.length)
        form.setFields(
          e.problem.errors.map((f) => ({
            name: f.field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p)) as any,
            errors: [f.message ?? f.code],
          })),
        );
      setError(errorMessage(e));
    }
  };
  return (
    <Row gutter={24}>
      <Col xs={24} md={13}>
        <Form<TemplateInput>
          form={form}
          layout="vertical"
          disabled={props.readOnly}
          initialValues={props.template ?? { channel: 'sms', variants: [] }}
          onFinish={submit}
        >
          {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
          <Form.Item
            name="name"
            label={t('messaging.templates.fields.name')}
            rules={[{ required: true, max: 100 }]}
          >
            <Input autoFocus />
          </Form.Item>
          <Form.Item
            name="channel"
            label={t('messaging.templates.fields.channel')}
            rules={[{ required: true }]}
          >
            <Select
              options={TEMPLATE_CHANNELS.map((c) => ({ value: c, label: t(`messaging.channels.${c}`) }))}
            />
          </Form.Item>
          {channel === 'email' && (
            <Form.Item
              name="subject"
              label={t('messaging.templates.fields.subject')}
              rules={[{ required: true, max: 200 }]}
            >
              <Input />
            </Form.Item>
          )}
          <Form.Item
            label={
              <Space>
                {t('messaging.templates.fields.body')}
                <Dropdown
                  menu={{
                    items: VARIABLES.map((v) => ({
                      key: v,
                      label: `${t(`messaging.templates.variables.${v}`)} {{${v}}}`,
                    })),
                    onClick: ({ key }) => insert(key),
                  }}
                  disabled={props.readOnly}
                >
                  <Button size="small" type="dashed">
                    {t('messaging.templates.insertVariable')}
                  </Button>
                </Dropdown>
              </Space>
            }
            extra={t('messaging.templates.bodyHelp')}
          >
            <Form.Item name="body" noStyle rules={[{ required: true, max: 4000 }]}>
              <Input.TextArea
                ref={bodyRef}
                autoSize={{ minRows: 4, maxRows: 12 }}
                showCount
                maxLength={4000}
              />
            </Form.Item>
          </Form.Item>
          <Form.Item name="url" label={t('messaging.templates.fields.url')} rules={[{ type: 'url' }]}>
            <Input placeholder="https://" inputMode="url" />
          </Form.Item>
          {channel === 'sms' && (
            <Form.Item name="providerCode" label={t('messaging.templates.fields.providerCode')}>
              <Input placeholder="SMS_123456789" />
            </Form.Item>
          )}
          <Typography.Text strong>{t('messaging.templates.fields.variants')}</Typography.Text>
          <Form.List name="variants">
            {(fields, { add, remove }) => (
              <>
                {fields.map((f) => (
                  <Card
                    key={f.key}
                    size="small"
                    style={{ margin: '8px 0' }}
                    extra={
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => remove(f.name)}
                        aria-label={t('messaging.templates.del')}
                      />
                    }
                    title={
                      <Form.Item name={[f.name, 'segmentId']} noStyle rules={[{ required: true }]}>
                        <Select
                          style={{ minWidth: 200 }}
                          placeholder={t('messaging.templates.fields.segment')}
                          options={(segments.data?.items ?? []).map((s) => ({ value: s.id, label: s.name }))}
                          showSearch
                          optionFilterProp="label"
                        />
                      </Form.Item>
                    }
                  >
                    {channel === 'email' && (
                      <Form.Item name={[f.name, 'subject']} label={t('messaging.templates.fields.subject')}>
                        <Input />
                      </Form.Item>
                    )}
                    <Form.Item
                      name={[f.name, 'body']}
                      rules={[{ required: true, max: 4000 }]}
                      style={{ marginBottom: 0 }}
                    >
                      <Input.TextArea autoSize={{ minRows: 2, maxRows: 8 }} />
                    </Form.Item>
                  </Card>
                ))}
                <Button
                  type="dashed"
                  block
                  icon={<PlusOutlined />}
                  onClick={() => add({ body: '' })}
                  style={{ margin: '8px 0 16px' }}
                >
                  {t('messaging.templates.fields.addVariant')}
                </Button>
              </>
            )}
          </Form.List>
          {!props.readOnly && (
            <Button type="primary" htmlType="submit" loading={save.isPending} block>
              {t('messaging.settings.save')}
            </Button>
          )}
        </Form>
      </Col>
      <Col xs={24} md={11}>
        <PreviewPanel template={props.template} />
      </Col>
    </Row>
  );
}

function PreviewPanel({ template }: { template: Template | null }) {
  const { t } = useTranslation();
  const [profiles, setProfiles] = useState<ProfileOption[]>([]);
  const [profileId, setProfileId] = useState<string | null>(null);
  const [variant, setVariant] = useState<string>('auto');
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const segments = useSegments();
  const search = (q: string) =>
    searchProfiles(q)
      .then((r) => setProfiles(r.items))
      .catch(() => setProfiles([]));
  // biome-ignore lint/correctness/useExhaustiveDependencies: load the first profiles once
  useEffect(() => {
    search('');
  }, []);
  // biome-ignore lint/correctness/useExhaustiveDependencies: re-render when the choice or the saved template changes
  useEffect(() => {
    if (!template || !profileId) return;
    setLoading(true);
    setError(null);
    previewTemplate(template.id, {
      profileId,
      ...(variant === 'auto' ? {} : { segmentId: variant === 'default' ? null : variant }),
    })
      .then(setPreview)
      .catch((e) => {
        setPreview(null);
        const missing =
          e instanceof ApiError
            ? (e.problem.errors ?? [])
                .filter((x) => x.field.startsWith('variables.'))
                .map((x) => x.field.slice(10))
            : [];
        setError(
          missing.length
            ? t('messaging.templates.missingVariable', { names: missing.join(', ') })
            : errorMessage(e),
        );
      })
      .finally(() => setLoading(false));
  }, [template?.id, template?.updatedAt, profileId, variant]);
  if (!template)
    return (
      <Card size="small" title={t('messaging.templates.preview')}>
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('messaging.templates.saveFirst')} />
      </Card>
    );
  return (
    <Card size="small" title={t('messaging.templates.preview')} data-testid="template-preview">
      <Space direction="vertical" style={{ width: '100%' }}>
        <Select
          showSearch
          allowClear
          style={{ width: '100%' }}
          aria-label={t('messaging.templates.previewAs')}
          placeholder={t('messaging.templates.previewAsHint')}
          filterOption={false}
          onSearch={search}
          value={profileId}
          onChange={(v) => setProfileId(v ?? null)}
          options={profiles.map((p) => ({ value: p.id, label: `${p.name ?? '—'} ${p.identities[0] ?? ''}` }))}
        />
        {(template.variants ?? []).length > 0 && (
          <Select
            style={{ width: '100%' }}
            aria-label={t('messaging.templates.previewVariant')}
            value={variant}
            onChange={setVariant}
            options={[
              { value: 'auto', label: t('messaging.templates.variantAuto') },
              { value: 'default', label: t('messaging.templates.variantDefault') },
              ...(template.variants ?? []).map((v) => ({
                value: v.segmentId,
                label: segments.data?.items.find((s) => s.id === v.segmentId)?.name ?? v.segmentId,
              })),
            ]}
          />
        )}
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t('messaging.templates.previewMasked')}
        </Typography.Text>
        {error && <Alert type="warning" showIcon message={error} />}
        <Spin spinning={loading}>
          {!preview ? (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('messaging.templates.previewEmpty')} />
          ) : preview.html ? (
            <>
              <Typography.Text strong>{preview.subject}</Typography.Text>
              <iframe
                title={t('messaging.templates.preview')}
                sandbox=""
                srcDoc={preview.html}
                style={{
                  width: '100%',
                  height: 360,
                  border: '1px solid #f0f0f0',
                  borderRadius: 8,
                  marginTop: 8,
                }}
              />
            </>
          ) : (
            <div style={{ background: '#f5f5f5', borderRadius: 12, padding: 12, whiteSpace: 'pre-wrap' }}>
              {preview.subject && (
                <div>
                  <strong>{preview.subject}</strong>
                </div>
              )}
              {preview.text}
              {preview.url && <div style={{ color: '#1677ff', wordBreak: 'break-all' }}>{preview.url}</div>}
            </div>
          )}
        </Spin>
      </Space>
    </Card>
  );
}
