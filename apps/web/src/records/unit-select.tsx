import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../app/session';
import { buildUnitTree } from '../app/unit-tree';

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

/** Units the user may choose = the units of their scope (from /auth/me). */
export function UnitSelect({
  value,
  onChange,
  multiple,
  placeholder,
  style,
  id,
  disabled,
  initialLabels,
}: Props) {
  const { t } = useTranslation();
  const { me } = useSession();
  const tree = useMemo(() => {
    const nodes = buildUnitTree(me.units);
    const vals = Array.isArray(value) ? value : value ? [value] : [];
    for (const v of vals) {
      if (!me.units.some((u) => u.id === v))
        nodes.push({ title: initialLabels?.[v] ?? v, value: v, key: v, children: [] });
    }
    return nodes;
  }, [me.units, value, initialLabels]);
  return (
    <TreeSelect
      id={id}
      treeData={tree}
      value={value ?? undefined}
      onChange={(v) => onChange?.((v as string | string[] | undefined) ?? null)}
      multiple={multiple}
      treeDefaultExpandAll
      showSearch
      treeNodeFilterProp="title"
      allowClear
      placeholder={placeholder ?? t('common.selectUnit')}
      style={{ width: '100%', ...style }}
      disabled={disabled}
    />
  );
}
