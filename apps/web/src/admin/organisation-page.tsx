import type { OrganisationSettings, OrganisationSettingsInput } from '@kehu/contracts/admin';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Select, Skeleton, Typography } from 'antd';
import { useEffect, useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, http } from '../shared/api-client';
import { errorMessage, PageError } from '../shared/ui/error-result';
import { AdminPageHeader } from './admin-page-header';

/** Zones most Kehu tenants work in, offered first; every IANA zone is still searchable below them. */
const COMMON = ['Asia/Shanghai', 'Asia/Hong_Kong', 'Asia/Taipei', 'Asia/Singapore', 'Asia/Tokyo', 'UTC'];

function nowIn(zone: string, locale: string): string {
  try {
    return new Intl.DateTimeFormat(locale, {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: zone,
    }).format(new Date());
  } catch {
    return '—';
  }
}

function offsetOf(zone: string): string {
  try {
    const part = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'shortOffset' })
      .formatToParts(new Date())
      .find((p) => p.type === 'timeZoneName');
    return part?.value ?? '';
  } catch {
    return '';
  }
}

/** 组织设置: the organisation's name and the time zone its days, months and exports are counted in. */
export function OrganisationPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<OrganisationSettingsInput>();
  const settings = useQuery({
    queryKey: ['admin', 'organisation'],
    queryFn: () => http.get<OrganisationSettings>('/admin/organisation'),
  });
  useEffect(() => {
    if (settings.data) form.setFieldsValue({ name: settings.data.name, timeZone: settings.data.timeZone });
  }, [settings.data, form]);
  const zone = Form.useWatch('timeZone', form);
  const options = useMemo(() => {
    const all = [...new Set([...COMMON, ...Intl.supportedValuesOf('timeZone')])];
    const opt = (z: string) => ({ value: z, label: `${z} (${offsetOf(z)})` });
    return [
      { label: t('admin.organisation.common'), options: COMMON.map(opt) },
      { label: t('admin.organisation.all'), options: all.filter((z) => !COMMON.includes(z)).map(opt) },
    ];
  }, [t]);
  const save = useMutation({
    mutationFn: (v: OrganisationSettingsInput) => http.patch<OrganisationSettings>('/admin/organisation', v),
    onSuccess: (res) => {
      qc.setQueryData(['admin', 'organisation'], res);
      message.success(t('common.savedToast'));
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.errors?.length)
        form.setFields(
          e.problem.errors.map((fe) => ({
            name: fe.field as keyof OrganisationSettingsInput,
            errors: [fe.message ?? ''],
          })),
        );
      else message.error(errorMessage(e));
    },
  });
  if (settings.error) return <PageError error={settings.error} onRetry={() => settings.refetch()} />;
  return (
    <div className="kehu-page" data-testid="admin-organisation">
      <AdminPageHeader title={t('admin.nav.organisation')} description={t('admin.organisation.hint')} />
      <Card style={{ maxWidth: 640 }}>
        {settings.isPending ? (
          <Skeleton active />
        ) : (
          <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} requiredMark={false}>
            <Form.Item
              name="name"
              label={t('admin.organisation.name')}
              rules={[{ required: true, whitespace: true, message: t('admin.organisation.nameRequired') }]}
            >
              <Input maxLength={100} data-testid="organisation-name" />
            </Form.Item>
            <Form.Item label={t('admin.organisation.code')}>
              <Typography.Text code copyable>
                {settings.data?.slug}
              </Typography.Text>
            </Form.Item>
            <Form.Item
              name="timeZone"
              label={t('admin.organisation.timeZone')}
              extra={
                zone
                  ? t('admin.organisation.nowThere', { time: nowIn(zone, i18n.language) })
                  : t('admin.organisation.timeZoneHint')
              }
            >
              <Select
                showSearch
                options={options}
                data-testid="organisation-time-zone"
                optionFilterProp="label"
                style={{ width: '100%' }}
              />
            </Form.Item>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
              {t('admin.organisation.timeZoneHint')}
            </Typography.Paragraph>
            <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="organisation-save">
              {t('common.save')}
            </Button>
          </Form>
        )}
      </Card>
    </div>
  );
}
