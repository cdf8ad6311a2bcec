import { useQuery } from '@tanstack/react-query';
import { Select } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app/session';
import { asItems, http } from '../shared/api-client';

interface UserRow {
  id: string;
  name: string;
  login?: string;
  unitName?: string;
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

/** id → name for colleagues the caller can see (the scoped user directory), plus the caller. */
export function useUserNames(): Map<string, string> {
  const { me } = useSession();
  const users = useQuery({
    queryKey: ['users', 'directory', ''],
    queryFn: () => http.get<unknown>('/users', { limit: 100 }).then((d) => asItems<UserRow>(d)),
    staleTime: 60_000,
  });
  return useMemo(() => {
    const m = new Map((users.data ?? []).map((u) => [u.id, u.name]));
    m.set(me.user.id, me.user.name);
    return m;
  }, [users.data, me.user]);
}

/** Picks colleagues from the scoped user directory (`GET /users?q=`), searching on the server. */
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
  const { me } = useSession();
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search);
  const users = useQuery({
    queryKey: ['users', 'directory', q],
    queryFn: () =>
      http.get<unknown>('/users', { q: q || undefined, limit: 50 }).then((d) => asItems<UserRow>(d)),
    staleTime: 60_000,
  });
  const options = useMemo(() => {
    const m = new Map<string, string>();
    m.set(me.user.id, `${me.user.name}${t('common.meSuffix')}`);
    for (const u of users.data ?? []) {
      if (u.id !== me.user.id) m.set(u.id, u.unitName ? `${u.name} · ${u.unitName}` : u.name);
    }
    const vals = Array.isArray(value) ? value : value ? [value] : [];
    for (const v of vals) if (!m.has(v)) m.set(v, initialLabels?.[v] ?? v);
    return [...m].map(([v, l]) => ({ value: v, label: l }));
  }, [users.data, me.user, value, initialLabels, t]);

  return (
    <Select
      id={id}
      showSearch
      allowClear
      mode={multiple ? 'multiple' : undefined}
      filterOption={false}
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
