import type { Conversion } from '@kehu/contracts/leads';
import { opportunityNameFor } from '@kehu/contracts/leads/conversion';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Checkbox, Form, Input, InputNumber, Modal, Radio } from 'antd';
import { useTranslation } from 'react-i18next';
import { useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { LookupSelect } from '../../records/lookup-select';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { Lead } from './leads-api';
import { leadsKeys } from './leads-keys';

/**
 * Customer (new or existing) → contact → optional opportunity, submitted as one conversion.
 * The opportunity is proposed as "<company> · <product>" with the lead's budget as its amount,
 * and a successful conversion lands on it (or on the customer when no opportunity was made).
 */
export function ConvertWizard({ lead, open, onClose }: { lead: Lead; open: boolean; onClose: () => void }) {
  const { t, i18n } = useTranslation();
  const { modal, message } = App.useApp();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const { can } = useSession();
  // Someone who may not create opportunities converts into a customer and contact only.
  const mayCreateOpp = can('opportunity:create');
  const [form] = Form.useForm();
  const mode = Form.useWatch('customerMode', form) ?? 'new';
  const withOpp = Form.useWatch('withOpportunity', form) ?? mayCreateOpp;
  const budget = lead.budget as { amount?: number } | null | undefined;
  const budgetYuan =
    typeof budget?.amount === 'number' && budget.amount > 0 ? budget.amount / 100 : undefined;
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
      void qc.invalidateQueries({ queryKey: leadsKeys.all });
      void qc.invalidateQueries({ queryKey: ['records'] });
      message.success(t('leads.convert.landed'));
      onClose();
      navigate(r.opportunityId ? `/o/opportunity/${r.opportunityId}` : `/o/customer/${r.customerId}`);
    },
    onError: (e) => modal.error({ title: t('leads.convert.title'), content: errorMessage(e) }),
  });
  return (
    <Modal
      open={open}
      title={t('leads.convert.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('leads.convert.submit')}
      cancelText={t('leads.common.cancel')}
      confirmLoading={convert.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'convert-submit' } as any}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{
          customerMode: lead.duplicateOfObject === 'customer' ? 'existing' : 'new',
          customerId: lead.duplicateOfObject === 'customer' ? lead.duplicateOfId : undefined,
          customerName: lead.company || lead.name,
          contactMode: 'new',
          contactName: lead.name,
          withOpportunity: mayCreateOpp,
          oppName: opportunityNameFor(lead, i18n.language),
          amount: budgetYuan,
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
          <Form.Item name="customerName" label={t('leads.convert.customerName')} rules={[{ required: true }]}>
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
        <Form.Item name="withOpportunity" valuePropName="checked" hidden={!mayCreateOpp}>
          <Checkbox>{t('leads.convert.withOpportunity')}</Checkbox>
        </Form.Item>
        {withOpp && (
          <>
            <Form.Item name="oppName" label={t('leads.convert.oppName')} rules={[{ required: true }]}>
              <Input maxLength={200} data-testid="convert-opp-name" />
            </Form.Item>
            <Form.Item
              name="amount"
              label={t('leads.convert.amount')}
              extra={budgetYuan !== undefined ? t('leads.convert.amountFromBudget') : undefined}
            >
              <InputNumber min={0} style={{ width: '100%' }} data-testid="convert-amount" />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
