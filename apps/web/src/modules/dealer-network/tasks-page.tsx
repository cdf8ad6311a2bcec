import { BellOutlined, PlusOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Progress,
  Row,
  Select,
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { buildUnitTree } from '../../app/unit-tree';
import { API_BASE } from '../../shared/api-client';
import { EChart } from '../../shared/ui/echart';
import { useIsMobile } from '../../shared/use-is-mobile';
import {
  createTask,
  problemLines,
  remind,
  useNetworkMutation,
  useTask,
  useTasks,
} from './dealer-network-api';

/** R9.4: tasks HQ (or a branch) pushed down, and completion by unit with overdue units in red. */
export function TasksPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const { me } = useSession();
  const mobile = useIsMobile();
  const list = useTasks();
  const items = list.data?.items ?? [];
  const [picked, setPicked] = useState<string | null>(null);
  const current = picked ?? items[0]?.id ?? null;
  const task = useTask(current);
  const [creating, setCreating] = useState(false);
  const [form] = Form.useForm();
  const tree = useMemo(() => buildUnitTree(me.units), [me.units]);
  const onError = (e: unknown) => message.error(problemLines(e).join('；'));
  const create = useNetworkMutation(createTask);
  const nudge = useNetworkMutation(remind);
  const when = (iso: string | null) => (iso ? new Date(iso).toLocaleString(i18n.language) : '');
  const d = task.data;
  const overdueOpen = d ? d.targetUnits.filter((x) => x.overdue).length : 0;
  return (
    <div className="kehu-page" data-testid="dnw-tasks-page">
      <Space style={{ justifyContent: 'space-between', width: '100%' }} wrap>
        <Typography.Title level={4}>{t('dnw.tasks.title')}</Typography.Title>
        <Button type="primary" icon={<PlusOutlined />} onClick={() => setCreating(true)}>
          {t('dnw.tasks.create')}
        </Button>
      </Space>
      <Typography.Paragraph type="secondary">{t('dnw.tasks.intro')}</Typography.Paragraph>
      {list.error && <Alert type="error" showIcon message={problemLines(list.error).join('；')} />}
      {!list.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dnw.tasks.empty')} />
        </Card>
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={9}>
            <Card size="small" styles={{ body: { padding: 0 } }}>
              <List
                loading={list.isLoading}
                dataSource={items}
                renderItem={(x) => (
                  <List.Item
                    tabIndex={0}
                    onClick={() => setPicked(x.id)}
                    onKeyDown={(e) => e.key === 'Enter' && setPicked(x.id)}
                    style={{
                      cursor: 'pointer',
                      padding: '10px 12px',
                      background: x.id === current ? '#e6f4ff' : undefined,
                    }}
                    data-testid="dnw-task-item"
                  >
                    <List.Item.Meta
                      title={
                        <Space wrap>
                          <Tag>{t(`dnw.tasks.kinds.${x.kind}`)}</Tag>
                          {x.title}
                        </Space>
                      }
                      description={
                        <Space wrap>
                          <span>
                            {t('dnw.tasks.due')}: {when(x.dueAt)}
                          </span>
                          {x.overdue > 0 && <Tag color="red">{t('dnw.tasks.overdue', { n: x.overdue })}</Tag>}
                        </Space>
                      }
                    />
                    <Progress
                      type="circle"
                      size={44}
                      percent={x.targets ? Math.round((x.done / x.targets) * 100) : 0}
                      format={() => `${x.done}/${x.targets}`}
                    />
                  </List.Item>
                )}
              />
            </Card>
          </Col>
          <Col xs={24} md={15}>
            {!d ? (
              <Card loading={task.isLoading}>
                <Empty description={t('dnw.tasks.pick')} />
              </Card>
            ) : (
              <Card
                size="small"
                title={`${d.title} · ${t('dnw.tasks.detail')}`}
                extra={
                  d.done < d.targets && (
                    <Button
                      size="small"
                      icon={<BellOutlined />}
                      loading={nudge.isPending}
                      onClick={() =>
                        nudge.mutate(d.id, {
                          onSuccess: (r) => message.success(t('dnw.tasks.reminded', { n: r.reminded })),
                          onError,
                        })
                      }
                    >
                      {t('dnw.tasks.remind')}
                    </Button>
                  )
                }
              >
                {d.body && <Typography.Paragraph>{d.body}</Typography.Paragraph>}
                <EChart
                  height={110}
                  option={{
                    tooltip: { trigger: 'item' },
                    legend: { bottom: 0 },
                    grid: { left: 8, right: 8, top: 8, bottom: 36, containLabel: false },
                    xAxis: { type: 'value', max: d.targets, show: false },
                    yAxis: { type: 'category', data: [''], show: false },
                    series: (
                      [
                        ['chartDone', d.done, '#52c41a'],
                        ['chartOpen', d.targets - d.done - overdueOpen, '#1677ff'],
                        ['chartOverdue', overdueOpen, '#ff4d4f'],
                      ] as const
                    ).map(([k, v, color]) => ({
                      type: 'bar' as const,
                      stack: 'all',
                      name: t(`dnw.tasks.${k}`),
                      data: [v],
                      itemStyle: { color },
                      barWidth: 28,
                      label: { show: v > 0, formatter: '{c}', color: '#fff' },
                    })),
                  }}
                />
                <Table
                  rowKey="id"
                  size="small"
                  pagination={false}
                  scroll={{ x: mobile ? 520 : undefined }}
                  dataSource={d.targetUnits}
                  rowClassName={(x) => (x.overdue ? 'kehu-row-overdue' : '')}
                  onRow={(x) => ({ style: x.overdue ? { background: '#fff1f0' } : undefined })}
                  columns={[
                    { title: t('dnw.tasks.unit'), dataIndex: 'unitName' },
                    {
                      title: t('dnw.tasks.status'),
                      dataIndex: 'status',
                      render: (s, x) =>
                        s === 'done' ? (
                          <Tag color="green">{t('dnw.tasks.doneLabel')}</Tag>
                        ) : x.overdue ? (
                          <Tag color="red">{t('dnw.tasks.chartOverdue')}</Tag>
                        ) : (
                          <Tag>{t('dnw.tasks.open')}</Tag>
                        ),
                    },
                    { title: t('dnw.tasks.completedAt'), dataIndex: 'completedAt', render: when },
                    { title: t('dnw.tasks.by'), dataIndex: 'completedByName' },
                    {
                      title: t('dnw.tasks.proofCol'),
                      key: 'proof',
                      render: (_, x) =>
                        x.hasPhoto ? (
                          <a href={`${API_BASE}/unit-tasks/${x.id}/photo`} target="_blank" rel="noopener">
                            {t('dnw.tasks.photo')}
                          </a>
                        ) : (
                          x.proofText
                        ),
                    },
                  ]}
                />
              </Card>
            )}
          </Col>
        </Row>
      )}
      <Modal
        open={creating}
        title={t('dnw.tasks.create')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          initialValues={{
            kind: 'task',
            proof: 'text',
            unitTypes: ['store'],
            dueAt: dayjs().add(7, 'day').endOf('day'),
          }}
          onFinish={(v) =>
            create.mutate(
              { ...v, dueAt: v.dueAt.toISOString(), link: v.link || undefined, body: v.body || undefined },
              {
                onSuccess: (r) => {
                  setCreating(false);
                  setPicked(r.id);
                  message.success(t('dnw.tasks.created', { n: r.targets }));
                },
                onError,
              },
            )
          }
        >
          <Form.Item name="title" label={t('dnw.tasks.titleField')} rules={[{ required: true, max: 120 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="body" label={t('dnw.tasks.body')}>
            <Input.TextArea maxLength={4000} />
          </Form.Item>
          <Row gutter={12}>
            <Col xs={24} sm={12}>
              <Form.Item name="kind" label={t('dnw.tasks.kind')}>
                <Select
                  options={(['task', 'campaign', 'material'] as const).map((k) => ({
                    value: k,
                    label: t(`dnw.tasks.kinds.${k}`),
                  }))}
                />
              </Form.Item>
            </Col>
            <Col xs={24} sm={12}>
              <Form.Item name="proof" label={t('dnw.tasks.proof')}>
                <Select
                  options={(['text', 'photo', 'checkbox'] as const).map((k) => ({
                    value: k,
                    label: t(`dnw.tasks.proofs.${k}`),
                  }))}
                />
              </Form.Item>
            </Col>
          </Row>
          <Form.Item name="link" label={t('dnw.tasks.link')}>
            <Input maxLength={500} />
          </Form.Item>
          <Form.Item name="dueAt" label={t('dnw.tasks.due')} rules={[{ required: true }]}>
            <DatePicker showTime style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="targetRootIds" label={t('dnw.tasks.roots')} rules={[{ required: true }]}>
            <TreeSelect treeData={tree} multiple treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
          </Form.Item>
          <Form.Item name="unitTypes" label={t('dnw.tasks.unitTypes')} rules={[{ required: true }]}>
            <Select
              mode="multiple"
              options={(['region', 'dealer', 'store'] as const).map((k) => ({
                value: k,
                label: t(`dnw.tasks.types.${k}`),
              }))}
            />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
