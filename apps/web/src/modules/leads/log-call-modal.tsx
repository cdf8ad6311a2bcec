import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, DatePicker, Form, Input, InputNumber, Modal, Radio } from 'antd';
import type { Dayjs } from 'dayjs';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { leadsKeys } from './leads-keys';

/** Logs a call/visit/WeCom chat on a lead (stops its first-response clock) and an optional next follow-up task. */
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
  const save = useMutation({
    mutationFn: async (v: {
      type: string;
      subject: string;
      content?: string;
      durationMinutes?: number;
      next?: Dayjs;
    }) => {
      await http.post('/records/activity', {
        type: v.type,
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
    onSuccess: () => {
      message.success(t('leads.inbox.callLogged'));
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
