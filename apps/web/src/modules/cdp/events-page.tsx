import { EditOutlined, MinusCircleOutlined, PlusOutlined, UndoOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Form,
  Input,
  Modal,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import {
  type CatalogueEntry,
  EVENT_KINDS,
  type EventKind,
  pickLabel,
  useEventCatalogue,
  useEventProperties,
} from './cdp-api';
import { cdpKeys } from './cdp-keys';

// The event catalogue (issue 9 §3): names people read for the events and properties sources send.

const KIND_COLORS: Record<EventKind, string> = { page: 'cyan', event: 'blue', crm: 'purple' };

interface FormValues {
  name: string;
  kind: EventKind;
  zh?: string;
  en?: string;
  description?: string;
  properties?: { key: string; zh?: string; en?: string }[];
}

function EntryEditor({ entry, onClose }: { entry: CatalogueEntry | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<FormValues>();
  const editing = entry && entry !== 'new' ? entry : null;
  const received = useEventProperties(editing?.name);
  const save = useMutation({
    mutationFn: (v: FormValues) =>
      http.put<CatalogueEntry>('/cdp/event-catalogue', {
        name: v.name,
        kind: v.kind,
        label: { 'zh-CN': v.zh ?? '', 'en-US': v.en ?? '' },
        description: v.description || null,
        properties: Object.fromEntries(
          (v.properties ?? [])
            .filter((p) => p.key?.trim())
            .map((p) => [p.key.trim(), { 'zh-CN': p.zh ?? '', 'en-US': p.en ?? '' }]),
        ),
      }),
    onSuccess: () => {
      message.success(t('cdp.catalogue.saved'));
      void qc.invalidateQueries({ queryKey: cdpKeys.all });
      onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  // Properties named for this event, then the ones it was sent with (to name in place).
  const initial = useMemo<FormValues>(() => {
    const named = editing?.properties ?? [];
    const seen = (received.data?.items ?? []).filter((p) => !named.some((n) => n.key === p.key));
    return {
      name: editing?.name ?? '',
      kind: editing?.kind ?? 'event',
      zh: editing?.label['zh-CN'] ?? '',
      en: editing?.label['en-US'] ?? '',
      description: editing?.description ?? '',
      properties: [
        ...named.map((p) => ({ key: p.key, zh: p.label['zh-CN'] ?? '', en: p.label['en-US'] ?? '' })),
        ...seen.slice(0, 20).map((p) => ({ key: p.key, zh: '', en: '' })),
      ],
    };
  }, [editing, received.data]);
  const open = entry !== null;
  return (
    <Modal
      open={open}
      destroyOnHidden
      title={editing ? `${t('cdp.catalogue.edit')} · ${editing.displayName}` : t('cdp.catalogue.add')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={save.isPending}
      width={640}
      okButtonProps={{ 'data-testid': 'catalogue-save' } as Record<string, string>}
    >
      {/* Re-mounted once the event's received properties arrive, so they are offered for naming. */}
      <Form
        key={`${editing?.name ?? 'new'}:${received.isSuccess}`}
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item
          name="name"
          label={t('cdp.catalogue.rawName')}
          rules={[{ required: true, whitespace: true, message: t('cdp.catalogue.nameRequired') }]}
        >
          <Input disabled={!!editing} maxLength={200} data-testid="catalogue-name" />
        </Form.Item>
        <Space wrap style={{ width: '100%' }} align="start">
          <Form.Item name="zh" label={t('cdp.catalogue.labelZh')}>
            <Input maxLength={100} style={{ width: 200 }} data-testid="catalogue-zh" />
          </Form.Item>
          <Form.Item name="en" label={t('cdp.catalogue.labelEn')}>
            <Input maxLength={100} style={{ width: 200 }} data-testid="catalogue-en" />
          </Form.Item>
          <Form.Item name="kind" label={t('cdp.catalogue.kind')}>
            <Select
              style={{ width: 160 }}
              options={EVENT_KINDS.map((k) => ({ value: k, label: t(`cdp.picker.${k}`) }))}
            />
          </Form.Item>
        </Space>
        <Form.Item name="description" label={t('cdp.catalogue.description')}>
          <Input.TextArea rows={2} maxLength={500} />
        </Form.Item>
        <Typography.Text strong>{t('cdp.catalogue.properties')}</Typography.Text>
        <Form.List name="properties">
          {(fields, { add, remove }) => (
            <div style={{ marginTop: 8 }}>
              {fields.map((f) => (
                <Space key={f.key} wrap align="baseline" data-testid="catalogue-prop">
                  <Form.Item name={[f.name, 'key']} noStyle>
                    <Input placeholder={t('cdp.catalogue.propKey')} style={{ width: 140 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'zh']} noStyle>
                    <Input placeholder={t('cdp.catalogue.labelZh')} style={{ width: 140 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'en']} noStyle>
                    <Input placeholder={t('cdp.catalogue.labelEn')} style={{ width: 140 }} />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} aria-label={t('cdp.rule.remove')} />
                </Space>
              ))}
              <Button
                type="dashed"
                size="small"
                icon={<PlusOutlined />}
                onClick={() => add({ key: '', zh: '', en: '' })}
                style={{ marginTop: 8 }}
              >
                {t('cdp.catalogue.addProp')}
              </Button>
            </div>
          )}
        </Form.List>
      </Form>
    </Modal>
  );
}

/** Events and properties with the names people read; managers edit them (CDP settings). */
export function EventsPage() {
  const { t, i18n } = useTranslation();
  const { message, modal } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const cat = useEventCatalogue();
  const [kind, setKind] = useState<'all' | EventKind>('all');
  const [q, setQ] = useState('');
  const [editing, setEditing] = useState<CatalogueEntry | 'new' | null>(null);
  const reset = useMutation({
    mutationFn: (name: string) => http.del(`/cdp/event-catalogue?name=${encodeURIComponent(name)}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: cdpKeys.all }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const label = (e: CatalogueEntry) => pickLabel(e.label, i18n.language, e.name);
  const items = (cat.data?.items ?? []).filter(
    (e) =>
      (kind === 'all' || e.kind === kind) &&
      (!q.trim() || `${label(e)} ${e.name}`.toLowerCase().includes(q.trim().toLowerCase())),
  );
  return (
    <div className="kehu-page" data-testid="cdp-events">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cdp.catalogue.title')}
        </Typography.Title>
        <PermissionButton
          allowed={can('cdp:manage')}
          need={t('cdp.perm.events')}
          type="primary"
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
          data-testid="catalogue-new"
        >
          {t('cdp.catalogue.add')}
        </PermissionButton>
      </div>
      <Typography.Paragraph type="secondary">{t('cdp.catalogue.hint')}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          value={kind}
          onChange={(v) => setKind(v as typeof kind)}
          options={[
            { value: 'all', label: t('cdp.catalogue.all') },
            ...EVENT_KINDS.map((k) => ({ value: k, label: t(`cdp.picker.${k}`) })),
          ]}
          data-testid="catalogue-kind"
        />
        <Input.Search
          allowClear
          placeholder={t('cdp.catalogue.search')}
          onChange={(e) => setQ(e.target.value)}
          style={{ width: 200 }}
        />
      </Space>
      {cat.error ? (
        <ErrorResult error={cat.error} onRetry={() => cat.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="name"
            size="small"
            loading={cat.isPending}
            dataSource={items}
            pagination={{ pageSize: 50, hideOnSinglePage: true }}
            scroll={{ x: 'max-content' }}
            onRow={(e) => ({ 'data-testid': 'catalogue-row', 'data-event': e.name }) as object}
            columns={[
              {
                title: t('cdp.catalogue.event'),
                key: 'name',
                render: (_: unknown, e: CatalogueEntry) => (
                  <Space direction="vertical" size={0}>
                    <Typography.Text strong data-testid="catalogue-label">
                      {label(e)}
                    </Typography.Text>
                    {label(e) !== e.name && (
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {e.name}
                      </Typography.Text>
                    )}
                  </Space>
                ),
              },
              {
                title: t('cdp.catalogue.kind'),
                key: 'kind',
                render: (_: unknown, e: CatalogueEntry) => (
                  <Space size={2} wrap>
                    <Tag color={KIND_COLORS[e.kind]}>{t(`cdp.picker.${e.kind}`)}</Tag>
                    {e.edited ? (
                      <Tag color="gold">{t('cdp.catalogue.edited')}</Tag>
                    ) : e.standard ? (
                      <Tag>{t('cdp.catalogue.standard')}</Tag>
                    ) : null}
                  </Space>
                ),
              },
              {
                title: t('cdp.catalogue.description'),
                dataIndex: 'description',
                responsive: ['md' as const],
                render: (d: string | null) => d ?? '—',
              },
              {
                title: t('cdp.catalogue.properties'),
                key: 'props',
                responsive: ['lg' as const],
                render: (_: unknown, e: CatalogueEntry) =>
                  e.properties.length
                    ? e.properties.map((p) => (
                        <Tag key={p.key}>
                          {pickLabel(p.label, i18n.language, p.key)} · {p.key}
                        </Tag>
                      ))
                    : '—',
              },
              {
                title: t('cdp.catalogue.count'),
                dataIndex: 'count',
                align: 'right' as const,
                render: (n: number) => (n ? n.toLocaleString(i18n.language) : t('cdp.catalogue.never')),
              },
              {
                title: '',
                key: 'actions',
                render: (_: unknown, e: CatalogueEntry) => (
                  <Space size={4}>
                    <PermissionButton
                      allowed={can('cdp:manage')}
                      need={t('cdp.perm.events')}
                      size="small"
                      icon={<EditOutlined />}
                      onClick={() => setEditing(e)}
                      data-testid="catalogue-edit"
                    >
                      {t('cdp.catalogue.edit')}
                    </PermissionButton>
                    {e.edited && can('cdp:manage') && (
                      <Button
                        size="small"
                        icon={<UndoOutlined />}
                        onClick={() =>
                          modal.confirm({
                            title: t(
                              e.standard ? 'cdp.catalogue.resetConfirm' : 'cdp.catalogue.removeConfirm',
                              {
                                name: label(e),
                              },
                            ),
                            onOk: () => reset.mutateAsync(e.name),
                          })
                        }
                      >
                        {t(e.standard ? 'cdp.catalogue.reset' : 'cdp.catalogue.removeOwn')}
                      </Button>
                    )}
                  </Space>
                ),
              },
            ]}
          />
        </Card>
      )}
      <EntryEditor entry={editing} onClose={() => setEditing(null)} />
    </div>
  );
}
