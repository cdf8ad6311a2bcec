import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import {
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
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { EChart } from '../../shared/ui/echart';
import { useCreateSopRule, usePipelineStages, useSopCompletion, useSopRules, useTags } from './outreach-api';
import { SopTaskList } from './sop-task-list';

/** SOP: my tasks, the rules, and (for managers) completion by staff member. */
export function SopPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const rules = useSopRules();
  const completion = useSopCompletion();
  const [open, setOpen] = useState(false);
  const rows = completion.data?.items ?? [];
  return (
    <div className="kehu-page" data-testid="outreach-sop">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('outreach.sop.title')}
        </Typography.Title>
        {can('outreach:send') && (
          <Button type="primary" onClick={() => setOpen(true)}>
            {t('outreach.sop.newRule')}
          </Button>
        )}
      </div>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('outreach.sop.myTasks')}>
            <SopTaskList />
          </Card>
        </Col>
        <Col xs={24} lg={12}>
          <Card size="small" title={t('outreach.sop.completion')}>
            {rows.length === 0 ? (
              <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('outreach.sop.noCompletion')} />
            ) : (
              <EChart
                height={Math.max(160, rows.length * 36 + 40)}
                option={{
                  animation: false,
                  tooltip: { trigger: 'axis' },
                  grid: { left: 72, right: 24, top: 12, bottom: 24 },
                  yAxis: { type: 'category', data: rows.map((r) => r.name) },
                  xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
                  series: [{ type: 'bar', data: rows.map((r) => Math.round(r.rate * 100)) }],
                }}
              />
            )}
          </Card>
        </Col>
        <Col xs={24}>
          <Card
            size="small"
            title={t('outreach.sop.rules')}
            styles={{ body: { padding: 0, overflowX: 'auto' } }}
          >
            <Table
              rowKey="id"
              size="small"
              pagination={false}
              loading={rules.isPending}
              dataSource={rules.data?.items ?? []}
              locale={{ emptyText: t('outreach.sop.noRules') }}
              columns={[
                { title: t('outreach.sop.name'), dataIndex: 'name' },
                {
                  title: t('outreach.sop.trigger'),
                  dataIndex: ['trigger', 'on'],
                  render: (v) => t(`outreach.sop.on_${v}`),
                },
                {
                  title: t('outreach.sop.steps'),
                  dataIndex: 'steps',
                  render: (s: any[]) =>
                    s
                      .map(
                        (x) =>
                          `${t('outreach.sop.day', { n: x.dayOffset })} ${t(`outreach.sop.kind_${x.kind}`)}`,
                      )
                      .join(' → '),
                },
              ]}
            />
          </Card>
        </Col>
      </Row>
      <RuleDrawer open={open} onClose={() => setOpen(false)} />
    </div>
  );
}

function RuleDrawer(props: { open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { can } = useSession();
  const [form] = Form.useForm();
  const create = useCreateSopRule();
  const tags = useTags();
  const on = Form.useWatch(['trigger', 'on'], form);
  const pipelines = usePipelineStages(on === 'opportunity_stage' && can('opportunity:read'));
  const stageOptions = [
    ...new Map(
      (pipelines.data?.items ?? [])
        .flatMap((p) => p.stages)
        .filter((s) => s.kind === 'open' || s.kind === 'won')
        .map((s) => [s.key, { value: s.key, label: s.label[i18n.language] ?? s.label['zh-CN'] ?? s.key }]),
    ).values(),
  ];
  const save = async () => {
    const v = await form.validateFields();
    try {
      await create.mutateAsync({
        name: v.name,
        kind: v.trigger.on === 'schedule' ? 'group' : 'customer',
        trigger:
          v.trigger.on === 'schedule'
            ? { on: 'schedule', repeat: 'weekly', startAt: new Date().toISOString() }
            : v.trigger,
        steps: v.steps,
      });
      form.resetFields();
      props.onClose();
    } catch (e) {
      form.setFields([{ name: 'name', errors: [errorMessage(e)] }]);
    }
  };
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      title={t('outreach.sop.newRule')}
      width="min(560px, 100vw)"
      extra={
        <Button type="primary" loading={create.isPending} onClick={save}>
          {t('outreach.sop.save')}
        </Button>
      }
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          trigger: { on: 'contact_added' },
          steps: [{ dayOffset: 0, hour: 10, kind: 'send_text' }],
        }}
      >
        <Form.Item name="name" label={t('outreach.sop.name')} rules={[{ required: true, max: 100 }]}>
          <Input />
        </Form.Item>
        <Form.Item name={['trigger', 'on']} label={t('outreach.sop.trigger')}>
          <Select
            options={['contact_added', 'tag_added', 'opportunity_stage', 'schedule'].map((v) => ({
              value: v,
              label: t(`outreach.sop.on_${v}`),
            }))}
          />
        </Form.Item>
        {on === 'tag_added' && (
          <Form.Item name={['trigger', 'tagId']} rules={[{ required: true }]}>
            <Select options={(tags.data?.items ?? []).map((x) => ({ value: x.id, label: x.name }))} />
          </Form.Item>
        )}
        {on === 'opportunity_stage' && (
          <Form.Item
            name={['trigger', 'stage']}
            label={t('outreach.sop.stage')}
            extra={t('outreach.sop.stageHint')}
            rules={[{ required: true }]}
          >
            <Select
              data-testid="sop-stage"
              loading={pipelines.isPending && pipelines.fetchStatus !== 'idle'}
              options={stageOptions}
            />
          </Form.Item>
        )}
        <Form.List name="steps">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="start" wrap style={{ display: 'flex', marginBottom: 8 }}>
                  <Form.Item name={[f.name, 'dayOffset']} rules={[{ required: true }]} noStyle>
                    <InputNumber min={0} max={365} addonBefore="D+" style={{ width: 110 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'hour']} noStyle>
                    <InputNumber min={0} max={23} addonAfter=":00" style={{ width: 100 }} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'kind']} noStyle>
                    <Select
                      style={{ width: 130 }}
                      options={['send_text', 'call', 'custom'].map((v) => ({
                        value: v,
                        label: t(`outreach.sop.kind_${v}`),
                      }))}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'content']} rules={[{ required: true }]} noStyle>
                    <Input placeholder={t('outreach.sop.content')} style={{ width: 220 }} />
                  </Form.Item>
                  {fields.length > 1 && <MinusCircleOutlined onClick={() => remove(f.name)} />}
                </Space>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ dayOffset: 1, hour: 10, kind: 'call' })}
              >
                {t('outreach.sop.addStep')}
              </Button>
            </>
          )}
        </Form.List>
      </Form>
    </Drawer>
  );
}
