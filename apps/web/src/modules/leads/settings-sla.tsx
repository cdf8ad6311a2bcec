import type { UserLeadSettingsList } from '@kehu/contracts/leads';
import { useQuery } from '@tanstack/react-query';
import { Button, Card, Form, InputNumber, Select, Space, Table, Typography } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { useLeadOptionLabel } from './leads-api';
import { leadsKeys } from './leads-keys';
import { CHANNELS, useSave, useSettings } from './settings-shared';

// First-response SLA, working hours and each salesperson's capacity.

export function SlaTab() {
  const { t } = useTranslation();
  const settings = useSettings();
  const opt = useLeadOptionLabel();
  const [form] = Form.useForm();
  useEffect(() => {
    if (settings.data)
      form.setFieldsValue({
        ...settings.data.pool,
        defaultMinutes: settings.data.sla.defaultMinutes,
        byChannel: settings.data.sla.byChannel,
      });
  }, [settings.data, form]);
  const save = useSave(
    (v: any) =>
      http.patch('/leads/settings', {
        sla: {
          defaultMinutes: v.defaultMinutes,
          byChannel: Object.fromEntries(Object.entries(v.byChannel ?? {}).filter(([, x]) => x)),
        },
        pool: { claimPerDay: v.claimPerDay, maxHeld: v.maxHeld, reclaimDays: v.reclaimDays },
      }),
    [leadsKeys.settings.all()],
  );
  return (
    <Card size="small">
      <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} style={{ maxWidth: 520 }}>
        <Form.Item name="defaultMinutes" label={t('leads.settings.slaDefault')} rules={[{ required: true }]}>
          <InputNumber min={1} max={10080} />
        </Form.Item>
        <Typography.Text type="secondary">{t('leads.settings.slaByChannel')}</Typography.Text>
        <Space wrap style={{ margin: '8px 0 16px' }}>
          {CHANNELS.map((c) => (
            <Form.Item key={c} name={['byChannel', c]} label={opt('channel', c)} style={{ marginBottom: 0 }}>
              <InputNumber min={1} max={10080} style={{ width: 100 }} />
            </Form.Item>
          ))}
        </Space>
        <Form.Item name="claimPerDay" label={t('leads.settings.claimPerDay')}>
          <InputNumber min={0} />
        </Form.Item>
        <Form.Item name="maxHeld" label={t('leads.settings.maxHeld')}>
          <InputNumber min={0} />
        </Form.Item>
        <Form.Item name="reclaimDays" label={t('leads.settings.reclaimDays')}>
          <InputNumber min={0} max={365} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending}>
          {t('leads.common.save')}
        </Button>
      </Form>
    </Card>
  );
}

const HOURS: Record<string, { days: number[]; start: string; end: string } | null> = {
  any: null,
  weekdays: { days: [1, 2, 3, 4, 5], start: '09:00', end: '18:00' },
  daily: { days: [1, 2, 3, 4, 5, 6, 7], start: '09:00', end: '21:00' },
};

const hoursKey = (h: any) =>
  !h
    ? 'any'
    : (Object.entries(HOURS).find(([, v]) => v && JSON.stringify(v) === JSON.stringify(h))?.[0] ?? 'custom');

export function CapacityTab() {
  const { t } = useTranslation();
  const users = useQuery({
    queryKey: ['users', 'directory', 'capacity'],
    queryFn: () =>
      http
        .get<any>('/users', { limit: 100 })
        .then((d) => (d.items ?? d) as { id: string; name: string; unitName?: string }[]),
  });
  const settings = useQuery({
    queryKey: leadsKeys.settings.userSettings(),
    queryFn: () => http.get<UserLeadSettingsList>('/leads/user-settings'),
  });
  const save = useSave(
    (v: { userId: string; maxOpenLeads: number | null; workingHours: unknown }) =>
      http.put(`/leads/user-settings/${v.userId}`, {
        maxOpenLeads: v.maxOpenLeads,
        workingHours: v.workingHours,
      }),
    [leadsKeys.settings.userSettings()],
  );
  const byUser = new Map((settings.data?.items ?? []).map((x) => [x.userId, x]));
  return (
    <Card size="small">
      <Typography.Paragraph type="secondary">{t('leads.settings.capacityHint')}</Typography.Paragraph>
      <Table
        rowKey="id"
        size="small"
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        loading={users.isPending}
        dataSource={users.data ?? []}
        scroll={{ x: 520 }}
        columns={[
          {
            title: t('leads.settings.name'),
            render: (_, u) => (u.unitName ? `${u.name} · ${u.unitName}` : u.name),
          },
          {
            title: t('leads.settings.maxOpen'),
            width: 150,
            render: (_, u) => {
              const cur = byUser.get(u.id);
              return (
                <InputNumber
                  min={0}
                  placeholder="∞"
                  defaultValue={cur?.maxOpenLeads ?? undefined}
                  key={`${u.id}:${cur?.maxOpenLeads ?? ''}`}
                  onBlur={(e) => {
                    const raw = (e.target as HTMLInputElement).value;
                    const v = raw === '' ? null : Number(raw);
                    if (v !== (cur?.maxOpenLeads ?? null))
                      save.mutate({ userId: u.id, maxOpenLeads: v, workingHours: cur?.workingHours ?? null });
                  }}
                />
              );
            },
          },
          {
            title: t('leads.settings.hours'),
            width: 200,
            render: (_, u) => {
              const cur = byUser.get(u.id);
              return (
                <Select
                  style={{ width: 180 }}
                  value={hoursKey(cur?.workingHours)}
                  options={['any', 'weekdays', 'daily'].map((k) => ({
                    value: k,
                    label: t(`leads.settings.hoursOptions.${k}`),
                  }))}
                  onChange={(k) =>
                    save.mutate({
                      userId: u.id,
                      maxOpenLeads: cur?.maxOpenLeads ?? null,
                      workingHours: HOURS[k] ?? null,
                    })
                  }
                />
              );
            },
          },
        ]}
      />
    </Card>
  );
}
