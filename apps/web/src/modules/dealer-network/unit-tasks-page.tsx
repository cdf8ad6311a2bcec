import { CheckCircleOutlined, UploadOutlined } from '@ant-design/icons';
import {
  Alert,
  App,
  Button,
  Card,
  Checkbox,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Segmented,
  Space,
  Tag,
  Typography,
  Upload,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  complete,
  fileBase64,
  problemLines,
  type UnitTaskT,
  useNetworkMutation,
  useUnitTasks,
} from './dealer-network-api';

/** The tasks sent to the caller's own unit, to complete with the proof each asks for (phone first). */
export function UnitTasksPage() {
  const { t, i18n } = useTranslation();
  const { message } = App.useApp();
  const [status, setStatus] = useState<'open' | 'done' | 'all'>('open');
  const list = useUnitTasks(status);
  const items = list.data?.items ?? [];
  const [doing, setDoing] = useState<UnitTaskT | null>(null);
  const [photo, setPhoto] = useState<File | null>(null);
  const [form] = Form.useForm();
  const submit = useNetworkMutation(async (v: { text?: string; checked?: boolean }) =>
    complete(doing!.target.id, {
      version: doing!.target.version,
      text: v.text || undefined,
      checked: v.checked || undefined,
      photo: photo ? await fileBase64(photo) : undefined,
    }),
  );
  const when = (iso: string) => new Date(iso).toLocaleString(i18n.language);
  return (
    <div className="kehu-page" data-testid="dnw-unit-tasks-page">
      <Typography.Title level={4}>{t('dnw.unitTasks.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dnw.unitTasks.intro')}</Typography.Paragraph>
      <Segmented
        style={{ marginBottom: 12 }}
        value={status}
        onChange={(v) => setStatus(v as typeof status)}
        options={(['open', 'done', 'all'] as const).map((k) => ({
          value: k,
          label: t(`dnw.unitTasks.tabs.${k}`),
        }))}
      />
      {list.error && <Alert type="error" showIcon message={problemLines(list.error).join('；')} />}
      {!list.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={status === 'done' ? t('dnw.unitTasks.emptyDone') : t('dnw.unitTasks.empty')} />
        </Card>
      ) : (
        <List
          loading={list.isLoading}
          dataSource={items}
          renderItem={(x) => (
            <Card size="small" style={{ marginBottom: 8 }} data-testid="dnw-unit-task">
              <Space direction="vertical" style={{ width: '100%' }} size={4}>
                <Space wrap>
                  <Tag>{t(`dnw.tasks.kinds.${x.kind}`)}</Tag>
                  <Typography.Text strong>{x.title}</Typography.Text>
                  {x.target.overdue && <Tag color="red">{t('dnw.tasks.chartOverdue')}</Tag>}
                  {x.target.status === 'done' && (
                    <Tag color="green" icon={<CheckCircleOutlined />}>
                      {t('dnw.unitTasks.done')}
                    </Tag>
                  )}
                </Space>
                {x.body && <Typography.Paragraph style={{ margin: 0 }}>{x.body}</Typography.Paragraph>}
                <Typography.Text type={x.target.overdue ? 'danger' : 'secondary'}>
                  {t('dnw.unitTasks.due', { d: when(x.dueAt) })} · {t('dnw.unitTasks.from')}: {x.unitName}
                </Typography.Text>
                <Space wrap>
                  {x.link && (
                    <Button
                      size="small"
                      href={x.link}
                      target={x.link.startsWith('https') ? '_blank' : undefined}
                      rel="noopener"
                    >
                      {t('dnw.unitTasks.open')}
                    </Button>
                  )}
                  {x.target.status === 'open' && (
                    <Button size="small" type="primary" onClick={() => setDoing(x)}>
                      {t('dnw.unitTasks.complete')} · {t(`dnw.tasks.proofs.${x.proof}`)}
                    </Button>
                  )}
                  {x.target.status === 'done' && x.target.proofText && (
                    <Typography.Text type="secondary">{x.target.proofText}</Typography.Text>
                  )}
                </Space>
              </Space>
            </Card>
          )}
        />
      )}
      <Modal
        open={doing !== null}
        title={doing?.title}
        okText={t('dnw.unitTasks.submit')}
        onCancel={() => {
          setDoing(null);
          setPhoto(null);
        }}
        onOk={() => form.submit()}
        confirmLoading={submit.isPending}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          preserve={false}
          onFinish={(v) =>
            submit.mutate(v, {
              onSuccess: () => {
                setDoing(null);
                setPhoto(null);
                message.success(t('dnw.unitTasks.done'));
              },
              onError: (e) => message.error(problemLines(e).join('；')),
            })
          }
        >
          {doing?.proof === 'photo' && (
            <Form.Item label={t('dnw.unitTasks.photo')} extra={t('dnw.unitTasks.photoHint')} required>
              <Upload
                accept="image/png,image/jpeg"
                maxCount={1}
                beforeUpload={(f) => {
                  setPhoto(f);
                  return false;
                }}
                onRemove={() => setPhoto(null)}
              >
                <Button icon={<UploadOutlined />}>{t('dnw.unitTasks.photo')}</Button>
              </Upload>
            </Form.Item>
          )}
          {doing?.proof === 'checkbox' && (
            <Form.Item name="checked" valuePropName="checked">
              <Checkbox>{t('dnw.unitTasks.checked')}</Checkbox>
            </Form.Item>
          )}
          <Form.Item
            name="text"
            label={t('dnw.unitTasks.text')}
            rules={doing?.proof === 'text' ? [{ required: true }] : []}
          >
            <Input.TextArea maxLength={2000} />
          </Form.Item>
        </Form>
      </Modal>
    </div>
  );
}
