import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, DatePicker, Form, Input, InputNumber, Modal, Radio } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { leadsKeys } from './leads-keys';

const OUTCOMES = ['connected', 'no_answer', 'invalid_number', 'refused'] as const;

/**
 * Logs a call/visit/WeCom chat on a lead and an optional next follow-up task. A call says how
 * it went: only a connected call (or a visit/WeCom chat) stops the first-response clock, and
 * the outcome moves the score (server rules: modules/leads/README.md).
 */
export function LogCallModal({
  leadId,
  open,
  onClose,
}: {
  leadId: string | null;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const type = Form.useWatch('type', form) ?? 'call';
  const outcome = Form.useWatch('outcome', form) as (typeof OUTCOMES)[number] | undefined;
  const save = useMutation({
    mutationFn: async (v: {
      type: string;
      outcome?: string;
      subject: string;
      content?: string;
      durationMinutes?: number;
      next?: Dayjs;
    }) => {
      await http.post('/records/activity', {
        type: v.type,
        ...(v.type === 'call' ? { outcome: v.outcome } : {}),
        subject: v.subject,
        content: v.content,
        durationMinutes: v.durationMinutes,
        leadId,
      });
      if (v.next)
        await http.post('/records/activity', {
          type: 'task',
          subject: v.subject,
          dueAt: v.next.toISOString(),
          status: 'open',
          leadId,
        });
    },
    onSuccess: (_, v) => {
      if (v.type === 'call' && v.outcome !== 'connected') message.info(t('leads.inbox.callLoggedNoResponse'));
      else message.success(t('leads.inbox.callLogged'));
      void qc.invalidateQueries({ queryKey: leadsKeys.all });
      form.resetFields();
      onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Modal
      open={open}
      title={t('leads.call.title')}
      onCancel={onClose}
      onOk={() => form.submit()}
      okText={t('leads.common.save')}
      cancelText={t('leads.common.cancel')}
      confirmLoading={save.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'log-call-save' } as any}
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ type: 'call', subject: t('leads.call.subjectDefault') }}
        onFinish={(v) => save.mutate(v)}
      >
        <Form.Item name="type" label={t('leads.call.type')}>
          <Radio.Group
            optionType="button"
            options={['call', 'wecom', 'visit'].map((v) => ({ value: v, label: t(`leads.call.types.${v}`) }))}
          />
        </Form.Item>
        {type === 'call' && (
          <Form.Item
            name="outcome"
            label={t('leads.call.outcome')}
            rules={[{ required: true }]}
            extra={outcome ? t(`leads.call.outcomeHint.${outcome}`) : undefined}
          >
            <Radio.Group
              optionType="button"
              buttonStyle="solid"
              data-testid="log-call-outcome"
              options={OUTCOMES.map((v) => ({ value: v, label: t(`leads.call.outcomes.${v}`) }))}
            />
          </Form.Item>
        )}
        <Form.Item name="subject" label={t('leads.call.subject')} rules={[{ required: true }]}>
          <Input maxLength={200} data-testid="log-call-subject" />
        </Form.Item>
        <Form.Item name="content" label={t('leads.call.content')}>
          <Input.TextArea rows={3} />
        </Form.Item>
        <Form.Item name="durationMinutes" label={t('leads.call.duration')}>
          <InputNumber min={0} style={{ width: '100%' }} />
        </Form.Item>
        <Form.Item name="next" label={t('leads.call.nextFollowUp')}>
          <DatePicker showTime style={{ width: '100%' }} />
        </Form.Item>
      </Form>
    </Modal>
  );
}
