import type { OutreachSettings } from '@kehu/contracts/outreach';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Drawer, Form, InputNumber, Switch, TimePicker, Typography } from 'antd';
import dayjs from 'dayjs';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/error-message';

const KEY = ['outreach', 'settings'] as const;

/** Quiet hours (on the tenant's clock) and the monthly cap per customer, checked before every mass message. */
export function SettingsDrawer(props: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const q = useQuery({
    queryKey: KEY,
    queryFn: () => http.get<OutreachSettings>('/outreach/settings'),
    enabled: props.open,
  });
  const save = useMutation({
    mutationFn: (body: Omit<OutreachSettings, 'timeZone'>) =>
      http.put<OutreachSettings>('/outreach/settings', body),
    onSuccess: (s) => qc.setQueryData(KEY, s),
  });
  const quiet = Form.useWatch('quiet', form);
  const s = q.data;
  const submit = async () => {
    const v = await form.validateFields();
    try {
      await save.mutateAsync({
        quietStart: v.quiet ? v.range[0].format('HH:mm') : null,
        quietEnd: v.quiet ? v.range[1].format('HH:mm') : null,
        monthlyCap: v.monthlyCap,
      });
      message.success(t('outreach.settings.saved'));
      props.onClose();
    } catch (e) {
      form.setFields([{ name: 'monthlyCap', errors: [errorMessage(e)] }]);
    }
  };
  const editable = can('outreach:send');
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      title={t('outreach.settings.title')}
      width="min(480px, 100vw)"
      destroyOnHidden
      extra={
        editable && (
          <Button
            type="primary"
            loading={save.isPending}
            onClick={submit}
            data-testid="outreach-settings-save"
          >
            {t('outreach.settings.save')}
          </Button>
        )
      }
    >
      {q.error ? (
        <Alert type="error" showIcon message={errorMessage(q.error)} />
      ) : !s ? null : (
        <Form
          form={form}
          layout="vertical"
          disabled={!editable}
          initialValues={{
            quiet: s.quietStart !== null,
            range: [
              dayjs(`2000-01-01T${s.quietStart ?? '21:00'}`),
              dayjs(`2000-01-01T${s.quietEnd ?? '08:00'}`),
            ],
            monthlyCap: s.monthlyCap,
          }}
        >
          <Form.Item name="quiet" label={t('outreach.settings.quiet')} valuePropName="checked">
            <Switch data-testid="outreach-quiet" />
          </Form.Item>
          {quiet && (
            <Form.Item
              name="range"
              label={t('outreach.settings.window')}
              extra={t('outreach.settings.windowHint', { tz: s.timeZone ?? 'Asia/Shanghai' })}
              rules={[{ required: true }]}
            >
              <TimePicker.RangePicker format="HH:mm" order={false} minuteStep={5} style={{ width: '100%' }} />
            </Form.Item>
          )}
          <Form.Item
            name="monthlyCap"
            label={t('outreach.settings.cap')}
            extra={t('outreach.settings.capHint')}
            rules={[{ required: true }]}
          >
            <InputNumber min={1} max={4} style={{ width: 120 }} data-testid="outreach-cap" />
          </Form.Item>
          <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
            {t('outreach.settings.consentHint')}
          </Typography.Paragraph>
        </Form>
      )}
    </Drawer>
  );
}
