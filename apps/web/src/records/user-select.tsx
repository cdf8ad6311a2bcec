import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { asItems, http } from '../app/api-client';
import { useSession } from '../app/session';

interface UserRow {
  id: string;
  name: string;
  login?: string;
  status?: string;
}

interface Props {
  value?: string | string[] | null;
  onChange?: (v: string | string[] | null) => void;
  multiple?: boolean;
  initialLabels?: Record<string, string>;
  placeholder?: string;
  style?: React.CSSProperties;
  id?: string;
  disabled?: boolean;
}

/** id → name for users the caller can list (admins), plus the caller. */
export function useUserNames(): Map<string, string> {
  const { me, can } = useSession();
  const users = useQuery({
    queryKey: ['admin', 'users', 'select', ''],
    queryFn: () => http.get<unknown>('/admin/users', { limit: 50 }).then((d) => asItems<UserRow>(d)),
    enabled: can('admin:users'),
    staleTime: 60_000,
  });
  return useMemo(() => {
    const m = new Map((users.data ?? []).map((u) => [u.id, u.name]));
    m.set(me.user.id, me.user.name);
    return m;
  }, [users.data, me.user]);
}

/**
 * The contract has no general user directory; admins search /admin/users, everyone else can pick
 * themselves or keep the current value (labelled from `_display`).
 */
export function UserSelect({
  value,
  onChange,
  multiple,
  initialLabels,
  placeholder,
  style,
  id,
  disabled,
}: Props) {
  const { t } = useTranslation();
  const { me, can } = useSession();
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search);
  const canList = can('admin:users');
  const users = useQuery({
    queryKey: ['admin', 'users', 'select', q],
    queryFn: () =>
      http.get<unknown>('/admin/users', { q: q || undefined, limit: 50 }).then((d) => asItems<UserRow>(d)),
    enabled: canList,
    staleTime: 60_000,
  });
  const options = useMemo(() => {
    const m = new Map<string, string>();
    m.set(me.user.id, `${me.user.name}${t('common.meSuffix')}`);
    for (const u of users.data ?? []) {
      if (u.status === 'disabled') continue;
      if (!q || u.name.includes(q) || u.login?.includes(q))
        m.set(u.id, u.login ? `${u.name} (${u.login})` : u.name);
    }
    const vals = Array.isArray(value) ? value : value ? [value] : [];
    for (const v of vals) if (!m.has(v)) m.set(v, initialLabels?.[v] ?? v);
    return [...m].map(([v, l]) => ({ value: v, label: l }));
  }, [users.data, me.user, value, initialLabels, q, t]);

  return (
    <Select
      id={id}
      showSearch
      allowClear
      mode={multiple ? 'multiple' : undefined}
      filterOption={
        canList
          ? false
          : (input, opt) =>
              String(opt?.label ?? '')
                .toLowerCase()
                .includes(input.toLowerCase())
      }
      onSearch={setSearch}
      value={value ?? undefined}
      onChange={(v) => onChange?.((v as string | string[] | undefined) ?? null)}
      options={options}
      loading={users.isFetching}
      placeholder={placeholder ?? t('common.selectUser')}
      style={{ width: '100%', ...style }}
      disabled={disabled}
    />
  );
}
