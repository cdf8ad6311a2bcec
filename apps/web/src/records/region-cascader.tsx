import { useQueryClient } from '@tanstack/react-query';
import { Cascader } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabel } from '../app/meta';
import { type RegionItem, regionLists, regionText, resolveRegionPath } from './region-api';

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
  const [path, setPath] = useState<string[]>([]);
  // Values we emitted ourselves are already reflected in `options`; only outside changes rebuild the tree.
  const emitted = useRef<string | null | undefined>(undefined);

  const toOptions = (items: RegionItem[]): Option[] =>
    items.map((r) => ({
      value: r.code,
      label: label(regionText(r), r.code),
      isLeaf: r.isLeaf === true || (r.level ?? 0) >= 3,
    }));

  // Load provinces plus the branch holding the current value so it can be displayed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: reload per value and language only
  useEffect(() => {
    if (emitted.current !== undefined && emitted.current === (value ?? null) && options.length) return;
    let cancelled = false;
    (async () => {
      const chain = await resolveRegionPath(qc, value);
      const roots = toOptions(await regionLists(qc, null));
      let level = roots;
      for (let i = 0; i < chain.length - 1; i++) {
        const node = level.find((o) => o.value === chain[i].code);
        if (!node) break;
        node.children = toOptions(await regionLists(qc, chain[i].code));
        level = node.children;
      }
      if (!cancelled) {
        setOptions(roots);
        setPath(chain.map((c) => c.code));
      }
    })().catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [value, label]);

  const loadData = async (selected: Option[]) => {
    const target = selected[selected.length - 1];
    target.loading = true;
    setOptions((o) => [...o]);
    try {
      target.children = toOptions(await regionLists(qc, target.value));
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
      value={value ? path : []}
      onChange={(v) => {
        const next = v?.length ? String(v[v.length - 1]) : null;
        emitted.current = next;
        setPath((v as string[]) ?? []);
        onChange?.(next);
      }}
      changeOnSelect
      placeholder={t('common.selectRegion')}
      style={{ width: '100%', ...style }}
      disabled={disabled}
      allowClear
    />
  );
}
