import { MinusCircleOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Badge,
  Button,
  Card,
  Checkbox,
  Form,
  Input,
  InputNumber,
  Radio,
  Select,
  Space,
  Tabs,
  TimePicker,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { type ReactNode, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { ApiError } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import {
  CHANNELS,
  saveEmail,
  saveSettings,
  saveSms,
  testSend,
  useEmailAccount,
  useSettings,
  useSmsAccount,
} from './messaging-api';

/** Server field errors onto the form, the rest as one message. */
function useSubmit(form: ReturnType<typeof Form.useForm>[0]) {
  const [error, setError] = useState<string | null>(null);
  const run = async (fn: () => Promise<void>) => {
    setError(null);
    try {
      await fn();
    } catch (e) {
      if (e instanceof ApiError && e.problem.errors?.length)
        form.setFields(
          e.problem.errors.map((f) => ({ name: f.field.split('.'), errors: [f.message ?? f.code] })),
        );
      setError(errorMessage(e));
    }
  };
  return { error, run };
}

/** Shown once after saving: a secret or a URL to copy. */
function Once({ label, value }: { label: string; value: string | null }) {
  const { t } = useTranslation();
  if (!value) return null;
  return (
    <Alert
      type="warning"
      showIcon
      style={{ marginBottom: 16 }}
      message={label}
      description={
        <Space direction="vertical" style={{ width: '100%' }}>
          <Typography.Text copyable code style={{ wordBreak: 'break-all' }}>
            {value}
          </Typography.Text>
          <Typography.Text type="secondary">{t('messaging.settings.secretOnce')}</Typography.Text>
        </Space>
      }
    />
  );
}

function TestSend({ channel, placeholder }: { channel: 'sms' | 'email' | 'webhook'; placeholder?: string }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      const r = await testSend(channel, channel === 'webhook' ? undefined : to);
      if (r.ok) message.success(t('messaging.settings.testOk'));
      else message.error(t('messaging.settings.testFailed', { error: r.error }));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Space.Compact style={{ width: '100%', maxWidth: 560, marginTop: 16 }}>
      {channel !== 'webhook' && (
        <Input
          aria-label={t('messaging.settings.testTo')}
          placeholder={placeholder ?? t('messaging.settings.testTo')}
          value={to}
          onChange={(e) => setTo(e.target.value)}
          onPressEnter={go}
        />
      )}
      <Button onClick={go} loading={busy} data-testid={`test-send-${channel}`}>
        {t('messaging.settings.testSend')}
      </Button>
    </Space.Compact>
  );
}

function Status({ ok }: { ok: boolean }) {
  const { t } = useTranslation();
  return (
    <Badge
      status={ok ? 'success' : 'default'}
      text={ok ? t('messaging.settings.configured') : t('messaging.settings.notConfigured')}
    />
  );
}

function EmailTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const acc = useEmailAccount();
  const [form] = Form.useForm();
  const { error, run } = useSubmit(form);
  const [hook, setHook] = useState<string | null>(null);
  useEffect(() => {
    if (acc.data)
      form.setFieldsValue({ ...acc.data, port: acc.data.port ?? 465, security: acc.data.security ?? 'tls' });
  }, [acc.data, form]);
  if (acc.error) return <ErrorResult error={acc.error} onRetry={() => acc.refetch()} />;
  const submit = (v: any) =>
    run(async () => {
      const saved = await saveEmail({
        ...v,
        user: v.user || null,
        bounceAddress: v.bounceAddress || null,
        password: v.password ? v.password : undefined,
      });
      setHook(saved.bounceHookUrl);
      form.setFieldValue('password', '');
      message.success(t('messaging.settings.saved'));
      qc.invalidateQueries({ queryKey: ['messaging', 'email'] });
    });
  return (
    <Card size="small" loading={acc.isPending} title={<Status ok={!!acc.data?.configured} />}>
      <Once label={t('messaging.settings.email_.bounceHook')} value={hook} />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" disabled={!manage} onFinish={submit} style={{ maxWidth: 560 }}>
        <Space.Compact block>
          <Form.Item
            name="host"
            label={t('messaging.settings.email_.host')}
            rules={[{ required: true }]}
            style={{ flex: 1 }}
          >
            <Input placeholder="smtp.example.com" />
          </Form.Item>
          <Form.Item name="port" label={t('messaging.settings.email_.port')} rules={[{ required: true }]}>
            <InputNumber min={1} max={65535} style={{ width: 110 }} />
          </Form.Item>
        </Space.Compact>
        <Form.Item name="security" label={t('messaging.settings.email_.security')}>
          <Radio.Group
            options={(['tls', 'starttls', 'none'] as const).map((s) => ({
              value: s,
              label: t(`messaging.settings.email_.${s}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="user" label={t('messaging.settings.email_.user')}>
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="password"
          label={t('messaging.settings.email_.password')}
          extra={acc.data?.passwordSet ? t('messaging.settings.email_.passwordKeep') : undefined}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item
          name="from"
          label={t('messaging.settings.email_.from')}
          extra={t('messaging.settings.email_.fromHelp')}
          rules={[{ required: true }]}
        >
          <Input />
        </Form.Item>
        <Form.Item
          name="bounceAddress"
          label={t('messaging.settings.email_.bounceAddress')}
          rules={[{ type: 'email' }]}
        >
          <Input placeholder="bounces@example.com" />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('messaging.settings.email_.unsubscribeNote')}
        </Typography.Paragraph>
        {manage && (
          <Button type="primary" htmlType="submit" data-testid="email-save">
            {t('messaging.settings.save')}
          </Button>
        )}
      </Form>
      {manage && acc.data?.configured && <TestSend channel="email" placeholder="you@example.com" />}
    </Card>
  );
}

function SmsTab({ manage }: { manage: boolean }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const acc = useSmsAccount();
  const [form] = Form.useForm();
  const { error, run } = useSubmit(form);
  const [receipt, setReceipt] = useState<string | null>(null);
  useEffect(() => {
    if (acc.data) form.setFieldsValue(acc.data);
  }, [acc.data, form]);
  if (acc.error) return <ErrorResult error={acc.error} onRetry={() => acc.refetch()} />;
  const submit = (v: any) =>
    run(async () => {
      const saved = await saveSms({ ...v, textTemplate: v.textTemplate || null });
      setReceipt(saved.receiptUrl);
      form.setFieldValue('accessKeySecret', '');
      message.success(t('messaging.settings.saved'));
      qc.invalidateQueries({ queryKey: ['messaging', 'sms'] });
    });
  return (
    <Card size="small" loading={acc.isPending} title={<Status ok={!!acc.data?.configured} />}>
      <Once label={t('messaging.settings.sms_.receiptUrl')} value={receipt} />
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" disabled={!manage} onFinish={submit} style={{ maxWidth: 560 }}>
        <Form.Item name="endpoint" label={t('messaging.settings.sms_.endpoint')}>
          <Input placeholder="https://dysmsapi.aliyuncs.com" />
        </Form.Item>
        <Form.Item
          name="accessKeyId"
          label={t('messaging.settings.sms_.accessKeyId')}
          rules={[{ required: true }]}
        >
          <Input autoComplete="off" />
        </Form.Item>
        <Form.Item
          name="accessKeySecret"
          label={t('messaging.settings.sms_.accessKeySecret')}
          extra={acc.data?.configured ? t('messaging.settings.sms_.secretKeep') : undefined}
          rules={[{ required: true }]}
        >
          <Input.Password autoComplete="new-password" />
        </Form.Item>
        <Form.Item name="signName" label={t('messaging.settings.sms_.signName')} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="textTemplate" label={t('messaging.settings.sms_.textTemplate')}>
          <Input placeholder="SMS_000000" />
        </Form.Item>
        {manage && (
          <Button type="primary" htmlType="submit">
            {t('messaging.settings.save')}
          </Button>
        )}
      </Form>
      {manage && acc.data?.configured && <TestSend channel="sms" placeholder="13800000000" />}
    </Card>
  );
}

function WebhookAndRules({ manage, part }: { manage: boolean; part: 'webhook' | 'rules' }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const s = useSettings();
  const [form] = Form.useForm();
  const { error, run } = useSubmit(form);
  const [secret, setSecret] = useState<string | null>(null);
  useEffect(() => {
    if (s.data)
      form.setFieldsValue({
        ...s.data,
        quiet:
          s.data.quietStart && s.data.quietEnd
            ? [dayjs(s.data.quietStart, 'HH:mm'), dayjs(s.data.quietEnd, 'HH:mm')]
            : null,
      });
  }, [s.data, form]);
  if (s.error) return <ErrorResult error={s.error} onRetry={() => s.refetch()} />;
  const submit = (v: any) =>
    run(async () => {
      const all = { ...s.data!, ...form.getFieldsValue(true) };
      const saved = await saveSettings({
        quietStart: all.quiet?.[0] ? all.quiet[0].format('HH:mm') : null,
        quietEnd: all.quiet?.[1] ? all.quiet[1].format('HH:mm') : null,
        caps: all.caps ?? [],
        webhookUrl: all.webhookUrl || null,
        rotateSecret: !!v.rotateSecret,
      });
      setSecret(saved.webhookSecret ?? null);
      form.setFieldValue('rotateSecret', false);
      message.success(t('messaging.settings.saved'));
      qc.invalidateQueries({ queryKey: ['messaging', 'settings'] });
    });
  let body: ReactNode;
  if (part === 'webhook')
    body = (
      <>
        <Once label={t('messaging.settings.webhook_.secret')} value={secret} />
        <Form.Item name="webhookUrl" label={t('messaging.settings.webhook_.url')} rules={[{ type: 'url' }]}>
          <Input placeholder="https://" inputMode="url" />
        </Form.Item>
        <Form.Item name="rotateSecret" valuePropName="checked">
          <Checkbox>{t('messaging.settings.webhook_.rotate')}</Checkbox>
        </Form.Item>
      </>
    );
  else
    body = (
      <>
        <Form.Item
          name="quiet"
          label={t('messaging.settings.rules_.quiet', { tz: s.data?.timeZone ?? '' })}
          extra={t('messaging.settings.rules_.quietHelp')}
        >
          <TimePicker.RangePicker format="HH:mm" order={false} minuteStep={5} inputReadOnly />
        </Form.Item>
        <Typography.Text strong>{t('messaging.settings.rules_.caps')}</Typography.Text>
        <Form.List name="caps">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} wrap align="baseline" style={{ display: 'flex', margin: '8px 0' }}>
                  <Form.Item name={[f.name, 'channel']} noStyle>
                    <Select
                      style={{ width: 140 }}
                      aria-label={t('messaging.settings.rules_.capChannel')}
                      options={[
                        { value: '*', label: t('messaging.settings.rules_.anyChannel') },
                        ...CHANNELS.map((c) => ({ value: c, label: t(`messaging.channels.${c}`) })),
                      ]}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'purpose']} noStyle>
                    <Select
                      style={{ width: 120 }}
                      aria-label={t('messaging.settings.rules_.capPurpose')}
                      options={[
                        { value: '*', label: t('messaging.settings.rules_.anyPurpose') },
                        { value: 'marketing', label: t('messaging.purposes.marketing') },
                        { value: 'service', label: t('messaging.purposes.service') },
                      ]}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'max']} noStyle rules={[{ required: true }]}>
                    <InputNumber
                      min={0}
                      max={1000}
                      addonBefore={t('messaging.settings.rules_.capMax')}
                      style={{ width: 140 }}
                    />
                  </Form.Item>
                  <Form.Item name={[f.name, 'days']} noStyle rules={[{ required: true }]}>
                    <InputNumber
                      min={1}
                      max={365}
                      addonAfter={t('messaging.settings.rules_.capDays')}
                      style={{ width: 140 }}
                    />
                  </Form.Item>
                  <MinusCircleOutlined onClick={() => remove(f.name)} aria-label="remove" />
                </Space>
              ))}
              <Button
                type="dashed"
                icon={<PlusOutlined />}
                onClick={() => add({ channel: 'sms', purpose: 'marketing', max: 2, days: 7 })}
                style={{ margin: '8px 0 16px' }}
              >
                {t('messaging.settings.rules_.addCap')}
              </Button>
            </>
          )}
        </Form.List>
      </>
    );
  return (
    <Card
      size="small"
      loading={s.isPending}
      title={part === 'webhook' ? <Status ok={!!s.data?.webhookUrl} /> : undefined}
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form form={form} layout="vertical" disabled={!manage} onFinish={submit} style={{ maxWidth: 640 }}>
        {body}
        {manage && (
          <Button type="primary" htmlType="submit" style={{ display: 'block' }}>
            {t('messaging.settings.save')}
          </Button>
        )}
      </Form>
      {manage && part === 'webhook' && s.data?.webhookUrl && <TestSend channel="webhook" />}
    </Card>
  );
}

/** Channel settings: SMS, email, webhook accounts (secrets shown once), quiet hours and caps. */
export function ChannelSettingsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const manage = can('messaging:manage');
  return (
    <div className="kehu-page" data-testid="messaging-settings-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('messaging.settings.title')}
        </Typography.Title>
      </div>
      <Typography.Paragraph type="secondary">{t('messaging.settings.intro')}</Typography.Paragraph>
      <Tabs
        defaultActiveKey="email"
        destroyInactiveTabPane
        items={[
          { key: 'email', label: t('messaging.settings.email'), children: <EmailTab manage={manage} /> },
          { key: 'sms', label: t('messaging.settings.sms'), children: <SmsTab manage={manage} /> },
          {
            key: 'webhook',
            label: t('messaging.settings.webhook'),
            children: <WebhookAndRules manage={manage} part="webhook" />,
          },
          {
            key: 'rules',
            label: t('messaging.settings.rules'),
            children: <WebhookAndRules manage={manage} part="rules" />,
          },
        ]}
      />
    </div>
  );
}
