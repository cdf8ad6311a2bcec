import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Drawer,
  Empty,
  Form,
  Input,
  Segmented,
  Select,
  Skeleton,
  Space,
  Table,
  Tabs,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ObjectMeta, useLabel, useObjects } from '../app/meta';
import { ME_KEY, useSession } from '../app/session';
import { ApiError, http } from '../shared/api-client';
import { errorMessage } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';
import type { AdminRole, DataScope } from './admin-api';
import { normalizeCatalogue } from './permission-catalogue';

const SCOPES: DataScope[] = ['own', 'unit', 'unit_tree', 'tenant'];
type Access = 'full' | 'masked' | 'hidden';

export function RoleEditor({ role, onClose }: { role: AdminRole | null; onClose: () => void }) {
  const { t } = useTranslation();
  const label = useLabel();
  const isMobile = useIsMobile();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const objects = useObjects();
  const catalogueRaw = useQuery({
    queryKey: ['admin', 'permissions'],
    queryFn: () => http.get<unknown>('/admin/permissions'),
    staleTime: 5 * 60_000,
  });
  const catalogue = useMemo(
    () =>
      catalogueRaw.data !== undefined || catalogueRaw.error
        ? normalizeCatalogue(catalogueRaw.data, objects.data ?? [])
        : null,
    [catalogueRaw.data, catalogueRaw.error, objects.data],
  );

  const [info, setInfo] = useState({ name: role?.name ?? '', description: role?.description ?? '' });
  const [perms, setPerms] = useState<Set<string>>(new Set(role?.permissions ?? []));
  const [scopes, setScopes] = useState<Record<string, DataScope>>(role?.dataScopes ?? { '*': 'own' });
  const [fieldAccess, setFieldAccess] = useState<Record<string, Record<string, Access>>>(
    role?.fieldAccess ?? {},
  );
  const [faObject, setFaObject] = useState<string | undefined>(undefined);
  const [saving, setSaving] = useState(false);
  const [nameError, setNameError] = useState<string | null>(null);
  const all = perms.has('*');
  // Nobody grants what they do not hold (the server refuses it too): such boxes are shown, not offered.
  const { can } = useSession();
  const mayGrant = (p: string) => can(p);
  const grantTitle = (p: string) => (mayGrant(p) ? undefined : t('admin.roles.notYours'));

  const objectList = catalogue?.objects ?? [];
  const faTarget = faObject ?? objectList[0]?.apiName;
  const faQuery = useQuery({
    queryKey: ['meta', 'object', faTarget],
    queryFn: () => http.get<ObjectMeta>(`/meta/objects/${faTarget}`),
    enabled: !!faTarget,
    staleTime: 5 * 60_000,
  });
  const faMeta = faQuery.data;

  const toggle = (p: string, on: boolean) =>
    setPerms((s) => {
      const n = new Set(s);
      if (on) n.add(p);
      else n.delete(p);
      return n;
    });

  const actionLabel = (key: string, lab: unknown) =>
    lab && lab !== key ? label(lab as never, key) : t(`admin.roles.actions.${key}`, { defaultValue: key });

  const save = async () => {
    if (!info.name.trim()) {
      setNameError(t('form.required', { field: t('admin.roles.name') }));
      return;
    }
    setSaving(true);
    try {
      const body = {
        name: info.name.trim(),
        description: info.description,
        permissions: [...perms],
        dataScopes: scopes,
        fieldAccess,
      };
      if (role) await http.patch(`/admin/roles/${role.id}`, body);
      else await http.post('/admin/roles', body);
      qc.invalidateQueries({ queryKey: ['admin', 'roles'] });
      qc.invalidateQueries({ queryKey: ME_KEY });
      qc.invalidateQueries({ queryKey: ['meta'] });
      message.success(t('common.savedToast'));
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.problem.errors?.some((x) => x.field === 'name'))
        setNameError(e.problem.errors.find((x) => x.field === 'name')!.message);
      message.error(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  const matrix = catalogue && (
    <>
      <Checkbox
        checked={all}
        disabled={!mayGrant('*') && !all}
        title={grantTitle('*')}
        onChange={(e) => toggle('*', e.target.checked)}
        style={{ marginBottom: 12 }}
        data-testid="perm-all"
      >
        {t('admin.roles.allPermissions')}
      </Checkbox>
      <Table
        size="small"
        rowKey="apiName"
        pagination={false}
        scroll={{ x: 'max-content' }}
        dataSource={objectList}
        data-testid="perm-matrix"
        columns={[
          {
            title: t('admin.roles.object'),
            key: 'o',
            fixed: 'left',
            render: (_, o) => label(o.label, o.apiName),
          },
          ...catalogue.actions.map((a) => ({
            title: actionLabel(a.key, a.label),
            key: a.key,
            align: 'center' as const,
            render: (_: unknown, o: (typeof objectList)[number]) =>
              o.actions.includes(a.key) ? (
                <Checkbox
                  disabled={all || !mayGrant(`${o.apiName}:${a.key}`)}
                  title={grantTitle(`${o.apiName}:${a.key}`)}
                  checked={all || perms.has(`${o.apiName}:${a.key}`)}
                  onChange={(e) => toggle(`${o.apiName}:${a.key}`, e.target.checked)}
                  data-testid={`perm-${o.apiName}-${a.key}`}
                  aria-label={`${o.apiName}:${a.key}`}
                />
              ) : null,
          })),
          {
            title: t('admin.roles.rowAll'),
            key: '__all',
            align: 'center' as const,
            render: (_: unknown, o: (typeof objectList)[number]) => {
              const keys = o.actions.map((a) => `${o.apiName}:${a}`).filter(mayGrant);
              const n = keys.filter((k) => perms.has(k)).length;
              return (
                <Checkbox
                  disabled={all}
                  checked={all || n === keys.length}
                  indeterminate={!all && n > 0 && n < keys.length}
                  onChange={(e) =>
                    setPerms((s) => {
                      const next = new Set(s);
                      for (const k of keys) e.target.checked ? next.add(k) : next.delete(k);
                      return next;
                    })
                  }
                />
              );
            },
          },
        ]}
      />
      {catalogue.modules.map((m) => (
        <div key={m.module} data-testid={`perm-module-${m.module}`}>
          <Typography.Title level={5} style={{ marginTop: 20 }}>
            {label(m.label, m.module)}
          </Typography.Title>
          <Space wrap size={[24, 8]}>
            {m.permissions.map((p) => (
              <Checkbox
                key={p.key}
                disabled={all || !mayGrant(p.key)}
                title={grantTitle(p.key)}
                checked={all || perms.has(p.key)}
                onChange={(e) => toggle(p.key, e.target.checked)}
                data-testid={`perm-${p.key}`}
              >
                {label(p.label, p.key)}
                {p.description && (
                  <Typography.Text type="secondary" style={{ display: 'block', fontSize: 12 }}>
                    {label(p.description, '')}
                  </Typography.Text>
                )}
              </Checkbox>
            ))}
          </Space>
        </div>
      ))}
      {catalogue.admin.length > 0 && (
        <>
          <Typography.Title level={5} style={{ marginTop: 20 }}>
            {t('admin.roles.adminPermissions')}
          </Typography.Title>
          <Space wrap>
            {catalogue.admin.map((a) => (
              <Checkbox
                key={a.key}
                disabled={all || !mayGrant(a.key)}
                title={grantTitle(a.key)}
                checked={all || perms.has(a.key)}
                onChange={(e) => toggle(a.key, e.target.checked)}
                data-testid={`perm-${a.key}`}
              >
                {a.label && a.label !== a.key
                  ? label(a.label, a.key)
                  : t(`admin.roles.adminPerms.${a.key.replace('admin:', '')}`, { defaultValue: a.key })}
              </Checkbox>
            ))}
          </Space>
        </>
      )}
    </>
  );

  const scopeOptions = SCOPES.map((s) => ({ value: s, label: t(`admin.roles.scopes.${s}`) }));
  const scopesTab = (
    <>
      <Typography.Paragraph type="secondary">{t('admin.roles.scopeHint')}</Typography.Paragraph>
      <Table
        size="small"
        rowKey="key"
        pagination={false}
        dataSource={[
          { key: '*', label: t('admin.roles.defaultScope') },
          ...objectList.map((o) => ({ key: o.apiName, label: label(o.label, o.apiName) })),
        ]}
        columns={[
          { title: t('admin.roles.object'), dataIndex: 'label' },
          {
            title: t('admin.roles.dataScope'),
            key: 's',
            width: 220,
            render: (_, r) => (
              <Select
                style={{ width: '100%' }}
                value={scopes[r.key]}
                allowClear={r.key !== '*'}
                placeholder={t('admin.roles.inheritDefault')}
                options={scopeOptions}
                onChange={(v) =>
                  setScopes((s) => {
                    const n = { ...s };
                    if (v) n[r.key] = v;
                    else delete n[r.key];
                    return n;
                  })
                }
                data-testid={`scope-${r.key}`}
              />
            ),
          },
        ]}
      />
    </>
  );

  const fieldsTab = (
    <>
      <Typography.Paragraph type="secondary">{t('admin.roles.fieldHint')}</Typography.Paragraph>
      <Select
        style={{ width: 260, marginBottom: 12 }}
        value={faTarget}
        onChange={setFaObject}
        options={objectList.map((o) => ({ value: o.apiName, label: label(o.label, o.apiName) }))}
        data-testid="field-access-object"
      />
      {!faTarget ? (
        <Empty />
      ) : faQuery.isPending ? (
        <Skeleton active />
      ) : (
        <Table
          size="small"
          rowKey="apiName"
          pagination={false}
          scroll={{ x: 'max-content' }}
          dataSource={(faMeta?.fields ?? []).filter((f) => !['id', 'version'].includes(f.apiName))}
          columns={[
            {
              title: t('admin.fields.label'),
              key: 'l',
              render: (_, f) => (
                <span>
                  {label(f.label, f.apiName)}{' '}
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {f.apiName}
                  </Typography.Text>
                </span>
              ),
            },
            {
              title: t('admin.fields.classification'),
              dataIndex: 'classification',
              responsive: ['md'],
              render: (c) => (c ? t(`admin.fields.classifications.${c}`, { defaultValue: c }) : '—'),
            },
            {
              title: t('admin.roles.access'),
              key: 'a',
              render: (_, f) => (
                <Segmented<Access>
                  size="small"
                  value={fieldAccess[faTarget]?.[f.apiName] ?? 'full'}
                  options={[
                    { value: 'full', label: t('admin.roles.accessFull') },
                    { value: 'masked', label: t('admin.roles.accessMasked') },
                    { value: 'hidden', label: t('admin.roles.accessHidden') },
                  ]}
                  onChange={(v) =>
                    setFieldAccess((fa) => {
                      const obj = { ...(fa[faTarget] ?? {}) };
                      if (v === 'full') delete obj[f.apiName];
                      else obj[f.apiName] = v;
                      return { ...fa, [faTarget]: obj };
                    })
                  }
                  data-testid={`access-${f.apiName}`}
                />
              ),
            },
          ]}
        />
      )}
    </>
  );

  return (
    <Drawer
      open
      onClose={onClose}
      width={isMobile ? '100%' : 960}
      title={role ? t('admin.roles.editTitle', { name: role.name }) : t('admin.roles.create')}
      extra={
        <Space>
          <Button onClick={onClose}>{t('common.cancel')}</Button>
          <Button type="primary" loading={saving} onClick={save} data-testid="save-button">
            {t('common.save')}
          </Button>
        </Space>
      }
      data-testid="role-editor"
    >
      {catalogueRaw.error && (
        <Alert
          type="warning"
          showIcon
          message={t('admin.roles.catalogueFallback')}
          style={{ marginBottom: 12 }}
        />
      )}
      <Form layout="vertical" onFinish={save}>
        <Form.Item
          label={t('admin.roles.name')}
          required
          validateStatus={nameError ? 'error' : undefined}
          help={nameError}
        >
          <Input
            value={info.name}
            onChange={(e) => {
              setInfo((i) => ({ ...i, name: e.target.value }));
              setNameError(null);
            }}
            data-testid="role-name"
          />
        </Form.Item>
        <Form.Item label={t('admin.roles.description')}>
          <Input.TextArea
            autoSize={{ minRows: 1, maxRows: 4 }}
            value={info.description}
            onChange={(e) => setInfo((i) => ({ ...i, description: e.target.value }))}
          />
        </Form.Item>
      </Form>
      {!catalogue ? (
        <Skeleton active />
      ) : (
        <Tabs
          items={[
            { key: 'perms', label: t('admin.roles.functionPermissions'), children: matrix },
            { key: 'scopes', label: t('admin.roles.dataScopes'), children: scopesTab },
            { key: 'fields', label: t('admin.roles.fieldAccess'), children: fieldsTab },
          ]}
        />
      )}
    </Drawer>
  );
}
