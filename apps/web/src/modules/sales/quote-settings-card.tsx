import type { QuoteSettingsInput } from '@kehu/contracts/sales';
import { useMutation, useQuery } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, InputNumber, Space, Upload } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../shared/ui/error-result';
import { salesApi } from './sales-api';
import { salesKeys } from './sales-keys';

const MAX_LOGO = 200 * 1024;

/** The letterhead printed on quote PDFs and the customer's page, and the default validity. */
export function QuoteSettingsCard() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<QuoteSettingsInput>();
  const settings = useQuery({ queryKey: salesKeys.quoteSettings(), queryFn: salesApi.quoteSettings });
  useEffect(() => {
    if (settings.data) form.setFieldsValue(settings.data);
  }, [settings.data, form]);
  const save = useMutation({
    mutationFn: (v: QuoteSettingsInput) => salesApi.saveQuoteSettings(v),
    onSuccess: () => {
      message.success(t('sales.common.saved'));
      settings.refetch();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const logo = Form.useWatch('logo', form);
  const blank = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : null);
  return (
    <Card
      size="small"
      title={t('sales.quoteDoc.settings')}
      style={{ marginTop: 12 }}
      data-testid="quote-settings"
    >
      <Form
        form={form}
        layout="vertical"
        style={{ maxWidth: 560 }}
        onFinish={(v) =>
          save.mutate({
            companyName: blank(v.companyName),
            address: blank(v.address),
            phone: blank(v.phone),
            email: blank(v.email),
            logo: v.logo ?? null,
            validityDays: Number(v.validityDays) || 30,
            terms: blank(v.terms),
          })
        }
      >
        <Form.Item
          name="companyName"
          label={t('sales.quoteDoc.companyName')}
          extra={t('sales.quoteDoc.companyNameHint')}
        >
          <Input maxLength={200} placeholder={settings.data?.tenantName} />
        </Form.Item>
        <Form.Item name="address" label={t('sales.quoteDoc.address')}>
          <Input maxLength={300} />
        </Form.Item>
        <Space wrap>
          <Form.Item name="phone" label={t('sales.quoteDoc.phone')}>
            <Input maxLength={60} />
          </Form.Item>
          <Form.Item name="email" label={t('sales.quoteDoc.email')}>
            <Input maxLength={200} />
          </Form.Item>
          <Form.Item name="validityDays" label={t('sales.quoteDoc.validityDays')}>
            <InputNumber min={1} max={365} />
          </Form.Item>
        </Space>
        <Form.Item name="logo" hidden>
          <Input />
        </Form.Item>
        <Form.Item label={t('sales.quoteDoc.logo')} extra={t('sales.quoteDoc.logoHint')}>
          <Space>
            {logo && <img src={logo} alt="" style={{ maxHeight: 40, maxWidth: 120 }} />}
            <Upload
              accept="image/png,image/jpeg"
              showUploadList={false}
              beforeUpload={(file) => {
                if (file.size > MAX_LOGO) {
                  message.error(t('sales.quoteDoc.logoTooBig'));
                  return Upload.LIST_IGNORE;
                }
                const reader = new FileReader();
                reader.onload = () => form.setFieldValue('logo', String(reader.result));
                reader.readAsDataURL(file);
                return false;
              }}
            >
              <Button size="small">{t('sales.quoteDoc.logo')}</Button>
            </Upload>
            {logo && (
              <Button size="small" onClick={() => form.setFieldValue('logo', null)}>
                {t('sales.quoteDoc.removeLogo')}
              </Button>
            )}
          </Space>
        </Form.Item>
        <Form.Item name="terms" label={t('sales.quoteDoc.terms')}>
          <Input.TextArea autoSize={{ minRows: 2 }} maxLength={2000} />
        </Form.Item>
        <Button type="primary" htmlType="submit" loading={save.isPending} data-testid="quote-settings-save">
          {t('sales.common.save')}
        </Button>
      </Form>
    </Card>
  );
}
