import { DeleteOutlined, EditOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Space, Tag, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ME_KEY } from '../app/session';
import { http } from '../shared/api-client';
import { DataTable } from '../shared/ui/data-table';
import { errorMessage } from '../shared/ui/error-result';
import { type AdminRole, adminApi } from './admin-api';
import { AdminPageHeader } from './admin-page-header';
import { RoleEditor } from './role-editor';

export function RolesPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const roles = useQuery({ queryKey: ['admin', 'roles'], queryFn: adminApi.roles });
  const [editing, setEditing] = useState<AdminRole | 'new' | null>(null);
  const remove = useMutation({
    mutationFn: (id: string) => http.del(`/admin/roles/${id}`),
    onSuccess: () => {
      qc.invalidateQueries({ queryKey: ['admin', 'roles'] });
      qc.invalidateQueries({ queryKey: ME_KEY });
      message.success(t('common.deletedToast'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });

  return (
    <div className="kehu-page">
      <AdminPageHeader
        title={t('admin.nav.roles')}
        description={t('admin.roles.hint')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setEditing('new')}
            data-testid="role-create"
          >
            {t('admin.roles.create')}
          </Button>
        }
      />
      <Card>
        <DataTable<AdminRole>
          rows={roles.data}
          loading={roles.isPending}
          error={roles.error}
          onRetry={() => roles.refetch()}
          testId="roles-table"
          onRow={(r) => ({ onDoubleClick: () => setEditing(r) })}
          columns={[
            {
              key: 'name',
              title: t('admin.roles.name'),
              dataIndex: 'name',
              render: (v, r) => (
                <Space>
                  {v}
                  {r.isSystem && <Tag bordered={false}>{t('admin.roles.system')}</Tag>}
                </Space>
              ),
            },
            {
              key: 'description',
              title: t('admin.roles.description'),
              dataIndex: 'description',
              ellipsis: true,
              responsive: ['md'],
            },
            {
              title: t('admin.roles.permissionCount'),
              key: 'perms',
              render: (_, r) =>
                r.permissions.includes('*') ? (
                  <Tag color="red">{t('admin.roles.allPermissions')}</Tag>
                ) : (
                  r.permissions.length
                ),
            },
            {
              key: 'userCount',
              title: t('admin.roles.userCount'),
              dataIndex: 'userCount',
              responsive: ['md'],
              render: (v) => v ?? '—',
            },
            {
              title: t('common.actions'),
              key: 'a',
              render: (_, r) => (
                <Space size={0}>
                  <Tooltip title={t('common.edit')}>
                    <Button
                      type="text"
                      icon={<EditOutlined />}
                      onClick={() => setEditing(r)}
                      aria-label={t('common.edit')}
                      data-testid={`role-edit-${r.name}`}
                    />
                  </Tooltip>
                  <Tooltip title={t('common.delete')}>
                    <Button
                      type="text"
                      danger
                      icon={<DeleteOutlined />}
                      disabled={r.isSystem}
                      aria-label={t('common.delete')}
                      onClick={() =>
                        modal.confirm({
                          title: t('admin.roles.confirmDelete', { name: r.name }),
                          okButtonProps: { danger: true },
                          okText: t('common.delete'),
                          onOk: () => remove.mutateAsync(r.id),
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
      {editing && <RoleEditor role={editing === 'new' ? null : editing} onClose={() => setEditing(null)} />}
    </div>
  );
}
