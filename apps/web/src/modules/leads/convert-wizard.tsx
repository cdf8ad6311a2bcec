import type { Conversion } from '@kehu/contracts/leads';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Checkbox, Form, Input, InputNumber, Modal, Radio, Result } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { LookupSelect } from '../../records/lookup-select';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { Lead } from './leads-api';
import { leadsKeys } from './leads-keys';

/** Customer (new or existing) → contact → optional opportunity, submitted as one conversion. */
export function ConvertWizard({ lead, open, onClose }: { lead: Lead; open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { modal } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [done, setDone] = useState<Conversion | null>(null);
  const mode = Form.useWatch('customerMode', form) ?? 'new';
  const withOpp = Form.useWatch('withOpportunity', form) ?? true;
  const convert = useMutation({
    mutationFn: (v: any) =>
      http.post<Conversion>(`/leads/${lead.id}/convert`, {
        customer: v.customerMode === 'existing' ? { id: v.customerId } : { new: { name: v.customerName } },
        contact: v.contactMode === 'none' ? null : { new: { name: v.contactName } },
        opportunity: v.withOpportunity
          ? {
              name: v.oppName,
              ...(v.amount ? { amount: { amount: Math.round(v.amount * 100), currency: 'CNY' } } : {}),
            }
          : null,
      }),
    onSuccess: (r) => {
      setDone(r);
      void qc.invalidateQueries({ queryKey: leadsKeys.all });
    },
    onError: (e) => modal.error({ title: t('leads.convert.title'), content: errorMessage(e) }),
  });
  const close = () => {
    setDone(null);
    onClose();
  };
  return (
    <Modal
      open={open}
      title={t('leads.convert.title')}
      onCancel={close}
      onOk={done ? close : () => form.submit()}
      okText={done ? 'OK' : t('leads.convert.submit')}
      cancelText={t('leads.common.cancel')}
      confirmLoading={convert.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'convert-submit' } as any}
    >
      {done ? (
        <Result
          status="success"
          title={t('leads.convert.done')}
          extra={<Link to={`/o/customer/${done.customerId}`}>{t('leads.lead.openCustomer')}</Link>}
        />
      ) : (
        <Form
          form={form}
          layout="vertical"
          initialValues={{
            customerMode: lead.duplicateOfObject === 'customer' ? 'existing' : 'new',
            customerId: lead.duplicateOfObject === 'customer' ? lead.duplicateOfId : undefined,
            customerName: lead.company || lead.name,
            contactMode: 'new',
            contactName: lead.name,
            withOpportunity: true,
            oppName: `${lead.company || lead.name}`,
          }}
          onFinish={(v) => convert.mutate(v)}
        >
          <Form.Item name="customerMode" label={t('leads.convert.customer')}>
            <Radio.Group
              options={[
                { value: 'new', label: t('leads.convert.newCustomer') },
                { value: 'existing', label: t('leads.convert.existingCustomer') },
              ]}
            />
          </Form.Item>
          {mode === 'existing' ? (
            <Form.Item name="customerId" label={t('leads.convert.pickCustomer')} rules={[{ required: true }]}>
              <LookupSelect object="customer" />
            </Form.Item>
          ) : (
            <Form.Item
              name="customerName"
              label={t('leads.convert.customerName')}
              rules={[{ required: true }]}
            >
              <Input maxLength={200} />
            </Form.Item>
          )}
          <Form.Item name="contactMode" label={t('leads.convert.contact')}>
            <Radio.Group
              options={[
                { value: 'new', label: t('leads.convert.newContact') },
                { value: 'none', label: t('leads.convert.noContact') },
              ]}
            />
          </Form.Item>
          <Form.Item name="contactName" hidden>
            <Input />
          </Form.Item>
          <Form.Item name="withOpportunity" valuePropName="checked">
            <Checkbox>{t('leads.convert.withOpportunity')}</Checkbox>
          </Form.Item>
          {withOpp && (
            <>
              <Form.Item name="oppName" label={t('leads.convert.oppName')} rules={[{ required: true }]}>
                <Input maxLength={200} />
              </Form.Item>
              <Form.Item name="amount" label={t('leads.convert.amount')}>
                <InputNumber min={0} style={{ width: '100%' }} />
              </Form.Item>
            </>
          )}
        </Form>
      )}
    </Modal>
  );
}
