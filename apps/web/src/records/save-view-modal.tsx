import { Form, Input, Modal, Switch } from 'antd';
import { useTranslation } from 'react-i18next';

/** "Save view as": a name and whether the team sees it. Loaded when first asked for (a form engine for two fields). */
export function SaveViewModal({
  open,
  saving,
  onSave,
  onClose,
}: {
  open: boolean;
  saving: boolean;
  onSave: (v: { name: string; shared: boolean }) => void;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const [form] = Form.useForm<{ name: string; shared: boolean }>();
  return (
    <Modal
      open={open}
      title={t('views.saveAs')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={saving}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={{ name: '', shared: false }}
        preserve={false}
        onFinish={(v) => onSave({ name: v.name, shared: !!v.shared })}
      >
        <Form.Item
          name="name"
          label={t('views.name')}
          rules={[{ required: true, whitespace: true }, { max: 100 }]}
        >
          <Input autoFocus data-testid="view-name" />
        </Form.Item>
        <Form.Item
          name="shared"
          label={t('views.shared')}
          valuePropName="checked"
          extra={t('views.sharedHint')}
        >
          <Switch data-testid="view-shared" />
        </Form.Item>
      </Form>
    </Modal>
  );
}
