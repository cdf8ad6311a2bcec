import { FileTextOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  DatePicker,
  Drawer,
  Form,
  Input,
  InputNumber,
  Popconfirm,
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
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/ui/error-result';
import { PermissionButton } from '../../shared/ui/permission-button';
import {
  cancelOrder,
  createSlots,
  dispatch,
  fieldErrorsOf,
  fsKeys,
  putTechnician,
  reportUrl,
  type Technician,
  todayStr,
  useColleagues,
  useSlots,
  useTechnicians,
  useWorkOrders,
  type WorkOrder,
} from './field-service-api';
import { STATUS_COLOR } from './jobs-page';

const D = 'fieldService.dispatch';
const C = 'fieldService.cols';
const F = 'fieldService.form';

/** The dispatcher's board: work orders, technicians (skills, areas) and their appointment slots. */
export function DispatchPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [day, setDay] = useState(todayStr());
  const [dispatchOpen, setDispatchOpen] = useState(false);
  const canDispatch = can('field_service:dispatch');
  return (
    <div className="kehu-page" data-testid="fs-dispatch">
      <div className="kehu-page-header">
        <Typography.Title level={4}>{t(`${D}.title`)}</Typography.Title>
        <Space wrap>
          <DatePicker
            value={dayjs(day)}
            allowClear={false}
            onChange={(d) => d && setDay(d.format('YYYY-MM-DD'))}
            aria-label={t(`${D}.day`)}
          />
          <PermissionButton
            allowed={canDispatch}
            need={t(`${D}.new`)}
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setDispatchOpen(true)}
            data-testid="fs-new-order"
          >
            {t(`${D}.new`)}
          </PermissionButton>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t(`${D}.intro`)}</Typography.Paragraph>
      <Tabs
        items={[
          {
            key: 'orders',
            label: t(`${D}.tabs.orders`),
            children: <Orders day={day} canDispatch={canDispatch} />,
          },
          {
            key: 'techs',
            label: t(`${D}.tabs.technicians`),
            children: <Technicians canDispatch={canDispatch} />,
          },
          {
            key: 'slots',
            label: t(`${D}.tabs.slots`),
            children: <Slots day={day} canDispatch={canDispatch} />,
          },
        ]}
      />
      <DispatchDrawer open={dispatchOpen} day={day} onClose={() => setDispatchOpen(false)} />
    </div>
  );
}

function Orders({ day, canDispatch }: { day: string; canDispatch: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const orders = useWorkOrders(day);
  return (
    <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
      <Table<WorkOrder>
        size="small"
        rowKey="id"
        loading={orders.isLoading}
        dataSource={orders.data?.items ?? []}
        locale={{ emptyText: t(`${D}.emptyOrders`) }}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        columns={[
          { title: t(`${C}.number`), dataIndex: 'number' },
          { title: t(`${C}.ticket`), dataIndex: 'ticketNumber', responsive: ['md'] },
          {
            title: t(`${C}.time`),
            render: (_, w) => `${dayjs(w.startsAt).format('HH:mm')}–${dayjs(w.endsAt).format('HH:mm')}`,
          },
          { title: t(`${C}.technician`), dataIndex: 'technicianName' },
          { title: t(`${C}.area`), dataIndex: 'area', responsive: ['lg'] },
          {
            title: t(`${C}.customer`),
            render: (_, w) => `${w.customerName ?? ''} ${w.customerPhone ?? ''}`,
            responsive: ['lg'],
          },
          {
            title: t(`${C}.status`),
            dataIndex: 'status',
            render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`fieldService.status.${s}`)}</Tag>,
          },
          {
            title: t(`${C}.distance`),
            dataIndex: 'checkInDistanceM',
            responsive: ['md'],
            render: (m: number | null) => (m === null ? '—' : `${m} m`),
          },
          {
            key: 'actions',
            render: (_, w) =>
              w.status === 'completed' ? (
                <Button
                  type="link"
                  size="small"
                  href={reportUrl(w.id)}
                  target="_blank"
                  icon={<FileTextOutlined />}
                >
                  {t(`${D}.report`)}
                </Button>
              ) : w.status === 'scheduled' && canDispatch ? (
                <Popconfirm
                  title={t(`${D}.cancelConfirm`)}
                  onConfirm={async () => {
                    try {
                      await cancelOrder(w.id);
                      await qc.invalidateQueries({ queryKey: fsKeys.all });
                    } catch (e) {
                      message.error(errorMessage(e));
                    }
                  }}
                >
                  <Button type="link" size="small" danger>
                    {t(`${D}.cancel`)}
                  </Button>
                </Popconfirm>
              ) : null,
          },
        ]}
      />
    </Card>
  );
}

function Technicians({ canDispatch }: { canDispatch: boolean }) {
  const { t } = useTranslation();
  const techs = useTechnicians();
  const [editing, setEditing] = useState<Technician | 'new' | null>(null);
  return (
    <>
      <Space style={{ marginBottom: 8 }}>
        <PermissionButton
          allowed={canDispatch}
          need={t(`${D}.new`)}
          icon={<PlusOutlined />}
          onClick={() => setEditing('new')}
        >
          {t(`${D}.addTech`)}
        </PermissionButton>
      </Space>
      <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
        <Table<Technician>
          size="small"
          rowKey="userId"
          loading={techs.isLoading}
          dataSource={techs.data?.items ?? []}
          locale={{ emptyText: t(`${D}.emptyTechs`) }}
          pagination={false}
          onRow={(r) => ({
            onClick: () => canDispatch && setEditing(r),
            style: { cursor: canDispatch ? 'pointer' : undefined },
          })}
          columns={[
            { title: t(`${C}.name`), dataIndex: 'name' },
            {
              title: t(`${C}.skills`),
              dataIndex: 'skills',
              render: (xs: string[]) => xs.map((x) => <Tag key={x}>{x}</Tag>),
            },
            {
              title: t(`${C}.areas`),
              dataIndex: 'areas',
              render: (xs: string[]) => xs.map((x) => <Tag key={x}>{x}</Tag>),
            },
            { title: t(`${C}.today`), dataIndex: 'today' },
            { title: t(`${C}.active`), dataIndex: 'active', render: (v: boolean) => (v ? '✓' : '—') },
          ]}
        />
      </Card>
      <TechnicianDrawer editing={editing} onClose={() => setEditing(null)} />
    </>
  );
}

function TechnicianDrawer({ editing, onClose }: { editing: Technician | 'new' | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const users = useColleagues();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (!editing) return;
    form.resetFields();
    if (editing !== 'new') form.setFieldsValue(editing);
    else form.setFieldsValue({ skills: [], areas: [], active: true });
  }, [editing, form]);
  const submit = async (v: any) => {
    setBusy(true);
    try {
      const userId = editing === 'new' ? v.userId : (editing as Technician).userId;
      await putTechnician(userId, {
        skills: v.skills,
        areas: v.areas,
        active: v.active,
        version: editing === 'new' ? 0 : (editing as Technician).version,
      });
      await qc.invalidateQueries({ queryKey: fsKeys.technicians });
      message.success(t(`${F}.saved`));
      onClose();
    } catch (e) {
      form.setFields(fieldErrorsOf(e));
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={editing !== null}
      onClose={onClose}
      width="min(480px, 100vw)"
      title={editing === 'new' ? t(`${D}.addTech`) : (editing?.name ?? '')}
      extra={
        <Button type="primary" loading={busy} onClick={() => form.submit()}>
          {t(`${F}.save`)}
        </Button>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        {editing === 'new' && (
          <Form.Item name="userId" label={t(`${F}.user`)} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              loading={users.isLoading}
              options={(users.data ?? []).map((u) => ({
                value: u.id,
                label: u.unitName ? `${u.name} · ${u.unitName}` : u.name,
              }))}
            />
          </Form.Item>
        )}
        <Form.Item name="skills" label={t(`${F}.skills`)}>
          <Select mode="tags" open={false} />
        </Form.Item>
        <Form.Item name="areas" label={t(`${F}.areas`)} rules={[{ required: true, type: 'array', min: 1 }]}>
          <Select mode="tags" open={false} />
        </Form.Item>
        <Form.Item name="active" label={t(`${F}.active`)} valuePropName="checked">
          <Switch />
        </Form.Item>
      </Form>
    </Drawer>
  );
}

function Slots({ day, canDispatch }: { day: string; canDispatch: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const slots = useSlots(day);
  const techs = useTechnicians();
  const names = new Map((techs.data?.items ?? []).map((x) => [x.userId, x.name]));
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  const submit = async (v: any) => {
    setBusy(true);
    try {
      await createSlots({
        technicianId: v.technicianId,
        day,
        capacity: v.capacity ?? 1,
        windows: (v.windows ?? []).map((w: any) => ({
          from: w.range[0].format('HH:mm'),
          to: w.range[1].format('HH:mm'),
        })),
      });
      await qc.invalidateQueries({ queryKey: fsKeys.slots(day) });
      message.success(t(`${F}.saved`));
    } catch (e) {
      form.setFields(fieldErrorsOf(e));
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {canDispatch && (
        <Card size="small" title={t(`${D}.openSlots`)}>
          <Form
            form={form}
            layout="vertical"
            onFinish={submit}
            initialValues={{
              capacity: 1,
              windows: [{ range: [dayjs('09:00', 'HH:mm'), dayjs('11:00', 'HH:mm')] }],
            }}
          >
            <Form.Item name="technicianId" label={t(`${F}.technician`)} rules={[{ required: true }]}>
              <Select options={(techs.data?.items ?? []).map((x) => ({ value: x.userId, label: x.name }))} />
            </Form.Item>
            <Form.List name="windows">
              {(fields, { add, remove }) => (
                <>
                  {fields.map((f) => (
                    <Space key={f.key} align="baseline">
                      <Form.Item name={[f.name, 'range']} rules={[{ required: true }]}>
                        <TimePicker.RangePicker format="HH:mm" minuteStep={15} />
                      </Form.Item>
                      <Button type="text" onClick={() => remove(f.name)}>
                        ✕
                      </Button>
                    </Space>
                  ))}
                  <Button
                    type="dashed"
                    onClick={() => add()}
                    icon={<PlusOutlined />}
                    style={{ marginBottom: 12 }}
                  >
                    {t(`${F}.addWindow`)}
                  </Button>
                </>
              )}
            </Form.List>
            <Form.Item name="capacity" label={t(`${F}.capacity`)}>
              <InputNumber min={1} max={10} />
            </Form.Item>
            <Button type="primary" htmlType="submit" loading={busy}>
              {t(`${D}.openSlots`)}
            </Button>
          </Form>
        </Card>
      )}
      <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
        <Table
          size="small"
          rowKey="id"
          loading={slots.isLoading}
          dataSource={slots.data?.items ?? []}
          locale={{ emptyText: t(`${D}.emptySlots`) }}
          pagination={false}
          columns={[
            {
              title: t(`${C}.technician`),
              dataIndex: 'technicianId',
              render: (id: string) => names.get(id) ?? id,
            },
            {
              title: t(`${C}.time`),
              render: (_, s: any) =>
                `${dayjs(s.startsAt).format('HH:mm')}–${dayjs(s.endsAt).format('HH:mm')}`,
            },
            { title: t(`${C}.booked`), render: (_, s: any) => `${s.booked} / ${s.capacity}` },
          ]}
        />
      </Card>
    </Space>
  );
}

function DispatchDrawer({ open, day, onClose }: { open: boolean; day: string; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open) {
      form.resetFields();
      form.setFieldsValue({ day: dayjs(day) });
    }
  }, [open, day, form]);
  const submit = async (v: any) => {
    setBusy(true);
    try {
      const w = await dispatch({
        ticketId: v.ticketId.trim(),
        skill: v.skill,
        area: v.area,
        address: v.address,
        ...(v.lat !== undefined && v.lat !== null ? { lat: v.lat } : {}),
        ...(v.lng !== undefined && v.lng !== null ? { lng: v.lng } : {}),
        ...(v.customerName ? { customerName: v.customerName } : {}),
        ...(v.customerPhone ? { customerPhone: v.customerPhone } : {}),
        day: v.day.format('YYYY-MM-DD'),
      });
      await qc.invalidateQueries({ queryKey: fsKeys.all });
      message.success(t(`${F}.dispatched`, { name: w.technicianName }));
      onClose();
    } catch (e) {
      form.setFields(fieldErrorsOf(e));
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Drawer
      open={open}
      onClose={onClose}
      width="min(520px, 100vw)"
      title={t(`${D}.new`)}
      extra={
        <Space>
          <Button onClick={onClose}>{t(`${F}.cancel`)}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="fs-dispatch-save">
            {t(`${F}.save`)}
          </Button>
        </Space>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit}>
        <Form.Item
          name="ticketId"
          label={t(`${F}.ticketId`)}
          extra={t(`${F}.ticketHelp`)}
          rules={[{ required: true }]}
        >
          <Input />
        </Form.Item>
        <Space wrap>
          <Form.Item name="skill" label={t(`${F}.skill`)} rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="area" label={t(`${F}.area`)} rules={[{ required: true, max: 40 }]}>
            <Input />
          </Form.Item>
        </Space>
        <Form.Item name="address" label={t(`${F}.address`)} rules={[{ required: true, max: 200 }]}>
          <Input />
        </Form.Item>
        <Space wrap>
          <Form.Item name="lat" label={t(`${F}.lat`)}>
            <InputNumber min={-90} max={90} step={0.000001} />
          </Form.Item>
          <Form.Item name="lng" label={t(`${F}.lng`)}>
            <InputNumber min={-180} max={180} step={0.000001} />
          </Form.Item>
        </Space>
        <Space wrap>
          <Form.Item name="customerName" label={t(`${F}.customerName`)}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="customerPhone" label={t(`${F}.customerPhone`)}>
            <Input inputMode="tel" />
          </Form.Item>
        </Space>
        <Form.Item name="day" label={t(`${F}.day`)} rules={[{ required: true }]}>
          <DatePicker allowClear={false} />
        </Form.Item>
      </Form>
    </Drawer>
  );
}
