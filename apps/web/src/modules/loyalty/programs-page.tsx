import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ProgramInput } from '@kehu/contracts/loyalty';
import {
  App,
  Button,
  Card,
  Col,
  Drawer,
  Empty,
  Form,
  Input,
  InputNumber,
  Row,
  Select,
  Space,
  Switch,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { type Program, usePrograms, useSaveProgram } from './loyalty-api';

type Pair = { key: string; value: number };
const toPairs = (r: Record<string, number>): Pair[] =>
  Object.entries(r).map(([key, value]) => ({ key, value }));
const fromPairs = (p: Pair[] | undefined) =>
  Object.fromEntries((p ?? []).filter((x) => x?.key?.trim()).map((x) => [x.key.trim(), x.value ?? 1]));

const NEW: Partial<ProgramInput> & { channelPairs: Pair[]; categoryPairs: Pair[] } = {
  pointsPerYuan: 1,
  tierBasis: 'points',
  tierWindowDays: 365,
  retentionPercent: 80,
  expiryDays: 730,
  adjustApprovalThreshold: 1000,
  pointValueMinor: 1,
  memberPrefix: 'M',
  status: 'active',
  tiers: [
    { name: '普通会员', threshold: 0, freeServices: [] },
    { name: '金卡会员', threshold: 2000, discountPercent: 5, freeServices: [] },
  ],
  eventRules: [],
  channelPairs: [],
  categoryPairs: [],
};

/** 会员计划: tiers, earn rules, expiry and multipliers, each program with its members per tier. */
export function ProgramsPage() {
  const { t } = useTranslation();
  const mobile = useIsMobile();
  const list = usePrograms();
  const [editing, setEditing] = useState<Program | 'new' | null>(null);
  const items = list.data?.items ?? [];
  return (
    <div className="kehu-page" data-testid="loyalty-programs-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('loyalty.programs.title')}
        </Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
          {t('loyalty.programs.new')}
        </Button>
      </div>
      <Typography.Paragraph type="secondary">{t('loyalty.programs.intro')}</Typography.Paragraph>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : !list.isLoading && !items.length ? (
        <Empty description={t('loyalty.programs.empty')} />
      ) : (
        <Row gutter={[12, 12]}>
          {items.map((p) => (
            <Col xs={24} lg={12} key={p.id}>
              <Card
                loading={list.isLoading}
                title={
                  <Space>
                    {p.name}
                    <Tag color={p.status === 'active' ? 'green' : 'default'}>
                      {t(`loyalty.programs.statuses.${p.status}`)}
                    </Tag>
                  </Space>
                }
                extra={
                  p.canManage && (
                    <Button size="small" onClick={() => setEditing(p)}>
                      {t('loyalty.programs.edit')}
                    </Button>
                  )
                }
              >
                <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
                  {p.unitName} · {t('loyalty.programs.members', { n: p.members })} ·{' '}
                  {t('loyalty.programs.fields.pointsPerYuan')} {p.pointsPerYuan}
                </Typography.Paragraph>
                <EChart
                  height={160}
                  testId="loyalty-tier-chart"
                  option={{
                    grid: { left: 64, right: 16, top: 8, bottom: 24 },
                    tooltip: {},
                    xAxis: { type: 'value', minInterval: 1 },
                    yAxis: { type: 'category', data: p.tiers.map((x) => `${x.name}（≥${x.threshold}）`) },
                    series: [
                      { type: 'bar', data: p.tiers.map((x) => x.members), itemStyle: { color: '#d4a017' } },
                    ],
                  }}
                />
              </Card>
            </Col>
          ))}
        </Row>
      )}
      <Drawer
        open={!!editing}
        onClose={() => setEditing(null)}
        width={mobile ? '100%' : 720}
        title={editing === 'new' ? t('loyalty.programs.new') : editing?.name}
        destroyOnHidden
      >
        {editing && (
          <ProgramForm program={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />
        )}
      </Drawer>
    </div>
  );
}

function ProgramForm({ program, onDone }: { program: Program | null; onDone: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const save = useSaveProgram();
  const f = (k: string) => t(`loyalty.programs.fields.${k}`);
  const initial = program
    ? {
        ...program,
        channelPairs: toPairs(program.channelMultipliers),
        categoryPairs: toPairs(program.categoryMultipliers),
      }
    : NEW;
  const submit = async (v: any) => {
    const input = {
      name: v.name,
      status: v.status,
      memberPrefix: v.memberPrefix,
      pointsPerYuan: v.pointsPerYuan,
      channelMultipliers: fromPairs(v.channelPairs),
      categoryMultipliers: fromPairs(v.categoryPairs),
      perOrderCap: v.perOrderCap ?? null,
      perDayCap: v.perDayCap ?? null,
      eventRules: (v.eventRules ?? []).map((r: any) => ({
        event: r.event,
        points: r.points,
        perDay: r.perDay ?? null,
      })),
      expiryDays: v.expiryDays ?? null,
      tierBasis: v.tierBasis,
      tierWindowDays: v.tierWindowDays,
      retentionPercent: v.retentionPercent,
      allowTransfer: !!v.allowTransfer,
      autoEnrolWecom: !!v.autoEnrolWecom,
      adjustApprovalThreshold: v.adjustApprovalThreshold,
      pointValueMinor: v.pointValueMinor,
      tiers: (v.tiers ?? []).map((x: any) => ({
        ...(x.id ? { id: x.id } : {}),
        name: x.name,
        threshold: x.threshold ?? 0,
        discountPercent: x.discountPercent ?? null,
        freeServices: x.freeServices ?? [],
        birthdayPoints: x.birthdayPoints ?? null,
      })),
    };
    try {
      await save.mutateAsync(
        program
          ? { id: program.id, input: { ...input, version: program.version } }
          : { input: input as ProgramInput },
      );
      message.success(t('loyalty.programs.saved'));
      onDone();
    } catch (e) {
      const fields = (e as { problem?: { errors?: Array<{ field: string; message?: string }> } }).problem
        ?.errors;
      if (fields?.length)
        form.setFields(
          fields.map((x) => ({
            name: x.field.split('.').map((s) => (/^\d+$/.test(s) ? Number(s) : s)),
            errors: [x.message ?? ''],
          })),
        );
      else message.error(errorMessage(e));
    }
  };
  return (
    <Form form={form} layout="vertical" initialValues={initial} onFinish={submit} scrollToFirstError>
      <Typography.Title level={5}>{t('loyalty.programs.sections.basics')}</Typography.Title>
      <Row gutter={12}>
        <Col xs={24} sm={12}>
          <Form.Item name="name" label={f('name')} rules={[{ required: true, max: 60 }]}>
            <Input />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="status" label={f('status')}>
            <Select
              options={['active', 'paused'].map((s) => ({
                value: s,
                label: t(`loyalty.programs.statuses.${s}`),
              }))}
            />
          </Form.Item>
        </Col>
        <Col xs={12} sm={6}>
          <Form.Item name="memberPrefix" label={f('memberPrefix')} rules={[{ pattern: /^[A-Z]{1,4}$/ }]}>
            <Input maxLength={4} />
          </Form.Item>
        </Col>
      </Row>
      <Typography.Title level={5}>{t('loyalty.programs.sections.tiers')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('loyalty.programs.tierHelp')}</Typography.Paragraph>
      <Form.List name="tiers">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => (
              <Card size="small" key={field.key} style={{ marginBottom: 8 }}>
                <Row gutter={8} align="bottom">
                  <Form.Item name={[field.name, 'id']} hidden>
                    <Input />
                  </Form.Item>
                  <Col xs={12} sm={6}>
                    <Form.Item name={[field.name, 'name']} label={f('tierName')} rules={[{ required: true }]}>
                      <Input />
                    </Form.Item>
                  </Col>
                  <Col xs={12} sm={5}>
                    <Form.Item
                      name={[field.name, 'threshold']}
                      label={f('threshold')}
                      rules={[{ required: true }]}
                    >
                      <InputNumber min={0} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={8} sm={4}>
                    <Form.Item name={[field.name, 'discountPercent']} label={f('discountPercent')}>
                      <InputNumber min={0} max={99} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={8} sm={4}>
                    <Form.Item name={[field.name, 'birthdayPoints']} label={f('birthdayPoints')}>
                      <InputNumber min={1} precision={0} style={{ width: '100%' }} />
                    </Form.Item>
                  </Col>
                  <Col xs={8} sm={5} style={{ textAlign: 'right' }}>
                    <Form.Item>
                      <Button
                        icon={<DeleteOutlined />}
                        onClick={() => remove(field.name)}
                        aria-label="remove tier"
                        disabled={fields.length === 1}
                      />
                    </Form.Item>
                  </Col>
                  <Col span={24}>
                    <Form.Item name={[field.name, 'freeServices']} label={f('freeServices')}>
                      <Select mode="tags" tokenSeparators={[',', '，']} />
                    </Form.Item>
                  </Col>
                </Row>
              </Card>
            ))}
            <Form.ErrorList errors={form.getFieldError('tiers')} />
            <Button
              icon={<PlusOutlined />}
              onClick={() => add({ name: '', threshold: undefined, freeServices: [] })}
            >
              {t('loyalty.programs.addTier')}
            </Button>
          </>
        )}
      </Form.List>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('loyalty.programs.sections.earn')}
      </Typography.Title>
      <Row gutter={12}>
        <Col xs={24} sm={8}>
          <Form.Item name="pointsPerYuan" label={f('pointsPerYuan')} rules={[{ required: true }]}>
            <InputNumber min={0} max={100} step={0.5} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="perOrderCap" label={f('perOrderCap')}>
            <InputNumber
              min={1}
              precision={0}
              style={{ width: '100%' }}
              placeholder={t('loyalty.programs.noCap')}
            />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="perDayCap" label={f('perDayCap')}>
            <InputNumber
              min={1}
              precision={0}
              style={{ width: '100%' }}
              placeholder={t('loyalty.programs.noCap')}
            />
          </Form.Item>
        </Col>
      </Row>
      <PairList name="channelPairs" label={f('channelMultipliers')} />
      <PairList name="categoryPairs" label={f('categoryMultipliers')} />
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('loyalty.programs.sections.events')}
      </Typography.Title>
      <Form.List name="eventRules">
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => (
              <Space key={field.key} wrap align="baseline">
                <Form.Item name={[field.name, 'event']} rules={[{ required: true }]}>
                  <Input placeholder={f('event')} style={{ width: 180 }} />
                </Form.Item>
                <Form.Item name={[field.name, 'points']} rules={[{ required: true }]}>
                  <InputNumber min={1} precision={0} placeholder={f('eventPoints')} />
                </Form.Item>
                <Form.Item name={[field.name, 'perDay']}>
                  <InputNumber min={1} max={100} precision={0} placeholder={f('perDay')} />
                </Form.Item>
                <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label="remove" />
              </Space>
            ))}
            <div>
              <Button size="small" icon={<PlusOutlined />} onClick={() => add({})}>
                {t('loyalty.programs.addRow')}
              </Button>
            </div>
          </>
        )}
      </Form.List>
      <Typography.Title level={5} style={{ marginTop: 16 }}>
        {t('loyalty.programs.sections.more')}
      </Typography.Title>
      <Row gutter={12}>
        <Col xs={24} sm={12}>
          <Form.Item name="expiryDays" label={f('expiryDays')}>
            <InputNumber min={1} max={3650} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={24} sm={12}>
          <Form.Item name="tierBasis" label={f('tierBasis')}>
            <Select
              options={['points', 'spend'].map((s) => ({
                value: s,
                label: t(`loyalty.programs.bases.${s}`),
              }))}
            />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="tierWindowDays" label={f('tierWindowDays')}>
            <InputNumber min={30} max={1095} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="retentionPercent" label={f('retentionPercent')}>
            <InputNumber min={0} max={100} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="adjustApprovalThreshold" label={f('adjustApprovalThreshold')}>
            <InputNumber min={0} precision={0} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="pointValueMinor" label={f('pointValueMinor')}>
            <InputNumber min={0} max={10000} style={{ width: '100%' }} />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="allowTransfer" label={f('allowTransfer')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
        <Col xs={12} sm={8}>
          <Form.Item name="autoEnrolWecom" label={f('autoEnrolWecom')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Col>
      </Row>
      <Button type="primary" htmlType="submit" loading={save.isPending} block>
        {t('loyalty.programs.save')}
      </Button>
    </Form>
  );
}

function PairList({ name, label }: { name: string; label: string }) {
  const { t } = useTranslation();
  return (
    <Form.Item label={label}>
      <Form.List name={name}>
        {(fields, { add, remove }) => (
          <>
            {fields.map((field) => (
              <Space key={field.key} align="baseline" wrap>
                <Form.Item name={[field.name, 'key']} rules={[{ required: true }]}>
                  <Input placeholder={t('loyalty.programs.fields.key')} style={{ width: 160 }} />
                </Form.Item>
                <Form.Item name={[field.name, 'value']} rules={[{ required: true }]}>
                  <InputNumber
                    min={0}
                    max={10}
                    step={0.1}
                    placeholder={t('loyalty.programs.fields.multiplier')}
                  />
                </Form.Item>
                <Button icon={<DeleteOutlined />} onClick={() => remove(field.name)} aria-label="remove" />
              </Space>
            ))}
            <div>
              <Button size="small" icon={<PlusOutlined />} onClick={() => add({ value: 1 })}>
                {t('loyalty.programs.addRow')}
              </Button>
            </div>
          </>
        )}
      </Form.List>
    </Form.Item>
  );
}
