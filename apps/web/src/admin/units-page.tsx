import { DeleteOutlined, EditOutlined, MoreOutlined, PlusOutlined } from '@ant-design/icons';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { App, Button, Card, Dropdown, Empty, Form, Input, Modal, Select, Skeleton, Tag, Tree } from 'antd';
import type { DataNode } from 'antd/es/tree';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ME_KEY } from '../app/session';
import { http } from '../shared/api-client';
import { ErrorResult, errorMessage } from '../shared/ui/error-result';
import { type AdminUnit, adminApi, UNIT_TYPES } from './admin-api';
import { AdminPageHeader } from './admin-page-header';

type EditState = { mode: 'create'; parent: AdminUnit | null } | { mode: 'edit'; unit: AdminUnit } | null;

const TYPE_COLORS: Record<string, string> = {
  hq: 'magenta',
  region: 'blue',
  dealer: 'gold',
  store: 'green',
  team: 'purple',
};

export function UnitsPage() {
  const { t } = useTranslation();
  const { message, modal } = App.useApp();
  const qc = useQueryClient();
  const units = useQuery({ queryKey: ['admin', 'units'], queryFn: adminApi.units });
  const [edit, setEdit] = useState<EditState>(null);
  const [form] = Form.useForm<{ name: string; type: string; code?: string }>();

  const invalidate = () => {
    qc.invalidateQueries({ queryKey: ['admin', 'units'] });
    qc.invalidateQueries({ queryKey: ME_KEY });
  };
  const save = useMutation({
    mutationFn: async (v: { name: string; type: string; code?: string }) => {
      if (edit?.mode === 'edit') return http.patch(`/admin/units/${edit.unit.id}`, v);
      return http.post('/admin/units', {
        ...v,
        parentId: edit?.mode === 'create' ? (edit.parent?.id ?? null) : null,
      });
    },
    onSuccess: () => {
      message.success(t('common.savedToast'));
      setEdit(null);
      invalidate();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const remove = useMutation({
    mutationFn: (id: string) => http.del(`/admin/units/${id}`),
    onSuccess: () => {
      message.success(t('common.deletedToast'));
      invalidate();
    },
    onError: (e) => message.error(errorMessage(e)),
  });

  const openCreate = (parent: AdminUnit | null) => {
    form.setFieldsValue({
      name: '',
      code: '',
      type: parent
        ? (UNIT_TYPES[Math.min(UNIT_TYPES.indexOf(parent.type as never) + 1, UNIT_TYPES.length - 1)] ??
          'team')
        : 'hq',
    });
    setEdit({ mode: 'create', parent });
  };
  const openEdit = (unit: AdminUnit) => {
    form.setFieldsValue({ name: unit.name, type: unit.type, code: unit.code ?? '' });
    setEdit({ mode: 'edit', unit });
  };

  const tree = ((): DataNode[] => {
    const list = units.data ?? [];
    const byParent = new Map<string | null, AdminUnit[]>();
    const ids = new Set(list.map((u) => u.id));
    for (const u of list) {
      const p = u.parentId && ids.has(u.parentId) ? u.parentId : null;
      byParent.set(p, [...(byParent.get(p) ?? []), u]);
    }
    const build = (parent: string | null): DataNode[] =>
      (byParent.get(parent) ?? []).map((u) => ({
        key: u.id,
        title: (
          <span style={{ display: 'inline-flex', alignItems: 'center', gap: 8 }} data-testid={`unit-${u.id}`}>
            <span>{u.name}</span>
            <Tag color={TYPE_COLORS[u.type]} bordered={false} style={{ marginInlineEnd: 0 }}>
              {t(`admin.units.types.${u.type}`, { defaultValue: u.type })}
            </Tag>
            {u.code && <span style={{ color: 'rgba(0,0,0,.45)', fontSize: 12 }}>{u.code}</span>}
            <Dropdown
              trigger={['click']}
              menu={{
                items: [
                  { key: 'add', icon: <PlusOutlined />, label: t('admin.units.addChild') },
                  { key: 'edit', icon: <EditOutlined />, label: t('admin.units.rename') },
                  { key: 'delete', icon: <DeleteOutlined />, danger: true, label: t('common.delete') },
                ],
                onClick: ({ key, domEvent }) => {
                  domEvent.stopPropagation();
                  if (key === 'add') openCreate(u);
                  if (key === 'edit') openEdit(u);
                  if (key === 'delete')
                    modal.confirm({
                      title: t('admin.units.confirmDelete', { name: u.name }),
                      content: t('admin.units.deleteHint'),
                      okButtonProps: { danger: true },
                      okText: t('common.delete'),
                      onOk: () => remove.mutateAsync(u.id),
                    });
                },
              }}
            >
              <Button
                size="small"
                type="text"
                icon={<MoreOutlined />}
                onClick={(e) => e.stopPropagation()}
                aria-label={t('common.actions')}
                data-testid={`unit-actions-${u.id}`}
              />
            </Dropdown>
          </span>
        ),
        children: build(u.id),
      }));
    return build(null);
  })();

  return (
    <div className="kehu-page">
      <AdminPageHeader
        title={t('admin.nav.units')}
        description={t('admin.units.hint')}
        extra={
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => openCreate(null)}
            data-testid="unit-add-root"
          >
            {t('admin.units.addRoot')}
          </Button>
        }
      />
      <Card>
        {units.isPending ? (
          <Skeleton active />
        ) : units.error ? (
          <ErrorResult error={units.error} onRetry={() => units.refetch()} />
        ) : tree.length === 0 ? (
          <Empty description={t('admin.units.empty')} />
        ) : (
          <Tree
            treeData={tree}
            defaultExpandAll
            blockNode
            selectable={false}
            showLine
            data-testid="unit-tree"
          />
        )}
      </Card>
      <Modal
        open={!!edit}
        title={
          edit?.mode === 'edit'
            ? t('admin.units.editTitle')
            : edit?.parent
              ? t('admin.units.addChildTo', { name: edit.parent.name })
              : t('admin.units.addRoot')
        }
        onCancel={() => setEdit(null)}
        onOk={() => form.submit()}
        confirmLoading={save.isPending}
        destroyOnHidden
      >
        <Form form={form} layout="vertical" onFinish={(v) => save.mutate(v)} preserve={false}>
          <Form.Item
            name="name"
            label={t('admin.units.name')}
            rules={[{ required: true, whitespace: true }, { max: 100 }]}
          >
            <Input autoFocus data-testid="unit-name" />
          </Form.Item>
          <Form.Item name="type" label={t('admin.units.type')} rules={[{ required: true }]}>
            <Select options={UNIT_TYPES.map((ty) => ({ value: ty, label: t(`admin.units.types.${ty}`) }))} />
          </Form.Item>
          <Form.Item name="code" label={t('admin.units.code')}>
            <Input />
          </Form.Item>
          <button type="submit" hidden />
        </Form>
      </Modal>
    </div>
  );
}
