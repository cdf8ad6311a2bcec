import {
  CheckCircleOutlined,
  EditOutlined,
  InboxOutlined,
  KeyOutlined,
  MailOutlined,
  PlusOutlined,
  StopOutlined,
  UnlockOutlined,
} from '@ant-design/icons';
import type { PasswordReset, ResetLinkSent, UserCreated } from '@kehu/contracts/admin';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Form, Input, Modal, Select, Space, Table, Tag, Tooltip, TreeSelect } from 'antd';
import dayjs from 'dayjs';
import { lazy, Suspense, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { buildUnitTree } from '../app/unit-tree';
import { ApiError, http } from '../shared/api-client';
import { ErrorResult, errorMessage } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';
import { type AdminUser, adminApi } from './admin-api';
import { AdminPageHeader } from './admin-page-header';
import { useDisablePrompt } from './disable-prompt';
import { OneTimeSecret } from './one-time-secret';

const MailOutboxDrawer = lazy(() =>
  import('./mail-outbox-drawer').then((m) => ({ default: m.MailOutboxDrawer })),
);

interface UserForm {
  login: string;
  name: string;
  email?: string;
  phone?: string;
  unitId: string;
  roleIds: string[];
  password?: string;
  locale?: string;
}

export function UsersPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const isMobile = useIsMobile();
  const qc = useQueryClient();
  const users = useQuery({ queryKey: ['admin', 'users'], queryFn: adminApi.users });
  const units = useQuery({ queryKey: ['admin', 'units'], queryFn: adminApi.units });
  const roles = useQuery({ queryKey: ['admin', 'roles'], queryFn: adminApi.roles });
  const [editing, setEditing] = useState<AdminUser | 'new' | null>(null);
  const [secret, setSecret] = useState<{ title: string; password: string } | null>(null);
  const [search, setSearch] = useState('');
  const [outboxOpen, setOutboxOpen] = useState(false);
  const [form] = Form.useForm<UserForm>();

  const unitTree = useMemo(
    () => buildUnitTree((units.data ?? []).map((u) => ({ ...u, parentId: u.parentId }))),
    [units.data],
  );
  const unitName = (id: string | null) => units.data?.find((u) => u.id === id)?.name ?? id ?? '—';
  const roleName = (id: string) => roles.data?.find((r) => r.id === id)?.name ?? id;
  const invalidate = () => qc.invalidateQueries({ queryKey: ['admin', 'users'] });

  const save = useMutation({
    mutationFn: async (v: UserForm) => {
      if (editing === 'new')
        return http.post<UserCreated>('/admin/users', {
          ...v,
          password: v.password || undefined,
        });
      const { login: _l, password: _p, ...patch } = v;
      return http.patch<AdminUser>(`/admin/users/${(editing as AdminUser).id}`, patch);
    },
    onSuccess: (res, v) => {
      invalidate();
      const generated = (res as { password?: string } | undefined)?.password;
      if (editing === 'new' && generated)
        setSecret({ title: t('admin.users.createdWithPassword', { login: v.login }), password: generated });
      else message.success(t('common.savedToast'));
      setEditing(null);
    },
    onError: (e) => {
      if (e instanceof ApiError && e.problem.errors?.length) {
        form.setFields(
          e.problem.errors.map((fe) => ({ name: fe.field as keyof UserForm, errors: [fe.message] })),
        );
      } else if (e instanceof ApiError && e.problem.field) {
        form.setFields([{ name: e.problem.field as keyof UserForm, errors: [e.message] }]);
      } else message.error(errorMessage(e));
    },
  });
  const disablePrompt = useDisablePrompt();
  const setStatus = useMutation({
    mutationFn: (u: AdminUser) =>
      http.patch(`/admin/users/${u.id}`, { status: u.status === 'active' ? 'disabled' : 'active' }),
    onSuccess: (_r, u) => {
      invalidate();
      message.success(t('common.savedToast'));
      if (u.status === 'active') void disablePrompt(u.id);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const unlock = useMutation({
    mutationFn: (u: AdminUser) => http.post(`/admin/users/${u.id}/unlock`),
    onSuccess: () => {
      invalidate();
      message.success(t('admin.users.unlocked'));
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const sendResetLink = (u: AdminUser) =>
    modal.confirm({
      title: t('admin.users.sendResetConfirm', { name: u.name }),
      content: t('admin.users.sendResetHint'),
      okButtonProps: { 'data-testid': 'send-reset-ok' } as Record<string, string>,
      onOk: async () => {
        try {
          const res = await http.post<ResetLinkSent>(`/admin/users/${u.id}/send-reset-link`);
          message.success(
            res.via === 'outbox'
              ? t('admin.users.resetLinkInOutbox')
              : t('admin.users.resetLinkSent', { to: res.to }),
          );
          qc.invalidateQueries({ queryKey: ['admin', 'mail-outbox'] });
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });
  const resetPassword = (u: AdminUser) =>
    modal.confirm({
      title: t('admin.users.resetConfirm', { name: u.name }),
      content: t('admin.users.resetHint'),
      onOk: async () => {
        try {
          const res = await http.post<PasswordReset>(`/admin/users/${u.id}/reset-password`);
          setSecret({ title: t('admin.users.newPasswordFor', { name: u.name }), password: res.password });
        } catch (e) {
          message.error(errorMessage(e));
        }
      },
    });

  const open = (u: AdminUser | 'new') => {
    form.resetFields();
    if (u === 'new') form.setFieldsValue({ roleIds: [], locale: 'zh-CN' });
    else
      form.setFieldsValue({
        login: u.login,
        name: u.name,
        email: u.email ?? '',
        phone: u.phone ?? '',
        unitId: u.unitId ?? undefined,
        roleIds: u.roleIds,
        locale: u.locale ?? 'zh-CN',
      });
    setEditing(u);
  };

  const rows = (users.data ?? []).filter(
    (u) =>
      !search ||
      `${u.name} ${u.login} ${u.email ?? ''} ${u.phone ?? ''}`.toLowerCase().includes(search.toLowerCase()),
  );

  return (
    <div className="kehu-page">
      <AdminPageHeader
        title={t('admin.nav.users')}
        extra={
          <Space wrap>
            <Button
              icon={<InboxOutlined />}
              onClick={() => setOutboxOpen(true)}
              data-testid="mail-outbox-open"
            >
              {t('admin.users.outbox')}
            </Button>
            <Button
              type="primary"
              icon={<PlusOutlined />}
              onClick={() => open('new')}
              data-testid="user-create"
            >
              {t('admin.users.create')}
            </Button>
          </Space>
        }
      />
      <Card>
        <Input.Search
          allowClear
          placeholder={t('admin.users.search')}
          onChange={(e) => setSearch(e.target.value)}
          style={{ maxWidth: 320, marginBottom: 12 }}
        />
        {users.error ? (
          <ErrorResult error={users.error} onRetry={() => users.refetch()} />
        ) : (
          <Table<AdminUser>
            rowKey="id"
            loading={users.isPending}
            dataSource={rows}
            size="middle"
            scroll={{ x: 'max-content' }}
            pagination={{ pageSize: 20, hideOnSinglePage: true, size: isMobile ? 'small' : 'default' }}
            data-testid="users-table"
            columns={[
              {
                title: t('admin.users.name'),
                dataIndex: 'name',
                render: (v, u) => (
                  <span>
                    {v}
                    <div style={{ color: 'rgba(0,0,0,.45)', fontSize: 12 }}>{u.login}</div>
                  </span>
                ),
              },
              {
                title: t('admin.users.unit'),
                dataIndex: 'unitId',
                render: (v, u) => u.unitName ?? unitName(v),
                responsive: ['md'],
              },
              {
                title: t('admin.users.roles'),
                dataIndex: 'roleIds',
                responsive: ['md'],
                render: (_, u) =>
                  u.roleIds.map(roleName).map((n) => (
                    <Tag key={n} bordered={false}>
                      {n}
                    </Tag>
                  )),
              },
              {
                title: t('admin.users.status'),
                dataIndex: 'status',
                render: (s) => (
                  <Tag color={s === 'active' ? 'green' : 'default'}>
                    {t(`admin.users.statuses.${s}`, { defaultValue: s })}
                  </Tag>
                ),
              },
              {
                title: t('admin.users.lastLogin'),
                dataIndex: 'lastLoginAt',
                responsive: ['lg'],
                render: (v) => (v ? dayjs(v).format('YYYY-MM-DD HH:mm') : '—'),
              },
              {
                title: t('common.actions'),
                key: 'actions',
                fixed: isMobile ? undefined : 'right',
                render: (_, u) => (
                  <Space size={0}>
                    <Tooltip title={t('common.edit')}>
                      <Button
                        type="text"
                        icon={<EditOutlined />}
                        onClick={() => open(u)}
                        aria-label={t('common.edit')}
                        data-testid={`user-edit-${u.login}`}
                      />
                    </Tooltip>
                    {u.email && (
                      <Tooltip title={t('admin.users.sendResetLink')}>
                        <Button
                          type="text"
                          icon={<MailOutlined />}
                          onClick={() => sendResetLink(u)}
                          aria-label={t('admin.users.sendResetLink')}
                          data-testid={`user-send-reset-${u.login}`}
                        />
                      </Tooltip>
                    )}
                    <Tooltip title={t('admin.users.resetPassword')}>
                      <Button
                        type="text"
                        icon={<KeyOutlined />}
                        onClick={() => resetPassword(u)}
                        aria-label={t('admin.users.resetPassword')}
                        data-testid={`user-reset-${u.login}`}
                      />
                    </Tooltip>
                    {u.lockedUntil && (
                      <Tooltip title={t('admin.users.unlock')}>
                        <Button
                          type="text"
                          icon={<UnlockOutlined />}
                          onClick={() => unlock.mutate(u)}
                          aria-label={t('admin.users.unlock')}
                          data-testid={`user-unlock-${u.login}`}
                        />
                      </Tooltip>
                    )}
                    <Tooltip
                      title={u.status === 'active' ? t('admin.users.disable') : t('admin.users.enable')}
                    >
                      <Button
                        type="text"
                        danger={u.status === 'active'}
                        icon={u.status === 'active' ? <StopOutlined /> : <CheckCircleOutlined />}
                        onClick={() =>
                          u.status === 'active'
                            ? modal.confirm({
                                title: t('admin.users.disableConfirm', { name: u.name }),
                                okButtonProps: { danger: true },
                                onOk: () => setStatus.mutateAsync(u),
                              })
                            : setStatus.mutate(u)
                        }
                        aria-label={
                          u.status === 'active' ? t('admin.users.disable') : t('admin.users.enable')
                        }
                        data-testid={`user-toggle-${u.login}`}
                      />
                    </Tooltip>
                  </Space>
                ),
              },
            ]}
          />
        )}
      </Card>

      <Modal
        open={!!editing}
        title={editing === 'new' ? t('admin.users.create') : t('admin.users.edit')}
        onCancel={() => setEditing(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
        width={560}
      >
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)}>
          <Form.Item
            name="login"
            label={t('admin.users.login')}
            rules={[{ required: true, whitespace: true }]}
          >
            <Input disabled={editing !== 'new'} autoComplete="off" data-testid="user-login" />
          </Form.Item>
          <Form.Item name="name" label={t('admin.users.name')} rules={[{ required: true, whitespace: true }]}>
            <Input data-testid="user-name" />
          </Form.Item>
          <Space.Compact block style={{ gap: 12, display: 'flex', flexWrap: isMobile ? 'wrap' : 'nowrap' }}>
            <Form.Item
              name="email"
              label={t('admin.users.email')}
              rules={[{ type: 'email' }]}
              style={{ flex: 1, minWidth: 200 }}
            >
              <Input />
            </Form.Item>
            <Form.Item name="phone" label={t('admin.users.phone')} style={{ flex: 1, minWidth: 200 }}>
              <Input inputMode="tel" />
            </Form.Item>
          </Space.Compact>
          <Form.Item name="unitId" label={t('admin.users.unit')} rules={[{ required: true }]}>
            <TreeSelect
              treeData={unitTree}
              treeDefaultExpandAll
              showSearch
              treeNodeFilterProp="title"
              loading={units.isPending}
              data-testid="user-unit"
            />
          </Form.Item>
          <Form.Item
            name="roleIds"
            label={t('admin.users.roles')}
            rules={[{ required: true, type: 'array', min: 1 }]}
          >
            <Select
              mode="multiple"
              loading={roles.isPending}
              options={(roles.data ?? []).map((r) => ({ value: r.id, label: r.name }))}
              optionFilterProp="label"
              data-testid="user-roles"
            />
          </Form.Item>
          {editing !== 'new' && (
            <Form.Item name="locale" label={t('admin.users.locale')}>
              <Select
                options={[
                  { value: 'zh-CN', label: '简体中文' },
                  { value: 'en-US', label: 'English' },
                ]}
              />
            </Form.Item>
          )}
          {editing === 'new' && (
            <Form.Item
              name="password"
              label={t('admin.users.initialPassword')}
              extra={t('admin.users.passwordHint')}
            >
              <Input.Password autoComplete="new-password" />
            </Form.Item>
          )}
          <button type="submit" hidden />
        </Form>
      </Modal>

      <Modal
        open={!!secret}
        title={secret?.title}
        onCancel={() => setSecret(null)}
        onOk={() => setSecret(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
        okText={t('common.done')}
      >
        {secret && <OneTimeSecret value={secret.password} testId="one-time-password" />}
      </Modal>
      {outboxOpen && (
        <Suspense fallback={null}>
          <MailOutboxDrawer onClose={() => setOutboxOpen(false)} />
        </Suspense>
      )}
    </div>
  );
}
