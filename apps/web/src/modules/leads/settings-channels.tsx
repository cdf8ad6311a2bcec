import { PlusOutlined } from '@ant-design/icons';
import type { AssignmentRules, LeadChannels, LeadForms } from '@kehu/contracts/leads';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, Modal, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { useLeadOptionLabel } from './leads-api';
import { leadsKeys } from './leads-keys';
import { FORM_FIELDS, useChannelOptions, useSave } from './settings-shared';

// Intake channels and the web forms that feed them.

export function ChannelsTab() {
  const { t } = useTranslation();
  const channelOptions = useChannelOptions();
  const opt = useLeadOptionLabel();
  const channels = useQuery({
    queryKey: leadsKeys.settings.channels(),
    queryFn: () => http.get<LeadChannels>('/leads/channels'),
  });
  const rules = useQuery({
    queryKey: leadsKeys.settings.rules(),
    queryFn: () => http.get<AssignmentRules>('/leads/rules'),
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const create = useSave((v: any) => http.post('/leads/channels', v), [leadsKeys.settings.channels()]);
  return (
    <Card
      size="small"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="channel-add">
          {t('leads.common.add')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={channels.data?.items ?? []}
        scroll={{ x: 560 }}
        columns={[
          {
            title: t('leads.settings.code'),
            dataIndex: 'code',
            render: (v) => (
              <Typography.Text code copyable>
                {v}
              </Typography.Text>
            ),
          },
          { title: t('leads.settings.name'), dataIndex: 'name' },
          { title: t('leads.settings.channel'), dataIndex: 'channel', render: (v) => opt('channel', v) },
          { title: t('leads.settings.campaign'), dataIndex: 'campaign' },
          {
            title: t('leads.settings.tags'),
            render: (_, r) => r.defaultTags.map((x: string) => <Tag key={x}>{x}</Tag>),
          },
          {
            title: t('leads.settings.ruleForce'),
            render: (_, r) => rules.data?.items.find((x) => x.id === r.ruleId)?.name ?? '—',
          },
        ]}
      />
      <Modal
        open={open}
        title={t('leads.settings.tabs.channels')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ channel: 'wecom' }}
          onFinish={(v) => create.mutate(v, { onSuccess: () => setOpen(false) })}
        >
          <Form.Item
            name="code"
            label={t('leads.settings.code')}
            rules={[{ required: true, pattern: /^[\w.-]{1,64}$/ }]}
          >
            <Input />
          </Form.Item>
          <Form.Item name="name" label={t('leads.settings.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="channel" label={t('leads.settings.channel')}>
            <Select options={channelOptions} />
          </Form.Item>
          <Form.Item name="campaign" label={t('leads.settings.campaign')}>
            <Input />
          </Form.Item>
          <Form.Item name="defaultTags" label={t('leads.settings.tags')}>
            <Select mode="tags" />
          </Form.Item>
          <Form.Item name="ruleId" label={t('leads.settings.ruleForce')}>
            <Select
              allowClear
              options={(rules.data?.items ?? []).map((r) => ({ value: r.id, label: r.name }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}

export function FormsTab() {
  const { t } = useTranslation();
  const forms = useQuery({
    queryKey: leadsKeys.settings.forms(),
    queryFn: () => http.get<LeadForms>('/leads/forms'),
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const create = useSave(
    (v: any) =>
      http.post('/leads/forms', {
        name: v.name,
        fields: (v.fields as string[]).map((f) => ({ field: f, required: f === 'name' || f === 'phone' })),
        thankYou: v.thankYou ? { 'zh-CN': v.thankYou, 'en-US': v.thankYou } : null,
      }),
    [leadsKeys.settings.forms()],
  );
  const snippet = (key: string) =>
    `<form id="kehu-lead">…<input name="website" style="display:none" tabindex="-1" autocomplete="off"></form>
<script>document.getElementById('kehu-lead').onsubmit=async(e)=>{e.preventDefault();
const d=Object.fromEntries(new FormData(e.target));
await fetch('${location.origin}/api/v1/public/forms/${key}/leads',{method:'POST',headers:{'content-type':'text/plain'},body:JSON.stringify(d)});};</script>`;
  return (
    <Card
      size="small"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)}>
          {t('leads.common.add')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={forms.data?.items ?? []}
        scroll={{ x: 560 }}
        expandable={{
          expandedRowRender: (r) => (
            <Typography.Paragraph copyable={{ text: snippet(r.formKey) }} style={{ marginBottom: 0 }}>
              <pre style={{ whiteSpace: 'pre-wrap', fontSize: 12, margin: 0 }}>{snippet(r.formKey)}</pre>
            </Typography.Paragraph>
          ),
        }}
        columns={[
          { title: t('leads.settings.name'), dataIndex: 'name' },
          {
            title: t('leads.settings.formKey'),
            dataIndex: 'formKey',
            render: (v) => (
              <Typography.Text code copyable ellipsis style={{ maxWidth: 220 }}>
                {v}
              </Typography.Text>
            ),
          },
          {
            title: t('leads.settings.fields'),
            render: (_, r) => r.fields.map((f: any) => <Tag key={f.field}>{f.field}</Tag>),
          },
          { title: t('leads.common.enabled'), render: (_, r) => (r.enabled ? '✓' : '—') },
        ]}
      />
      <Modal
        open={open}
        title={t('leads.settings.tabs.forms')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ fields: ['name', 'phone', 'company'] }}
          onFinish={(v) => create.mutate(v, { onSuccess: () => setOpen(false) })}
        >
          <Form.Item name="name" label={t('leads.settings.name')} rules={[{ required: true }]}>
            <Input />
          </Form.Item>
          <Form.Item name="fields" label={t('leads.settings.fields')} rules={[{ required: true }]}>
            <Select mode="multiple" options={FORM_FIELDS.map((f) => ({ value: f, label: f }))} />
          </Form.Item>
          <Form.Item name="thankYou" label={t('leads.settings.thankYou')}>
            <Input />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
