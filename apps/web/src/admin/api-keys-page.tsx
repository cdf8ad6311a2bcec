import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import type { ApiKey, ApiKeyCreated } from '@kehu/contracts/admin';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Select, Tag } from 'antd';
import dayjs from 'dayjs';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabel, useObjects } from '../app/meta';
import { asItems, http } from '../shared/api-client';
import { DataTable } from '../shared/ui/data-table';
import { errorMessage } from '../shared/ui/error-result';
import { AdminPageHeader } from './admin-page-header';
import { OneTimeSecret } from './one-time-secret';
import { RECORD_ACTIONS } from './permission-catalogue';

export function ApiKeysPage() {
  const { t } = useTranslation();
  const label = useLabel();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const objects = useObjects();
  const keys = useQuery({
    queryKey: ['admin', 'api-keys'],
    queryFn: () => http.get<unknown>('/admin/api-keys').then((d) => asItems<ApiKey>(d)),
  });
  const [open, setOpen] = useState(false);
  const [created, setCreated] = useState<string | null>(null);
  const [form] = Form.useForm<{ name: string; scopes: string[] }>();

  const scopeOptions = useMemo(
    () => [
      {
        label: t('admin.apiKeys.scopeAll'),
        options: [{ value: '*', label: t('admin.apiKeys.scopeAllDesc') }],
      },
      ...(objects.data ?? []).map((o) => ({
        label: label(o.label, o.apiName),
        options: RECORD_ACTIONS.filter((a) => a !== 'unmask').map((a) => ({
          value: `${o.apiName}:${a}`,
          label: `${label(o.label, o.apiName)} · ${t(`admin.roles.actions.${a}`)}`,
        })),
      })),
    ],
    [objects.data, t, label],
  );

  const create = useMutation({
    mutationFn: (v: { name: string; scopes: string[] }) => http.post<ApiKeyCreated>('/admin/api-keys', v),
    onSuccess: (res) => {
      qc.invalidateQueries({ queryKey: ['admin', 'api-keys'] });
      setOpen(false);
      setCreated(res.key);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => http.del(`/admin/api-keys/${id}`),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['admin', 'api-keys'] });
      message.success(t('admin.apiKeys.revoked'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });

  return (
    <div className="kehu-page">
      <AdminPageHeader
        title={t('admin.nav.apiKeys')}
        description={t('admin.apiKeys.hint')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => {
              form.resetFields();
              setOpen(true);
            }}
            data-testid="apikey-create"
          >
            {t('admin.apiKeys.create')}
          </Button>
        }
      />
      <Card>
        <DataTable<ApiKey>
          rows={keys.data}
          loading={keys.isPending}
          error={keys.error}
          onRetry={() => keys.refetch()}
          testId="apikeys-table"
          empty={{ text: t('admin.apiKeys.empty') }}
          columns={[
            { key: 'name', title: t('admin.apiKeys.name'), dataIndex: 'name', card: 'title' },
            {
              key: 'prefix',
              title: t('admin.apiKeys.prefix'),
              dataIndex: 'prefix',
              render: (p) => <code className="kehu-mono">{p}…</code>,
            },
            {
              key: 'scopes',
              title: t('admin.apiKeys.scopes'),
              dataIndex: 'scopes',
              render: (s: string[]) =>
                (s ?? []).map((x) => (
                  <Tag key={x} bordered={false}>
                    {x === '*' ? t('admin.apiKeys.scopeAll') : x}
                  </Tag>
                )),
            },
            {
              key: 'lastUsed',
              title: t('admin.apiKeys.lastUsed'),
              dataIndex: 'lastUsedAt',
              render: (v) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : t('admin.apiKeys.never')),
            },
            {
              key: 'createdAt',
              title: t('admin.apiKeys.createdAt'),
              dataIndex: 'createdAt',
              responsive: ['md'],
              render: (v) => (v ? dayjs(v).format('YYYY-MM-DD') : '—'),
            },
            {
              title: t('common.actions'),
              key: 'actions',
              render: (_, k) =>
                k.revokedAt ? (
                  <Tag>{t('admin.apiKeys.revokedTag')}</Tag>
                ) : (
                  <Button
                    danger
                    type="text"
                    icon={<DeleteOutlined />}
                    onClick={() =>
                      modal.confirm({
                        title: t('admin.apiKeys.confirmRevoke', { name: k.name }),
                        content: t('admin.apiKeys.revokeHint'),
                        okButtonProps: { danger: true },
                        okText: t('admin.apiKeys.revoke'),
                        onOk: () => revoke.mutateAsync(k.id),
                      })
                    }
                    data-testid={`apikey-revoke-${k.id}`}
                  >
                    {t('admin.apiKeys.revoke')}
                  </Button>
                ),
            },
          ]}
        />
      </Card>
      <Modal
        open={open}
        title={t('admin.apiKeys.create')}
        onCancel={() => setOpen(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => create.mutate(v)} initialValues={{ scopes: [] }}>
          <Form.Item
            name="name"
            label={t('admin.apiKeys.name')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input autoFocus placeholder={t('admin.apiKeys.namePlaceholder')} data-testid="apikey-name" />
          </Form.Item>
          <Form.Item
            name="scopes"
            label={t('admin.apiKeys.scopes')}
            rules={[{ required: true, type: 'array', min: 1 }]}
          >
            <Select
              mode="multiple"
              options={scopeOptions}
              optionFilterProp="label"
              data-testid="apikey-scopes"
              maxTagCount="responsive"
            />
          </Form.Item>
          <button type="submit" hidden />
        </Form>
      </Modal>
      <Modal
        open={!!created}
        title={t('admin.apiKeys.createdTitle')}
        onCancel={() => setCreated(null)}
        onOk={() => setCreated(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okText={t('common.done')}
      >
        {created && <OneTimeSecret value={created} testId="apikey-secret" />}
      </Modal>
    </div>
  );
}
