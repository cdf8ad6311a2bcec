import { useQueryClient } from '@tanstack/react-query';
import { Cascader } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabel } from '../app/meta';
import { fetchRegions, regionChain, regionKey } from './region-api';

interface Option {
  value: string;
  label: string;
  isLeaf?: boolean;
  children?: Option[];
  loading?: boolean;
}

interface Props {
  value?: string | null;
  onChange?: (v: string | null) => void;
  id?: string;
  style?: React.CSSProperties;
  disabled?: boolean;
}

/** Province / city / district picker fed level by level from GET /meta/regions?parent=. Value = the deepest code. */
export function RegionCascader({ value, onChange, id, style, disabled }: Props) {
  const { t } = useTranslation();
  const label = useLabel();
  const qc = useQueryClient();
  const [options, setOptions] = useState<Option[]>([]);

  const load = (parent: string | null, depth: number) =>
    qc
      .fetchQuery({ queryKey: regionKey(parent), queryFn: () => fetchRegions(parent), staleTime: Infinity })
      .then((items) =>
        items.map<Option>((r) => ({
          value: r.code,
          label: label(r.name, r.code),
          isLeaf: r.hasChildren === false || depth >= 2,
        })),
      );

  // Load provinces, plus the chain of the current value so it can display.
  // biome-ignore lint/correctness/useExhaustiveDependencies: load once per value/lang
  useEffect(() => {
    let cancelled = false;
    (async () => {
      const chain = regionChain(value);
      const roots = await load(null, 0);
      let level = roots;
      for (let i = 0; i < chain.length - 1; i++) {
        const node = level.find((o) => o.value === chain[i]);
        if (!node) break;
        node.children = await load(chain[i], i + 1);
        level = node.children;
      }
      if (!cancelled) setOptions(roots);
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [value ? value.slice(0, 4) : null, label]);

  const loadData = async (selected: Option[]) => {
    const target = selected[selected.length - 1];
    target.loading = true;
    setOptions((o) => [...o]);
    try {
      target.children = await load(target.value, selected.length);
      if (target.children.length === 0) target.isLeaf = true;
    } finally {
      target.loading = false;
      setOptions((o) => [...o]);
    }
  };

  return (
    <Cascader
      id={id}
      options={options}
      loadData={(sel) => void loadData(sel as Option[])}
      value={regionChain(value)}
      onChange={(v) => onChange?.(v && v.length ? String(v[v.length - 1]) : null)}
      changeOnSelect
      placeholder={t('common.selectRegion')}
      style={{ width: '100%', ...style }}
      disabled={disabled}
      showSearch={false}
      allowClear
    />
  );
}
