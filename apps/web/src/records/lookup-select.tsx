import { useQuery } from '@tanstack/react-query';
import { Select, Spin } from 'antd';
import { useDeferredValue, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useObjectMeta } from '../app/meta';
import { recordApi } from './record-api';

interface Props {
  object: string;
  value?: string | string[] | null;
  onChange?: (v: string | string[] | null) => void;
  multiple?: boolean;
  /** Known labels for current value(s), e.g. from the record's `_display`. */
  initialLabels?: Record<string, string>;
  placeholder?: string;
  style?: React.CSSProperties;
  disabled?: boolean;
  id?: string;
}

/** Searchable select over /records/:object?q= (server-side search). */
export function LookupSelect({
  object,
  value,
  onChange,
  multiple,
  initialLabels,
  placeholder,
  style,
  disabled,
  id,
}: Props) {
  const { t } = useTranslation();
  const meta = useObjectMeta(object);
  const [search, setSearch] = useState('');
  const q = useDeferredValue(search);
  const [known, setKnown] = useState<Record<string, string>>(initialLabels ?? {});
  const nameField = meta.data?.nameField ?? 'name';
  const list = useQuery({
    queryKey: ['records', object, 'lookup', q],
    queryFn: () => recordApi.list(object, { q, limit: 20 }),
    staleTime: 30_000,
  });
  // A value arriving without a label (e.g. prefilled from a related list) is labelled from its record.
  const single = !multiple && typeof value === 'string' ? value : null;
  const missing =
    single && !known[single] && !initialLabels?.[single] && !list.data?.items.some((r) => r.id === single);
  const one = useQuery({
    queryKey: ['records', object, 'one', single],
    queryFn: () => recordApi.get(object, single!),
    enabled: !!missing,
    staleTime: 60_000,
  });
  const options = useMemo(() => {
    const opts = new Map<string, string>();
    for (const r of list.data?.items ?? [])
      opts.set(r.id, String(r[nameField] ?? r._display?.[nameField] ?? r.id));
    const vals = Array.isArray(value) ? value : value ? [value] : [];
    for (const v of vals)
      if (!opts.has(v))
        opts.set(
          v,
          known[v] ?? initialLabels?.[v] ?? (one.data?.id === v ? String(one.data[nameField] ?? v) : v),
        );
    return [...opts].map(([v, l]) => ({ value: v, label: l }));
  }, [list.data, nameField, value, known, initialLabels, one.data]);

  return (
    <Select
      id={id}
      showSearch
      allowClear
      mode={multiple ? 'multiple' : undefined}
      filterOption={false}
      onSearch={setSearch}
      value={value ?? undefined}
      onChange={(v, opt) => {
        const picked = (Array.isArray(opt) ? opt : opt ? [opt] : []) as Array<{
          value: string;
          label: string;
        }>;
        setKnown((k) => ({ ...k, ...Object.fromEntries(picked.map((o) => [o.value, o.label])) }));
        onChange?.((v as string | string[] | undefined) ?? null);
      }}
      onDropdownVisibleChange={(open) => !open && setSearch('')}
      notFoundContent={list.isFetching ? <Spin size="small" /> : t('common.noMatches')}
      options={options}
      placeholder={placeholder ?? t('common.searchToSelect')}
      style={{ width: '100%', ...style }}
      disabled={disabled}
    />
  );
}
