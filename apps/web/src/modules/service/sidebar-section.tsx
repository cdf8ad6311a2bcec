import { PlusOutlined } from '@ant-design/icons';
import type { SidebarTicketInput } from '@kehu/contracts/service';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Empty, Form, Input, List, Select, Skeleton, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import type { SidebarSectionProps } from '../../app/web-modules';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { CategoryFieldItems } from './category-fields';
import { type TicketDetail, type TicketSummary, useCategories } from './service-api';
import { SlaBadge } from './sla-badge';

const newKey = () => globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random()}`;

/**
 * 工单 in the WeCom chat sidebar: the open tickets of the customer in the chat with their SLA
 * badge, and filing one for them (channel 企微侧边栏, their contact and member tier attached by
 * the server). Single chats only; the server applies the sidebar's access rule.
 */
export function ServiceSidebarSection({ chat }: SidebarSectionProps) {
  const { t } = useTranslation();
  const { can } = useSession();
  const ext = chat.kind === 'single' ? chat.externalUserId : null;
  const [filing, setFiling] = useState(false);
  const tickets = useQuery({
    queryKey: ['service', 'sidebar', ext],
    queryFn: () =>
      http.get<{ items: TicketSummary[] }>(`/service/sidebar/${encodeURIComponent(ext!)}/tickets`),
    enabled: !!ext && can('service:read'),
  });
  if (!ext) return <Empty description={t('service.sidebar.singleOnly')} />;
  if (!can('service:read')) return <Empty description={t('service.sidebar.noAccess')} />;
  const mayFile = can('service:handle');
  return (
    <div data-testid="service-sidebar">
      {filing ? (
        <SidebarTicketForm externalUserId={ext} onDone={() => setFiling(false)} />
      ) : (
        mayFile && (
          <Button
            type="primary"
            block
            icon={<PlusOutlined />}
            onClick={() => setFiling(true)}
            data-testid="sidebar-ticket-new"
            style={{ marginBottom: 12 }}
          >
            {t('service.sidebar.new')}
          </Button>
        )
      )}
      <Typography.Text strong>{t('service.sidebar.openTickets')}</Typography.Text>
      {tickets.isPending ? (
        <Skeleton active paragraph={{ rows: 3 }} />
      ) : tickets.error ? (
        <ErrorResult error={tickets.error} onRetry={() => tickets.refetch()} />
      ) : (
        <List
          size="small"
          dataSource={tickets.data?.items ?? []}
          locale={{
            emptyText: (
              <Empty
                image={Empty.PRESENTED_IMAGE_SIMPLE}
                description={mayFile ? t('service.sidebar.empty') : t('service.sidebar.emptyReadOnly')}
              />
            ),
          }}
          renderItem={(x) => (
            <List.Item data-testid="sidebar-ticket">
              <Space direction="vertical" size={2} style={{ width: '100%' }}>
                <Typography.Link href={`/service/tickets/${x.id}`} target="_blank">
                  {x.number} {x.subject}
                </Typography.Link>
                <Space size={4} wrap>
                  <Tag>{t(`service.statuses.${x.status}`)}</Tag>
                  {x.kind === 'complaint' && <Tag color="red">{t('service.kinds.complaint')}</Tag>}
                  <SlaBadge clock={x.sla} withTarget />
                </Space>
                {x.assigneeName && (
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {t('service.columns.assignee')}：{x.assigneeName}
                  </Typography.Text>
                )}
              </Space>
            </List.Item>
          )}
        />
      )}
    </div>
  );
}

function SidebarTicketForm({ externalUserId, onDone }: { externalUserId: string; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const cats = useCategories();
  const [form] = Form.useForm();
  const [key] = useState(newKey);
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const catKey = Form.useWatch('categoryKey', form);
  const categories = (cats.data?.items ?? []).filter((c) => c.active);
  const cat = categories.find((c) => c.key === catKey);
  const submit = async (v: any) => {
    setSaving(true);
    setError(null);
    try {
      const body: SidebarTicketInput = {
        subject: v.subject,
        description: v.description ?? '',
        categoryKey: v.categoryKey,
        priority: v.priority,
        form: v.form ?? {},
        idempotencyKey: key,
      };
      const d = await http.post<TicketDetail>(
        `/service/sidebar/${encodeURIComponent(externalUserId)}/tickets`,
        body,
      );
      message.success(t('service.created', { number: d.number }));
      await qc.invalidateQueries({ queryKey: ['service'] });
      onDone();
    } catch (e) {
      setError(errorMessage(e));
      const fe = (e as any)?.problem?.errors as { field: string; message?: string }[] | undefined;
      if (fe) form.setFields(fe.map((x) => ({ name: x.field.split('.'), errors: [x.message ?? x.field] })));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Form
      form={form}
      layout="vertical"
      onFinish={submit}
      initialValues={{ priority: 'normal', categoryKey: 'general' }}
      data-testid="sidebar-ticket-form"
      style={{ marginBottom: 16 }}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form.Item name="categoryKey" label={t('service.fields.category')} rules={[{ required: true }]}>
        <Select
          data-testid="sidebar-ticket-category"
          options={[
            ...(categories.some((c) => c.key === 'general')
              ? []
              : [{ value: 'general', label: t('service.sidebar.general') }]),
            ...categories.map((c) => ({ value: c.key, label: c.name })),
          ]}
        />
      </Form.Item>
      <Form.Item name="subject" label={t('service.fields.subject')} rules={[{ required: true, max: 200 }]}>
        <Input data-testid="sidebar-ticket-subject" />
      </Form.Item>
      <Form.Item name="description" label={t('service.fields.description')}>
        <Input.TextArea rows={3} maxLength={10000} />
      </Form.Item>
      <CategoryFieldItems category={cat} />
      <Form.Item name="priority" label={t('service.fields.priority')}>
        <Select
          options={['low', 'normal', 'high', 'urgent'].map((p) => ({
            value: p,
            label: t(`service.priorities.${p}`),
          }))}
        />
      </Form.Item>
      <Space>
        <Button type="primary" htmlType="submit" loading={saving} data-testid="sidebar-ticket-submit">
          {t('service.create')}
        </Button>
        <Button onClick={onDone}>{t('service.sidebar.cancel')}</Button>
      </Space>
    </Form>
  );
}
