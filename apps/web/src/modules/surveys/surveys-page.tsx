import { SettingOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  App,
  Button,
  Card,
  Col,
  DatePicker,
  Drawer,
  Empty,
  Form,
  InputNumber,
  Row,
  Segmented,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import { PermissionButton } from '../../shared/ui/permission-button';
import {
  type Dimension,
  fieldErrorsOf,
  type SurveyInvite,
  saveSurveySettings,
  surveyKeys,
  useInvites,
  useSurveyReport,
  useSurveySettings,
} from './surveys-api';

const P = 'surveys';
const STATUS_COLOR: Record<string, string> = {
  scheduled: 'default',
  sent: 'processing',
  skipped: 'warning',
  answered: 'success',
};

/** Satisfaction: CSAT, NPS and response rate by team, category or store, with the latest surveys. */
export function SurveysPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const [by, setBy] = useState<Dimension>('category');
  const [range, setRange] = useState<[Dayjs, Dayjs]>([dayjs().subtract(29, 'day'), dayjs()]);
  const [settingsOpen, setSettingsOpen] = useState(false);
  const from = range[0].format('YYYY-MM-DD');
  const to = range[1].format('YYYY-MM-DD');
  const report = useSurveyReport(by, from, to);
  const invites = useInvites();
  const r = report.data;
  const pct = (v: number | null) => (v === null ? '—' : `${Math.round(v * 100)}%`);
  return (
    <div className="kehu-page" data-testid="surveys-page">
      <div className="kehu-page-header">
        <Typography.Title level={4}>{t(`${P}.title`)}</Typography.Title>
        <PermissionButton
          allowed={can('surveys:manage')}
          need={t(`${P}.settings`)}
          icon={<SettingOutlined />}
          onClick={() => setSettingsOpen(true)}
          data-testid="surveys-settings"
        >
          {t(`${P}.settings`)}
        </PermissionButton>
      </div>
      <Typography.Paragraph type="secondary">{t(`${P}.intro`)}</Typography.Paragraph>
      <Space wrap style={{ marginBottom: 12 }}>
        <Segmented
          value={by}
          onChange={(v) => setBy(v as Dimension)}
          options={(['category', 'team', 'store'] as const).map((k) => ({
            value: k,
            label: t(`${P}.by.${k}`),
          }))}
          data-testid="surveys-by"
        />
        <DatePicker.RangePicker
          aria-label={t(`${P}.range`)}
          value={range}
          allowClear={false}
          onChange={(v) => v?.[0] && v[1] && setRange([v[0], v[1]])}
          style={{ maxWidth: '100%' }}
        />
      </Space>
      {report.isLoading ? (
        <PageSkeleton />
      ) : report.error || !r ? (
        <ErrorResult error={report.error} onRetry={() => report.refetch()} />
      ) : (
        <>
          <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
            {(
              [
                ['invites', r.total.invites],
                ['answers', r.total.answers],
                ['responseRate', pct(r.total.responseRate)],
                ['csatAvg', r.total.csatAvg ?? '—'],
                ['nps', r.total.nps ?? '—'],
                ['low', r.total.low],
              ] as const
            ).map(([k, v]) => (
              <Col key={k} xs={12} md={8} xl={4}>
                <Card size="small">
                  <Statistic title={t(`${P}.stats.${k}`)} value={v} data-testid={`surveys-stat-${k}`} />
                </Card>
              </Col>
            ))}
          </Row>
          {r.total.invites === 0 ? (
            <Empty description={t(`${P}.empty`)} style={{ padding: 32 }} />
          ) : (
            <Row gutter={[12, 12]}>
              <Col xs={24} lg={12}>
                <Card size="small" title={t(`${P}.chartCsat`)} data-testid="surveys-chart">
                  <EChart
                    height={Math.max(220, r.rows.length * 36 + 60)}
                    option={{
                      animation: false,
                      tooltip: { trigger: 'axis' },
                      legend: { top: 0 },
                      grid: { left: 8, right: 24, top: 32, bottom: 8, containLabel: true },
                      yAxis: { type: 'category', data: r.rows.map((x) => x.label), inverse: true },
                      xAxis: [
                        { type: 'value', min: 0, max: 5, position: 'bottom' },
                        { type: 'value', min: -100, max: 100, position: 'top', show: false },
                      ],
                      series: [
                        {
                          name: t(`${P}.stats.csatAvg`),
                          type: 'bar',
                          data: r.rows.map((x) => x.csatAvg ?? 0),
                          label: { show: true, position: 'right' },
                        },
                        {
                          name: t(`${P}.stats.nps`),
                          type: 'bar',
                          xAxisIndex: 1,
                          data: r.rows.map((x) => x.nps ?? 0),
                          label: { show: true, position: 'right' },
                        },
                      ],
                    }}
                  />
                </Card>
              </Col>
              <Col xs={24} lg={12}>
                <Card size="small" title={t(`${P}.chartDays`)}>
                  <EChart
                    height={260}
                    option={{
                      animation: false,
                      tooltip: { trigger: 'axis' },
                      legend: { top: 0 },
                      grid: { left: 36, right: 36, top: 36, bottom: 24 },
                      xAxis: { type: 'category', data: r.days.map((d) => d.day.slice(5)) },
                      yAxis: [
                        { type: 'value', minInterval: 1 },
                        { type: 'value', min: 0, max: 5 },
                      ],
                      series: [
                        { name: t(`${P}.stats.answers`), type: 'bar', data: r.days.map((d) => d.answers) },
                        {
                          name: t(`${P}.stats.csatAvg`),
                          type: 'line',
                          yAxisIndex: 1,
                          data: r.days.map((d) => d.csatAvg),
                        },
                      ],
                    }}
                  />
                </Card>
              </Col>
              <Col xs={24}>
                <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
                  <Table
                    size="small"
                    rowKey="key"
                    pagination={false}
                    dataSource={r.rows}
                    columns={[
                      { title: t(`${P}.by.${by}`), dataIndex: 'label' },
                      { title: t(`${P}.stats.invites`), dataIndex: 'invites' },
                      { title: t(`${P}.stats.responseRate`), dataIndex: 'responseRate', render: pct },
                      { title: t(`${P}.stats.csatAvg`), dataIndex: 'csatAvg', render: (v) => v ?? '—' },
                      { title: t(`${P}.stats.nps`), dataIndex: 'nps', render: (v) => v ?? '—' },
                      { title: t(`${P}.stats.low`), dataIndex: 'low' },
                    ]}
                  />
                </Card>
              </Col>
            </Row>
          )}
        </>
      )}
      <Card
        size="small"
        title={t(`${P}.recent`)}
        style={{ marginTop: 12 }}
        styles={{ body: { padding: 0, overflowX: 'auto' } }}
      >
        <Table<SurveyInvite>
          size="small"
          rowKey="id"
          loading={invites.isLoading}
          dataSource={invites.data?.items ?? []}
          pagination={{ pageSize: 10, hideOnSinglePage: true }}
          locale={{ emptyText: t(`${P}.empty`) }}
          columns={[
            { title: t(`${P}.cols.ticket`), dataIndex: 'ticketNumber' },
            { title: t(`${P}.cols.category`), dataIndex: 'categoryKey', responsive: ['md'] },
            {
              title: t(`${P}.cols.status`),
              dataIndex: 'status',
              render: (s: string, x) => (
                <Tag color={STATUS_COLOR[s]} title={x.skipReason ?? undefined}>
                  {t(`${P}.status.${s}`)}
                </Tag>
              ),
            },
            {
              title: t(`${P}.cols.sendAt`),
              dataIndex: 'sendAt',
              responsive: ['md'],
              render: (v: string) => dayjs(v).format('MM-DD HH:mm'),
            },
            { title: t(`${P}.cols.csat`), dataIndex: 'csat', render: (v) => v ?? '—' },
            { title: t(`${P}.cols.nps`), dataIndex: 'nps', render: (v) => v ?? '—' },
            { title: t(`${P}.cols.comment`), dataIndex: 'comment', ellipsis: true, responsive: ['lg'] },
            {
              key: 'link',
              responsive: ['md'],
              render: (_, x) =>
                x.url ? (
                  <a href={x.url} target="_blank" rel="noopener noreferrer" data-testid="survey-link">
                    {t(`${P}.link`)}
                  </a>
                ) : null,
            },
            {
              title: t(`${P}.cols.reopened`),
              dataIndex: 'reopened',
              render: (v: boolean | null) => (v ? <Tag color="red">{t(`${P}.yes`)}</Tag> : null),
            },
          ]}
        />
      </Card>
      <SettingsDrawer open={settingsOpen} onClose={() => setSettingsOpen(false)} />
    </div>
  );
}

function SettingsDrawer({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const settings = useSurveySettings();
  const [form] = Form.useForm();
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    if (open && settings.data) form.setFieldsValue(settings.data);
  }, [open, settings.data, form]);
  const submit = async (v: any) => {
    setBusy(true);
    try {
      await saveSurveySettings({ ...v, version: settings.data?.version ?? 0 });
      await qc.invalidateQueries({ queryKey: surveyKeys.settings });
      message.success(t(`${P}.form.saved`));
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
      title={t(`${P}.settings`)}
      width="min(480px, 100vw)"
      extra={
        <Space>
          <Button onClick={onClose}>{t(`${P}.form.cancel`)}</Button>
          <Button type="primary" loading={busy} onClick={() => form.submit()} data-testid="surveys-save">
            {t(`${P}.form.save`)}
          </Button>
        </Space>
      }
    >
      {settings.error ? (
        <ErrorResult error={settings.error} onRetry={() => settings.refetch()} />
      ) : (
        <Form form={form} layout="vertical" onFinish={submit} disabled={settings.isLoading}>
          <Form.Item name="enabled" label={t(`${P}.form.enabled`)} valuePropName="checked">
            <Switch />
          </Form.Item>
          <Form.Item name="channel" label={t(`${P}.form.channel`)} rules={[{ required: true }]}>
            <Select
              options={(['sms', 'wecom_private'] as const).map((c) => ({
                value: c,
                label: t(`${P}.form.channels.${c}`),
              }))}
            />
          </Form.Item>
          <Form.Item
            name="delayMinutes"
            label={t(`${P}.form.delay`)}
            extra={t(`${P}.form.delayHelp`)}
            rules={[{ required: true }]}
          >
            <InputNumber min={0} max={1200} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="expiresDays" label={t(`${P}.form.expires`)} rules={[{ required: true }]}>
            <InputNumber min={1} max={30} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="csatLow" label={t(`${P}.form.csatLow`)} rules={[{ required: true }]}>
            <InputNumber min={0} max={4} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="npsLow" label={t(`${P}.form.npsLow`)} rules={[{ required: true }]}>
            <InputNumber min={-1} max={9} style={{ width: '100%' }} />
          </Form.Item>
        </Form>
      )}
    </Drawer>
  );
}
