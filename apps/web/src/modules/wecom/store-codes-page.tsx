import {
  DeleteOutlined,
  DownloadOutlined,
  EditOutlined,
  LinkOutlined,
  MinusCircleOutlined,
  PlusOutlined,
  PrinterOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Popconfirm,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { useSession } from '../../app/session';
import { API_BASE, ApiError, http } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type StoreCode, storeCodeKeys, useStoreCodeDaily, useStoreCodes } from './store-codes-api';
import { CODE_CHANNELS, useCorps, useStaff } from './wecom-api';
import { foldAttachmentErrors, WelcomeAttachmentsField } from './welcome-attachments-field';

type Editing = { mode: 'new' } | { mode: 'edit'; code: StoreCode } | null;

/** `stores.1.unitId` from the server → the form's ['stores', 1, 'unitId']. */
const fieldPath = (field: string) => field.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p));

function StoreCodeEditor({ editing, onClose }: { editing: Editing; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me } = useSession();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const corps = useCorps();
  const [form] = Form.useForm();
  const code = editing?.mode === 'edit' ? editing.code : null;
  const corpRef: string | null = Form.useWatch('corpRef', form) ?? code?.corpRef ?? null;
  const staff = useStaff(corpRef);
  const storeUnits = me.units.filter((u) => u.type === 'store');
  const save = useMutation({
    mutationFn: (v: Record<string, unknown>) =>
      code
        ? http.patch<StoreCode>(`/wecom/store-codes/${code.id}`, { ...v, version: code.version })
        : http.post<StoreCode>('/wecom/store-codes', v),
    onSuccess: () => {
      onClose();
      void qc.invalidateQueries({ queryKey: storeCodeKeys.list() });
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.errors?.length && e.status === 422)
        form.setFields(
          foldAttachmentErrors(e.problem.errors).map((f) => ({
            name: fieldPath(f.field) as never,
            errors: [f.message],
          })),
        );
      else message.error(errorMessage(e));
    },
  });
  return (
    <Drawer
      open={!!editing}
      onClose={onClose}
      width={isMobile ? '100%' : 640}
      title={t(code ? 'wecom.storeCodes.edit' : 'wecom.storeCodes.new')}
      destroyOnHidden
      extra={
        <Button
          type="primary"
          loading={save.isPending}
          onClick={() => form.submit()}
          data-testid="store-save"
        >
          {t('common.save')}
        </Button>
      }
    >
      {storeUnits.length === 0 && <Alert type="warning" showIcon message={t('wecom.storeCodes.noStores')} />}
      <Form
        form={form}
        layout="vertical"
        initialValues={
          code
            ? {
                ...code,
                welcomeAttachments: code.welcomeAttachments.map((a) => a.materialId),
                stores: code.stores.map((s) => ({
                  unitId: s.unitId,
                  staff: s.staff,
                  city: s.city,
                  address: s.address ?? undefined,
                  lat: s.lat ?? undefined,
                  lng: s.lng ?? undefined,
                })),
              }
            : {
                channel: 'walk_in',
                corpRef: corps.data?.items[0]?.id,
                tags: [],
                welcomeAttachments: [],
                stores: [{ staff: [] }],
              }
        }
        onFinish={(v) => {
          const { corpRef: c, state, ...rest } = v;
          const body = {
            ...rest,
            welcomeText: rest.welcomeText || null,
            stores: (rest.stores ?? []).map((s: Record<string, unknown>) => ({
              ...s,
              address: s.address || null,
              lat: s.lat ?? null,
              lng: s.lng ?? null,
            })),
          };
          save.mutate(code ? body : { ...body, corpRef: c, state });
        }}
      >
        <Form.Item name="corpRef" label={t('wecom.storeCodes.corp')} rules={[{ required: true }]}>
          <Select
            disabled={!!code}
            options={(corps.data?.items ?? []).map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
        <Form.Item name="name" label={t('wecom.storeCodes.name')} rules={[{ required: true, max: 100 }]}>
          <Input maxLength={100} data-testid="store-code-name" />
        </Form.Item>
        <Form.Item
          name="state"
          label={t('wecom.storeCodes.state')}
          extra={t('wecom.storeCodes.stateHelp')}
          rules={[{ required: true, pattern: /^[A-Za-z0-9_.-]{1,24}$/ }]}
        >
          <Input maxLength={24} disabled={!!code} data-testid="store-code-state" />
        </Form.Item>
        <Space wrap style={{ width: '100%' }} align="start">
          <Form.Item name="channel" label={t('wecom.storeCodes.channel')}>
            <Select
              style={{ minWidth: 160 }}
              options={CODE_CHANNELS.map((c) => ({ value: c, label: t(`wecom.channel.${c}`) }))}
            />
          </Form.Item>
          <Form.Item name="tags" label={t('wecom.storeCodes.tags')}>
            <Select mode="tags" style={{ minWidth: 220 }} maxCount={20} />
          </Form.Item>
        </Space>
        <Form.Item name="welcomeText" label={t('wecom.storeCodes.welcome')}>
          <Input.TextArea rows={2} maxLength={4000} />
        </Form.Item>
        <WelcomeAttachmentsField current={code?.welcomeAttachments} />
        <Typography.Title level={5}>{t('wecom.storeCodes.stores')}</Typography.Title>
        <Typography.Paragraph type="secondary">{t('wecom.storeCodes.coordsHelp')}</Typography.Paragraph>
        <Form.List name="stores">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f, i) => (
                <Card
                  key={f.key}
                  size="small"
                  style={{ marginBottom: 12 }}
                  title={`${t('wecom.storeCodes.store')} ${i + 1}`}
                  extra={
                    fields.length > 1 && (
                      <Button
                        type="text"
                        icon={<MinusCircleOutlined />}
                        aria-label={t('wecom.storeCodes.removeStore')}
                        onClick={() => remove(f.name)}
                      />
                    )
                  }
                  data-testid={`store-row-${i}`}
                >
                  <Form.Item
                    name={[f.name, 'unitId']}
                    label={t('wecom.storeCodes.store')}
                    rules={[{ required: true }]}
                  >
                    <Select
                      showSearch
                      optionFilterProp="label"
                      data-testid={`store-unit-${i}`}
                      options={storeUnits.map((u) => ({ value: u.id, label: u.name }))}
                    />
                  </Form.Item>
                  <Form.Item
                    name={[f.name, 'staff']}
                    label={t('wecom.storeCodes.staff')}
                    rules={[{ required: true, type: 'array', min: 1 }]}
                  >
                    <Select
                      mode="multiple"
                      maxCount={20}
                      optionFilterProp="label"
                      data-testid={`store-staff-${i}`}
                      options={(staff.data?.items ?? [])
                        .filter((s) => s.active)
                        .map((s) => ({ value: s.userid, label: `${s.name} (${s.userid})` }))}
                    />
                  </Form.Item>
                  <Space wrap align="start">
                    <Form.Item
                      name={[f.name, 'city']}
                      label={t('wecom.storeCodes.city')}
                      rules={[{ required: true, max: 40 }]}
                    >
                      <Input maxLength={40} style={{ width: 140 }} data-testid={`store-city-${i}`} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'lat']} label={t('wecom.storeCodes.lat')}>
                      <InputNumber min={-90} max={90} step={0.0001} style={{ width: 120 }} />
                    </Form.Item>
                    <Form.Item name={[f.name, 'lng']} label={t('wecom.storeCodes.lng')}>
                      <InputNumber min={-180} max={180} step={0.0001} style={{ width: 120 }} />
                    </Form.Item>
                  </Space>
                  <Form.Item name={[f.name, 'address']} label={t('wecom.storeCodes.address')}>
                    <Input maxLength={200} />
                  </Form.Item>
                </Card>
              ))}
              <Button
                block
                type="dashed"
                icon={<PlusOutlined />}
                disabled={fields.length >= 50}
                onClick={() => add({ staff: [] })}
                data-testid="store-add"
              >
                {t('wecom.storeCodes.addStore')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Drawer>
  );
}

function StoreCodeDetail({ code, onClose }: { code: StoreCode | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const daily = useStoreCodeDaily(code?.id ?? null);
  const rows = daily.data?.days ?? [];
  const days = [...new Set(rows.map((d) => d.day))];
  const sum = (day: string, k: 'scans' | 'adds') =>
    rows.filter((r) => r.day === day).reduce((a, r) => a + r[k], 0);
  const qr = code ? `${API_BASE}/wecom/store-codes/${code.id}/landing-qr` : '';
  return (
    <Drawer open={!!code} onClose={onClose} width={isMobile ? '100%' : 720} title={code?.name}>
      {code && (
        <Space direction="vertical" style={{ width: '100%' }} size="middle" data-testid="store-code-detail">
          <Card size="small" title={t('wecom.storeCodes.landing')}>
            <Space align="start" wrap>
              <img
                src={qr}
                alt={code.name}
                width={160}
                height={160}
                style={{ border: '1px solid #f0f0f0' }}
              />
              <Space direction="vertical">
                <Typography.Text type="secondary">{t('wecom.storeCodes.landingHelp')}</Typography.Text>
                <Typography.Text code copyable={false} data-testid="store-landing-url">
                  {code.landingUrl}
                </Typography.Text>
                <Space wrap>
                  <Button
                    icon={<LinkOutlined />}
                    href={code.landingUrl}
                    target="_blank"
                    rel="noopener noreferrer"
                  >
                    {t('wecom.storeCodes.openLanding')}
                  </Button>
                  <Button
                    onClick={() =>
                      navigator.clipboard
                        ?.writeText(code.landingUrl)
                        .then(() => message.success(t('wecom.storeCodes.copied')))
                    }
                  >
                    {t('wecom.storeCodes.copy')}
                  </Button>
                  <Button icon={<DownloadOutlined />} href={qr} download={`${code.state}.png`}>
                    {t('wecom.storeCodes.download')}
                  </Button>
                  <Link to={`/wecom/posters/store-code/${code.id}`}>
                    <Button icon={<PrinterOutlined />}>{t('wecom.storeCodes.poster')}</Button>
                  </Link>
                </Space>
              </Space>
            </Space>
          </Card>
          <Card size="small" title={t('wecom.storeCodes.stores')} styles={{ body: { padding: 0 } }}>
            <Table
              rowKey="unitId"
              size="small"
              pagination={false}
              dataSource={code.stores}
              scroll={{ x: 'max-content' }}
              data-testid="store-code-stores"
              columns={[
                { title: t('wecom.storeCodes.store'), dataIndex: 'unitName' },
                { title: t('wecom.storeCodes.city'), dataIndex: 'city' },
                {
                  title: t('wecom.storeCodes.staff'),
                  dataIndex: 'staff',
                  responsive: ['md'],
                  render: (s: string[]) => s.join('、'),
                },
                { title: t('wecom.storeCodes.scansToday'), dataIndex: 'scansToday', align: 'right' },
                { title: t('wecom.storeCodes.addsToday'), dataIndex: 'addsToday', align: 'right' },
                {
                  title: t('wecom.storeCodes.addsTotal'),
                  dataIndex: 'addsTotal',
                  align: 'right',
                  responsive: ['md'],
                },
              ]}
            />
          </Card>
          <Card size="small" title={t('wecom.storeCodes.perDay')}>
            <EChart
              height={220}
              option={{
                tooltip: { trigger: 'axis' },
                legend: { top: 0 },
                grid: { left: 32, right: 12, top: 32, bottom: 24 },
                xAxis: { type: 'category', data: days.map((d) => d.slice(5)) },
                yAxis: { type: 'value', minInterval: 1 },
                series: [
                  {
                    name: t('wecom.storeCodes.scans'),
                    type: 'bar',
                    data: days.map((d) => sum(d, 'scans')),
                  },
                  {
                    name: t('wecom.storeCodes.addsToday'),
                    type: 'bar',
                    data: days.map((d) => sum(d, 'adds')),
                  },
                ],
              }}
            />
          </Card>
        </Space>
      )}
    </Drawer>
  );
}

export function StoreCodesPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const codes = useStoreCodes();
  const [editing, setEditing] = useState<Editing>(null);
  const [shownId, setShownId] = useState<string | null>(null);
  const shown = codes.data?.items.find((c) => c.id === shownId) ?? null;
  const remove = useMutation({
    mutationFn: (c: StoreCode) => http.del(`/wecom/store-codes/${c.id}`),
    onSuccess: () => qc.invalidateQueries({ queryKey: storeCodeKeys.list() }),
    onError: (e) => message.error(errorMessage(e)),
  });
  const manage = can('wecom:manage');
  const total = (c: StoreCode, k: 'scansToday' | 'addsToday' | 'addsTotal') =>
    c.stores.reduce((a, s) => a + s[k], 0);
  return (
    <div className="kehu-page" data-testid="wecom-store-codes">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.storeCodes.title')}
        </Typography.Title>
        {manage && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing({ mode: 'new' })}
            data-testid="store-code-new"
          >
            {t('wecom.storeCodes.new')}
          </Button>
        )}
      </div>
      <Typography.Paragraph type="secondary">{t('wecom.storeCodes.intro')}</Typography.Paragraph>
      {codes.error ? (
        <ErrorResult error={codes.error} onRetry={() => codes.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={codes.isPending}
            dataSource={codes.data?.items ?? []}
            pagination={false}
            locale={{
              emptyText: (
                <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wecom.storeCodes.empty')} />
              ),
            }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('wecom.storeCodes.name'),
                dataIndex: 'name',
                render: (v: string, c: StoreCode) => (
                  <Typography.Link onClick={() => setShownId(c.id)} data-testid="store-code-open">
                    {v}
                  </Typography.Link>
                ),
              },
              {
                title: t('wecom.storeCodes.stores'),
                key: 'stores',
                render: (_: unknown, c: StoreCode) =>
                  t('wecom.storeCodes.storeCount', { n: c.stores.length }),
              },
              { title: t('wecom.storeCodes.state'), dataIndex: 'state', responsive: ['md'] },
              {
                title: t('wecom.storeCodes.scansToday'),
                key: 'scans',
                align: 'right',
                render: (_: unknown, c: StoreCode) => total(c, 'scansToday'),
              },
              {
                title: t('wecom.storeCodes.addsToday'),
                key: 'adds',
                align: 'right',
                render: (_: unknown, c: StoreCode) => total(c, 'addsToday'),
              },
              {
                title: t('wecom.storeCodes.addsTotal'),
                key: 'addsTotal',
                align: 'right',
                responsive: ['md'],
                render: (_: unknown, c: StoreCode) => total(c, 'addsTotal'),
              },
              ...(manage
                ? [
                    {
                      key: 'actions',
                      render: (_: unknown, c: StoreCode) => (
                        <Space>
                          <Button
                            size="small"
                            type="text"
                            icon={<EditOutlined />}
                            aria-label={t('wecom.storeCodes.edit')}
                            onClick={() => setEditing({ mode: 'edit', code: c })}
                          />
                          <Popconfirm
                            title={t('wecom.storeCodes.deleteConfirm')}
                            onConfirm={() => remove.mutate(c)}
                          >
                            <Button
                              size="small"
                              type="text"
                              danger
                              icon={<DeleteOutlined />}
                              aria-label={t('common.delete')}
                            />
                          </Popconfirm>
                        </Space>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        </Card>
      )}
      <StoreCodeEditor editing={editing} onClose={() => setEditing(null)} />
      <StoreCodeDetail code={shown} onClose={() => setShownId(null)} />
    </div>
  );
}
