import {
  ArrowLeftOutlined,
  DeleteOutlined,
  EditOutlined,
  InsertRowRightOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Skeleton, Space, Table, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { type FieldMeta, useLabel, useObjectMeta } from '../app/meta';
import { http } from '../shared/api-client';
import { ErrorResult, errorMessage } from '../shared/ui/error-result';
import { AdminPageHeader } from './admin-page-header';
import { FieldEditor } from './field-editor';

export function FieldsPage() {
  const { object } = useParams();
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const meta = useObjectMeta(object);
  const [editing, setEditing] = useState<FieldMeta | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (f: FieldMeta) => http.del(`/meta/objects/${object}/fields/${f.apiName}`),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['meta'] });
      message.success(t('common.deletedToast'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  // One click puts a field at the end of the object's default list columns.
  const addColumn = useMutation({
    mutationFn: (f: FieldMeta) =>
      http.patch(`/meta/objects/${object}`, { listColumns: [...(meta.data?.listColumns ?? []), f.apiName] }),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['meta'] });
      message.success(t('admin.fields.addedToListColumns'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  if (meta.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active />
      </div>
    );
  if (meta.error)
    return (
      <div className="kehu-page">
        <ErrorResult error={meta.error} onRetry={() => meta.refetch()} />
      </div>
    );
  const m = meta.data;

  return (
    <div className="kehu-page">
      <Button
        type="link"
        icon={<ArrowLeftOutlined />}
        onClick={() => navigate('/admin/objects')}
        style={{ padding: 0 }}
      >
        {t('admin.nav.objects')}
      </Button>
      <AdminPageHeader
        title={
          <span>
            {label(m.label, m.apiName)} <ApiNameCode>{m.apiName}</ApiNameCode>
          </span>
        }
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-testid="field-create"
          >
            {t('admin.fields.create')}
          </Button>
        }
      />
      <Card>
        <Table<FieldMeta>
          rowKey="apiName"
          dataSource={m.fields}
          pagination={false}
          size="middle"
          scroll={{ x: 'max-content' }}
          data-testid="fields-table"
          columns={[
            { title: t('admin.fields.label'), key: 'l', render: (_, f) => label(f.label, f.apiName) },
            {
              title: t('admin.fields.apiName'),
              dataIndex: 'apiName',
              render: (v) => <code className="kehu-mono">{v}</code>,
            },
            {
              title: t('admin.fields.type'),
              dataIndex: 'type',
              render: (v) => <Tag bordered={false}>{t(`admin.fields.types.${v}`, { defaultValue: v })}</Tag>,
            },
            {
              title: t('admin.fields.flags'),
              key: 'flags',
              responsive: ['md'],
              render: (_, f) => (
                <Space size={4} wrap>
                  {f.required && (
                    <Tag color="red" bordered={false}>
                      {t('admin.fields.required')}
                    </Tag>
                  )}
                  {f.unique && (
                    <Tag color="blue" bordered={false}>
                      {t('admin.fields.unique')}
                    </Tag>
                  )}
                  {f.isCustom ? (
                    <Tag color="purple" bordered={false}>
                      {t('admin.objects.custom')}
                    </Tag>
                  ) : f.system ? (
                    <Tag bordered={false}>{t('admin.fields.system')}</Tag>
                  ) : null}
                  {f.classification && f.classification !== 'public' && (
                    <Tag color="orange" bordered={false}>
                      {t(`admin.fields.classifications.${f.classification}`)}
                    </Tag>
                  )}
                </Space>
              ),
            },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_, f) => (
                <Space size={0}>
                  {f.isCustom && !m.listColumns.includes(f.apiName) && (
                    <Tooltip title={t('admin.fields.addToListColumns')}>
                      <Button
                        type="text"
                        icon={<InsertRowRightOutlined />}
                        loading={addColumn.isPending && addColumn.variables?.apiName === f.apiName}
                        onClick={() => addColumn.mutate(f)}
                        aria-label={t('admin.fields.addToListColumns')}
                        data-testid={`field-add-column-${f.apiName}`}
                      />
                    </Tooltip>
                  )}
                  <Tooltip title={t('common.edit')}>
                    <Button
                      type="text"
                      icon={<EditOutlined />}
                      disabled={f.system}
                      onClick={() => setEditing(f)}
                      aria-label={t('common.edit')}
                      data-testid={`field-edit-${f.apiName}`}
                    />
                  </Tooltip>
                  <Tooltip title={f.isCustom ? t('common.delete') : t('admin.fields.onlyCustomDelete')}>
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      disabled={!f.isCustom}
                      aria-label={t('common.delete')}
                      onClick={() =>
                        modal.confirm({
                          title: t('admin.fields.confirmDelete', { name: label(f.label, f.apiName) }),
                          content: t('admin.fields.deleteHint'),
                          okButtonProps: { danger: true },
                          okText: t('common.delete'),
                          onOk: () => remove.mutateAsync(f),
                        })
                      }
                    />
                  </Tooltip>
                </Space>
              ),
            },
          ]}
        />
      </Card>
      {editing && (
        <FieldEditor
          object={m.apiName}
          field={editing === 'new' ? null : editing}
          meta={m}
          onClose={() => setEditing(null)}
        />
      )}
    </div>
  );
}

function ApiNameCode({ children }: { children: React.ReactNode }) {
  return (
    <code className="kehu-mono" style={{ fontSize: 13, color: 'rgba(0,0,0,.45)', fontWeight: 400 }}>
      {children}
    </code>
  );
}
