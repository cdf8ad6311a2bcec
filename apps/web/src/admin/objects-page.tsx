import { PlusOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Tag } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type ObjectSummary, useLabel, useObjects } from '../app/meta';
import { objectIcon } from '../app/object-icon';
import { ApiError, http } from '../shared/api-client';
import { DataTable } from '../shared/ui/data-table';
import { errorMessage } from '../shared/ui/error-result';
import { AdminPageHeader } from './admin-page-header';

interface NewObject {
  apiName: string;
  labelZh: string;
  labelEn: string;
  pluralZh: string;
  pluralEn: string;
  icon?: string;
}

export function ObjectsPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const objects = useObjects();
  const [open, setOpen] = useState(false);
  const [form] = Form.useForm<NewObject>();
  const create = useMutation({
    mutationFn: (v: NewObject) =>
      http.post('/meta/objects', {
        apiName: v.apiName,
        label: { 'zh-CN': v.labelZh, 'en-US': v.labelEn || v.labelZh },
        pluralLabel: { 'zh-CN': v.pluralZh || v.labelZh, 'en-US': v.pluralEn || v.labelEn || v.labelZh },
        icon: v.icon || undefined,
      }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['meta'] });
      message.success(t('common.savedToast'));
      setOpen(false);
    },
    onError: (e) => {
      if (e instanceof ApiError && (e.problem.errors?.length || e.problem.field)) {
        const errs = e.problem.errors ?? [{ field: e.problem.field!, message: e.message }];
        form.setFields(
          errs.map((fe) => ({
            name: (fe.field === 'label'
              ? 'labelZh'
              : fe.field === 'pluralLabel'
                ? 'pluralZh'
                : fe.field) as keyof NewObject,
            errors: [fe.message],
          })),
        );
      } else message.error(errorMessage(e));
    },
  });

  return (
    <div className="kehu-page">
      <AdminPageHeader
        title={t('admin.nav.objects')}
        description={t('admin.objects.hint')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              form.resetFields();
              setOpen(true);
            }}
            data-testid="object-create"
          >
            {t('admin.objects.create')}
          </Button>
        }
      />
      <Card>
        <DataTable<ObjectSummary>
          rowKey="apiName"
          rows={objects.data}
          loading={objects.isPending}
          error={objects.error}
          onRetry={() => objects.refetch()}
          testId="objects-table"
          columns={[
            {
              title: t('admin.objects.label'),
              key: 'label',
              render: (_, o) => (
                <Link to={`/admin/objects/${o.apiName}`} data-testid={`object-${o.apiName}`}>
                  <span style={{ marginRight: 8 }}>{objectIcon(o.icon, o.apiName)}</span>
                  {label(o.label, o.apiName)}
                </Link>
              ),
            },
            {
              key: 'apiName',
              title: t('admin.objects.apiName'),
              dataIndex: 'apiName',
              render: (v) => <code className="kehu-mono">{v}</code>,
            },
            {
              key: 'isCustom',
              title: t('admin.objects.kind'),
              dataIndex: 'isCustom',
              render: (c) =>
                c ? (
                  <Tag color="purple" bordered={false}>
                    {t('admin.objects.custom')}
                  </Tag>
                ) : (
                  <Tag bordered={false}>{t('admin.objects.standard')}</Tag>
                ),
            },
            {
              title: '',
              key: 'go',
              render: (_, o) => (
                <Link to={`/admin/objects/${o.apiName}`}>{t('admin.objects.manageFields')}</Link>
              ),
            },
          ]}
        />
      </Card>
      <Modal
        open={open}
        title={t('admin.objects.create')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)}>
          <Form.Item
            name="apiName"
            label={t('admin.objects.apiName')}
            extra={t('admin.objects.apiNameHint')}
            rules={[
              { required: true },
              { pattern: /^[a-z][a-z0-9_]{1,40}$/, message: t('admin.objects.apiNamePattern') },
            ]}
          >
            <Input
              className="kehu-mono"
              autoFocus
              placeholder="warranty_card"
              data-testid="object-api-name"
            />
          </Form.Item>
          <Form.Item
            name="labelZh"
            label={`${t('admin.objects.label')} (中文)`}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input data-testid="object-label-zh" />
          </Form.Item>
          <Form.Item name="labelEn" label={`${t('admin.objects.label')} (English)`}>
            <Input data-testid="object-label-en" />
          </Form.Item>
          <Form.Item name="pluralZh" label={`${t('admin.objects.pluralLabel')} (中文)`}>
            <Input />
          </Form.Item>
          <Form.Item name="pluralEn" label={`${t('admin.objects.pluralLabel')} (English)`}>
            <Input />
          </Form.Item>
          <Form.Item name="icon" label={t('admin.objects.icon')} extra={t('admin.objects.iconHint')}>
            <Input placeholder="file" />
          </Form.Item>
          <button type="submit" hidden />
        </Form>
      </Modal>
    </div>
  );
}
