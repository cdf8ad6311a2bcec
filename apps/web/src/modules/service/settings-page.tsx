import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  Input,
  InputNumber,
  Select,
  Space,
  Switch,
  Table,
  Tabs,
  Tag,
  TimePicker,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  type Agent,
  type Calendar,
  type Category,
  type SlaPolicy,
  type SlaTier,
  useAgents,
  useCategories,
  useSlaTiers,
} from './service-api';

/** Service settings: categories and their forms, SLA policies, the business calendar, agent skills. */
export function ServiceSettingsPage() {
  const { t } = useTranslation();
  return (
    <div className="kehu-page" data-testid="service-settings-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('service.settings.title')}
        </Typography.Title>
      </div>
      <Tabs
        items={[
          { key: 'cal', label: t('service.settings.calendar'), children: <CalendarTab /> },
          { key: 'pol', label: t('service.settings.policies'), children: <PoliciesTab /> },
          { key: 'cat', label: t('service.settings.categories'), children: <CategoriesTab /> },
          { key: 'agents', label: t('service.settings.agents'), children: <AgentsTab /> },
        ]}
      />
    </div>
  );
}

function useErr() {
  const [error, setError] = useState<string | null>(null);
  const node = error && (
    <Alert
      type="error"
      showIcon
      message={error}
      closable
      onClose={() => setError(null)}
      style={{ marginBottom: 12 }}
    />
  );
  return { setError, node };
}

function CalendarTab() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const q = useQuery({
    queryKey: ['service', 'calendar'],
    queryFn: () => http.get<Calendar>('/service/calendar'),
  });
  const [cal, setCal] = useState<Calendar | null>(null);
  const { setError, node } = useErr();
  const [saving, setSaving] = useState(false);
  useEffect(() => {
    if (q.data) setCal(q.data);
  }, [q.data]);
  if (q.error) return <ErrorResult error={q.error} onRetry={() => q.refetch()} />;
  if (!cal) return null;
  const year = new Date().getFullYear();
  const perMonth = Array.from({ length: 12 }, (_, m) => {
    let n = 0;
    for (let d = 1; d <= 31; d++) {
      const date = new Date(Date.UTC(year, m, d));
      if (date.getUTCMonth() !== m) break;
      const key = date.toISOString().slice(0, 10);
      const o = cal.days.find((x) => x.day === key);
      const dow = ((date.getUTCDay() + 6) % 7) + 1;
      if (o ? o.kind === 'workday' : cal.weekdays.includes(dow)) n++;
    }
    return n;
  });
  const save = async () => {
    setSaving(true);
    setError(null);
    try {
      const { saved: _s, ...body } = cal;
      const next = await http.put<Calendar>('/service/calendar', body);
      setCal(next);
      message.success(t('service.settings.saved'));
    } catch (e) {
      setError(errorMessage(e));
      q.refetch();
    } finally {
      setSaving(false);
    }
  };
  return (
    <div>
      {node}
      {!cal.saved && (
        <Alert
          type="info"
          showIcon
          message={t('service.settings.defaultInUse')}
          style={{ marginBottom: 12 }}
        />
      )}
      <Card size="small">
        <Space wrap align="center">
          <Typography.Text>{t('service.settings.hours')}</Typography.Text>
          <TimePicker.RangePicker
            format="HH:mm"
            minuteStep={15}
            allowClear={false}
            value={[
              dayjs(cal.dayStart, 'HH:mm'),
              dayjs(cal.dayEnd === '24:00' ? '23:59' : cal.dayEnd, 'HH:mm'),
            ]}
            onChange={(v) =>
              v?.[0] &&
              v[1] &&
              setCal({ ...cal, dayStart: v[0].format('HH:mm'), dayEnd: v[1].format('HH:mm') })
            }
          />
        </Space>
        <div style={{ marginTop: 12 }}>
          <Typography.Text>{t('service.settings.weekdays')} </Typography.Text>
          <Checkbox.Group
            value={cal.weekdays}
            onChange={(v) => setCal({ ...cal, weekdays: (v as number[]).sort() })}
            options={[1, 2, 3, 4, 5, 6, 7].map((d) => ({
              value: d,
              label: t(`service.settings.week.${d - 1}`),
            }))}
          />
        </div>
      </Card>
      <Card size="small" title={t('service.settings.chart')} style={{ marginTop: 12 }}>
        <EChart
          height={180}
          option={{
            grid: { left: 8, right: 8, top: 16, bottom: 8, containLabel: true },
            xAxis: { type: 'category', data: perMonth.map((_, i) => `${i + 1}`) },
            yAxis: { type: 'value', min: 10 },
            tooltip: {},
            series: [
              { type: 'bar', data: perMonth, label: { show: true, position: 'top' }, barMaxWidth: 18 },
            ],
          }}
        />
      </Card>
      <Card
        size="small"
        title={t('service.settings.days')}
        style={{ marginTop: 12 }}
        extra={
          <Button
            size="small"
            icon={<PlusOutlined />}
            onClick={() =>
              setCal({
                ...cal,
                days: [...cal.days, { day: dayjs().format('YYYY-MM-DD'), kind: 'holiday', name: '' }],
              })
            }
          >
            {t('service.settings.addDay')}
          </Button>
        }
      >
        <Typography.Paragraph type="secondary">{t('service.settings.daysHint')}</Typography.Paragraph>
        <Table
          size="small"
          rowKey={(_, i) => String(i)}
          pagination={{ pageSize: 12 }}
          scroll={{ x: true }}
          dataSource={cal.days}
          columns={[
            {
              title: t('service.settings.day'),
              render: (_: unknown, r, i) => (
                <Input
                  type="date"
                  value={r.day}
                  aria-label={t('service.settings.day')}
                  onChange={(e) =>
                    setCal({
                      ...cal,
                      days: cal.days.map((x, j) => (j === i ? { ...x, day: e.target.value } : x)),
                    })
                  }
                />
              ),
            },
            {
              title: t('service.settings.kind'),
              render: (_: unknown, r, i) => (
                <Select
                  value={r.kind}
                  style={{ width: 130 }}
                  onChange={(v) =>
                    setCal({ ...cal, days: cal.days.map((x, j) => (j === i ? { ...x, kind: v } : x)) })
                  }
                  options={[
                    { value: 'holiday', label: <Tag color="red">{t('service.settings.holiday')}</Tag> },
                    { value: 'workday', label: <Tag color="blue">{t('service.settings.workday')}</Tag> },
                  ]}
                />
              ),
            },
            {
              title: t('service.settings.dayName'),
              render: (_: unknown, r, i) => (
                <Input
                  value={r.name}
                  maxLength={40}
                  aria-label={t('service.settings.dayName')}
                  onChange={(e) =>
                    setCal({
                      ...cal,
                      days: cal.days.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)),
                    })
                  }
                />
              ),
            },
            {
              title: '',
              render: (_: unknown, _r, i) => (
                <Button
                  type="text"
                  icon={<DeleteOutlined />}
                  aria-label={t('service.settings.remove')}
                  onClick={() => setCal({ ...cal, days: cal.days.filter((_x, j) => j !== i) })}
                />
              ),
            },
          ]}
        />
      </Card>
      <Button type="primary" onClick={save} loading={saving} style={{ marginTop: 12 }}>
        {t('service.settings.save')}
      </Button>
    </div>
  );
}

function PoliciesTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const cats = useCategories();
  const q = useQuery({
    queryKey: ['service', 'policies'],
    queryFn: () => http.get<{ items: SlaPolicy[] }>('/service/sla-policies'),
  });
  const { setError, node } = useErr();
  const [form] = Form.useForm();
  const refresh = () => qc.invalidateQueries({ queryKey: ['service', 'policies'] });
  const catName = (k: string | null) =>
    k ? (cats.data?.items.find((c) => c.key === k)?.name ?? k) : t('service.settings.anyCategory');
  const tiers = useSlaTiers();
  const tierItems = tiers.data?.items ?? [];
  const several = new Set(tierItems.map((x) => x.program)).size > 1;
  const tierLabel = (x: SlaTier) => (several ? `${x.program} · ${x.name}` : x.name);
  const tierOptions = tierItems.map((x) => ({ value: x.key, label: tierLabel(x) }));
  const tierName = (k: string | null) => {
    if (!k) return t('service.settings.anyTier');
    const x = tierItems.find((i) => i.key === k);
    return x ? tierLabel(x) : t('service.settings.tierGone');
  };
  return (
    <div>
      {node}
      <Form
        form={form}
        layout="inline"
        style={{ rowGap: 8, marginBottom: 12 }}
        initialValues={{ priority: 'normal', firstResponseMinutes: 60, resolutionMinutes: 480 }}
        onFinish={async (v) => {
          setError(null);
          try {
            await http.post('/service/sla-policies', {
              ...v,
              categoryKey: v.categoryKey ?? null,
              tier: v.tier || null,
            });
            refresh();
          } catch (e) {
            setError(errorMessage(e));
          }
        }}
      >
        <Form.Item name="categoryKey">
          <Select
            allowClear
            placeholder={t('service.settings.anyCategory')}
            style={{ width: 130 }}
            options={(cats.data?.items ?? []).map((c) => ({ value: c.key, label: c.name }))}
          />
        </Form.Item>
        <Form.Item name="priority">
          <Select
            style={{ width: 100 }}
            options={['urgent', 'high', 'normal', 'low'].map((p) => ({
              value: p,
              label: t(`service.priorities.${p}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="tier">
          <Select
            allowClear
            aria-label={t('service.settings.tier')}
            placeholder={t('service.settings.tier')}
            notFoundContent={t('service.settings.noTiers')}
            style={{ width: 190 }}
            options={tierOptions}
          />
        </Form.Item>
        <Form.Item name="firstResponseMinutes" label={t('service.settings.firstResponse')}>
          <InputNumber min={1} max={525600} />
        </Form.Item>
        <Form.Item name="resolutionMinutes" label={t('service.settings.resolution')}>
          <InputNumber min={1} max={525600} />
        </Form.Item>
        <Button htmlType="submit" type="primary" icon={<PlusOutlined />}>
          {t('service.settings.addPolicy')}
        </Button>
      </Form>
      <Table<SlaPolicy>
        size="small"
        rowKey="id"
        scroll={{ x: true }}
        loading={q.isLoading}
        dataSource={q.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('service.settings.noPolicies')} /> }}
        columns={[
          { title: t('service.columns.category'), render: (_: unknown, r) => catName(r.categoryKey) },
          {
            title: t('service.columns.priority'),
            render: (_: unknown, r) => t(`service.priorities.${r.priority}`),
          },
          { title: t('service.settings.tierColumn'), render: (_: unknown, r) => tierName(r.tier) },
          {
            title: t('service.settings.firstResponse'),
            render: (_: unknown, r) => (
              <InputNumber
                min={1}
                max={525600}
                defaultValue={r.firstResponseMinutes}
                aria-label={t('service.settings.firstResponse')}
                onBlur={async (e) => {
                  const v = Number(e.target.value);
                  if (v && v !== r.firstResponseMinutes)
                    await http
                      .patch(`/service/sla-policies/${r.id}`, {
                        version: r.version,
                        firstResponseMinutes: v,
                        resolutionMinutes: r.resolutionMinutes,
                      })
                      .catch((x) => setError(errorMessage(x)));
                  refresh();
                }}
              />
            ),
          },
          {
            title: t('service.settings.resolution'),
            render: (_: unknown, r) => (
              <InputNumber
                min={1}
                max={525600}
                defaultValue={r.resolutionMinutes}
                aria-label={t('service.settings.resolution')}
                onBlur={async (e) => {
                  const v = Number(e.target.value);
                  if (v && v !== r.resolutionMinutes)
                    await http
                      .patch(`/service/sla-policies/${r.id}`, {
                        version: r.version,
                        firstResponseMinutes: r.firstResponseMinutes,
                        resolutionMinutes: v,
                      })
                      .catch((x) => setError(errorMessage(x)));
                  refresh();
                }}
              />
            ),
          },
          {
            title: '',
            render: (_: unknown, r) => (
              <Button
                type="text"
                icon={<DeleteOutlined />}
                aria-label={t('service.settings.remove')}
                onClick={async () => {
                  await http.del(`/service/sla-policies/${r.id}`).catch((x) => setError(errorMessage(x)));
                  refresh();
                }}
              />
            ),
          },
        ]}
      />
    </div>
  );
}

function CategoriesTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const mobile = useIsMobile();
  const cats = useCategories();
  const { setError, node } = useErr();
  const [form] = Form.useForm();
  const [editing, setEditing] = useState<Category | 'new' | null>(null);
  useEffect(() => {
    if (editing === 'new') form.setFieldsValue({ key: '', name: '', nameEn: '', fields: [], active: true });
    else if (editing)
      form.setFieldsValue({
        ...editing,
        nameEn: editing.nameEn ?? '',
        fields: editing.fields.map((f) => ({ ...f, options: (f.options ?? []).join(',') })),
      });
  }, [editing, form]);
  const save = async (v: any) => {
    setError(null);
    const fields = (v.fields ?? []).map((f: any) => ({
      ...f,
      required: !!f.required,
      ...(f.type === 'select'
        ? {
            options: String(f.options ?? '')
              .split(/[,，]/)
              .map((s: string) => s.trim())
              .filter(Boolean),
          }
        : { options: undefined }),
    }));
    try {
      if (editing === 'new')
        await http.post('/service/categories', {
          key: v.key,
          name: v.name,
          nameEn: v.nameEn || undefined,
          fields,
          active: v.active,
        });
      else if (editing)
        await http.patch(`/service/categories/${editing.id}`, {
          version: editing.version,
          name: v.name,
          nameEn: v.nameEn || undefined,
          fields,
          active: v.active,
        });
      setEditing(null);
      qc.invalidateQueries({ queryKey: ['service', 'categories'] });
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  return (
    <div>
      {node}
      <Button icon={<PlusOutlined />} onClick={() => setEditing('new')} style={{ marginBottom: 12 }}>
        {t('service.settings.addCategory')}
      </Button>
      {editing && (
        <Card size="small" style={{ marginBottom: 12 }}>
          <Form form={form} layout={mobile ? 'vertical' : 'inline'} onFinish={save} style={{ rowGap: 8 }}>
            <Form.Item
              name="key"
              label={t('service.settings.key')}
              rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/ }]}
            >
              <Input disabled={editing !== 'new'} style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="name" label={t('service.settings.name')} rules={[{ required: true, max: 40 }]}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="nameEn" label={t('service.settings.nameEn')}>
              <Input style={{ width: 140 }} />
            </Form.Item>
            <Form.Item name="active" label={t('service.settings.active')} valuePropName="checked">
              <Switch />
            </Form.Item>
            <div style={{ width: '100%', marginTop: 8 }}>
              <Typography.Text strong>{t('service.settings.formFields')}</Typography.Text>
              <Form.List name="fields">
                {(fields, { add, remove }) => (
                  <div>
                    {fields.map((f) => (
                      <Space key={f.key} wrap style={{ display: 'flex', marginTop: 8 }}>
                        <Form.Item
                          name={[f.name, 'key']}
                          rules={[{ required: true, pattern: /^[a-z][a-z0-9_]{0,39}$/ }]}
                          noStyle
                        >
                          <Input placeholder={t('service.settings.fieldKey')} style={{ width: 110 }} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'label']} rules={[{ required: true }]} noStyle>
                          <Input placeholder={t('service.settings.fieldLabel')} style={{ width: 110 }} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'type']} initialValue="text" noStyle>
                          <Select
                            style={{ width: 90 }}
                            options={['text', 'number', 'date', 'select', 'boolean'].map((x) => ({
                              value: x,
                              label: t(`service.settings.types.${x}`),
                            }))}
                          />
                        </Form.Item>
                        <Form.Item name={[f.name, 'options']} noStyle>
                          <Input placeholder={t('service.settings.options')} style={{ width: 160 }} />
                        </Form.Item>
                        <Form.Item name={[f.name, 'required']} valuePropName="checked" noStyle>
                          <Checkbox>{t('service.settings.required')}</Checkbox>
                        </Form.Item>
                        <Button
                          type="text"
                          icon={<DeleteOutlined />}
                          aria-label={t('service.settings.remove')}
                          onClick={() => remove(f.name)}
                        />
                      </Space>
                    ))}
                    <Button
                      size="small"
                      style={{ marginTop: 8 }}
                      icon={<PlusOutlined />}
                      onClick={() => add({ type: 'text' })}
                    >
                      {t('service.settings.addField')}
                    </Button>
                  </div>
                )}
              </Form.List>
            </div>
            <Space style={{ marginTop: 12 }}>
              <Button type="primary" htmlType="submit">
                {t('service.settings.save')}
              </Button>
              <Button onClick={() => setEditing(null)}>×</Button>
            </Space>
          </Form>
        </Card>
      )}
      <Table<Category>
        size="small"
        rowKey="id"
        scroll={{ x: true }}
        loading={cats.isLoading}
        dataSource={cats.data?.items ?? []}
        pagination={false}
        locale={{ emptyText: <Empty description={t('service.settings.noCategories')} /> }}
        onRow={(r) => ({ onClick: () => setEditing(r), style: { cursor: 'pointer' } })}
        columns={[
          { title: t('service.settings.name'), dataIndex: 'name' },
          { title: t('service.settings.key'), dataIndex: 'key' },
          {
            title: t('service.settings.formFields'),
            render: (_: unknown, r) => r.fields.map((f) => <Tag key={f.key}>{f.label}</Tag>),
          },
          { title: t('service.settings.active'), render: (_: unknown, r) => (r.active ? '✓' : '–') },
        ]}
      />
    </div>
  );
}

function AgentsTab() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const agents = useAgents();
  const cats = useCategories();
  const { setError, node } = useErr();
  const options = [
    { value: '*', label: t('service.settings.allCategories') },
    ...(cats.data?.items ?? []).map((c) => ({ value: c.key, label: c.name })),
  ];
  return (
    <div>
      {node}
      <Table<Agent>
        size="small"
        rowKey="userId"
        scroll={{ x: true }}
        loading={agents.isLoading}
        dataSource={agents.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('service.columns.assignee'), dataIndex: 'userName' },
          { title: t('service.columns.unit'), dataIndex: 'unitName' },
          {
            title: t('service.settings.skills'),
            render: (_: unknown, r) => (
              <Select
                mode="multiple"
                style={{ minWidth: 220 }}
                value={r.categoryKeys}
                aria-label={t('service.settings.skills')}
                options={options}
                onChange={async (keys) => {
                  try {
                    await http.put(`/service/agents/${r.userId}/skills`, { categoryKeys: keys });
                  } catch (e) {
                    setError(errorMessage(e));
                  }
                  qc.invalidateQueries({ queryKey: ['service', 'agents'] });
                }}
              />
            ),
          },
          { title: t('service.settings.openTickets'), dataIndex: 'openTickets' },
        ]}
      />
    </div>
  );
}
