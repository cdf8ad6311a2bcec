import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Form, Input, Modal } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import type { TagGroup } from './cdp-api';
import { cdpKeys } from './cdp-keys';

// Tag groups: name and order of the catalogue's sections.

export function GroupModal({
  group,
  open,
  onClose,
}: {
  group: TagGroup | null;
  open: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const save = useMutation({
    mutationFn: (v: { name: string; description?: string }) =>
      group ? http.patch(`/cdp/tag-groups/${group.id}`, v) : http.post('/cdp/tag-groups', v),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: cdpKeys.tags.list() });
      onClose();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Modal
      open={open}
      title={group ? t('cdp.tags.editGroup') : t('cdp.tags.newGroup')}
      onCancel={onClose}
      onOk={() => form.validateFields().then((v) => save.mutate(v))}
      confirmLoading={save.isPending}
      destroyOnHidden
      okButtonProps={{ 'data-testid': 'group-save' } as Record<string, string>}
    >
      <Form
        form={form}
        layout="vertical"
        preserve={false}
        initialValues={{ name: group?.name, description: group?.description ?? '' }}
      >
        <Form.Item name="name" label={t('cdp.tags.groupName')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="group-name" />
        </Form.Item>
        <Form.Item name="description" label={t('cdp.tags.groupDescription')}>
          <Input.TextArea rows={2} maxLength={1000} data-testid="group-description" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
