import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { AssignmentRules } from '@kehu/contracts/leads';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, Input, InputNumber, Modal, Select, Switch, Table, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { UserSelect, useUserNames } from '../../records/user-select';
import { http } from '../../shared/api-client';
import { useLeadOptionLabel } from './leads-api';
import { leadsKeys } from './leads-keys';
import { useChannelOptions, useSave } from './settings-shared';

// Assignment rules: which leads go to whom.

export function RulesTab() {
  const { t } = useTranslation();
  const names = useUserNames();
  const channelOptions = useChannelOptions();
  const opt = useLeadOptionLabel();
  const rules = useQuery({
    queryKey: leadsKeys.settings.rules(),
    queryFn: () => http.get<AssignmentRules>('/leads/rules'),
  });
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm();
  const create = useSave(
    (v: any) =>
      http.post('/leads/rules', {
        name: v.name,
        strategy: v.strategy,
        members: (v.members ?? []).map((userId: string) => ({ userId })),
        conditions: {
          ...(v.regionPrefixes?.length ? { regionPrefixes: v.regionPrefixes } : {}),
          ...(v.channels?.length ? { channels: v.channels } : {}),
          ...(v.scoreMin !== undefined && v.scoreMin !== null ? { scoreMin: v.scoreMin } : {}),
        },
      }),
    [leadsKeys.settings.rules()],
  );
  const patch = useSave(
    (v: { id: string; body: any }) => http.patch(`/leads/rules/${v.id}`, v.body),
    [leadsKeys.settings.rules()],
  );
  const del = useSave((id: string) => http.del(`/leads/rules/${id}`), [leadsKeys.settings.rules()]);
  const cond = (c: any) => {
    const parts = [
      ...(c.regionPrefixes ?? []).map((p: string) => `${t('leads.settings.region')} ${p}*`),
      ...(c.channels ?? []).map((x: string) => opt('channel', x)),
      ...(c.industries ?? []),
      ...(c.scoreMin !== undefined && c.scoreMin !== null ? [`≥${c.scoreMin}`] : []),
      ...(c.scoreMax !== undefined && c.scoreMax !== null ? [`≤${c.scoreMax}`] : []),
    ];
    return parts.length ? (
      parts.map((p) => <Tag key={p}>{p}</Tag>)
    ) : (
      <Tag>{t('leads.settings.anyCondition')}</Tag>
    );
  };
  return (
    <Card
      size="small"
      extra={
        <Button icon={<PlusOutlined />} onClick={() => setOpen(true)} data-testid="rule-add">
          {t('leads.common.add')}
        </Button>
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        loading={rules.isPending}
        dataSource={rules.data?.items ?? []}
        scroll={{ x: 640 }}
        columns={[
          { title: '#', width: 50, render: (_, __, i) => i + 1 },
          { title: t('leads.settings.rule'), dataIndex: 'name' },
          { title: t('leads.settings.conditions'), render: (_, r) => cond(r.conditions) },
          {
            title: t('leads.settings.strategy'),
            render: (_, r) => t(`leads.settings.strategies.${r.strategy}`),
          },
          {
            title: t('leads.settings.members'),
            render: (_, r) =>
              r.members.map((m: any) => (
                <Tag key={m.userId}>{names.get(m.userId) ?? m.userId.slice(0, 8)}</Tag>
              )),
          },
          {
            title: t('leads.common.enabled'),
            width: 80,
            render: (_, r) => (
              <Switch
                size="small"
                checked={r.enabled}
                onChange={(v) => patch.mutate({ id: r.id, body: { enabled: v } })}
              />
            ),
          },
          {
            width: 50,
            render: (_, r) => (
              <Button
                type="text"
                danger
                icon={<DeleteOutlined />}
                onClick={() => del.mutate(r.id)}
                aria-label={t('leads.common.delete')}
              />
            ),
          },
        ]}
      />
      <Modal
        open={open}
        title={t('leads.settings.rule')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          initialValues={{ strategy: 'round_robin' }}
          onFinish={(v) => create.mutate(v, { onSuccess: () => setOpen(false) })}
        >
          <Form.Item name="name" label={t('leads.settings.name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="regionPrefixes" label={t('leads.settings.regionPrefixes')}>
            <Select mode="tags" tokenSeparators={[',', ' ']} placeholder="31, 3301" />
          </Form.Item>
          <Form.Item name="channels" label={t('leads.settings.channels')}>
            <Select mode="multiple" options={channelOptions} />
          </Form.Item>
          <Form.Item name="scoreMin" label={t('leads.settings.scoreMin')}>
            <InputNumber min={0} max={100} />
          </Form.Item>
          <Form.Item name="strategy" label={t('leads.settings.strategy')}>
            <Select
              options={['round_robin', 'weighted', 'least_loaded', 'fixed'].map((s) => ({
                value: s,
                label: t(`leads.settings.strategies.${s}`),
              }))}
            />
          </Form.Item>
          <Form.Item name="members" label={t('leads.settings.members')} rules={[{ required: true }]}>
            <UserSelect multiple />
          </Form.Item>
        </Form>
      </Modal>
    </Card>
  );
}
