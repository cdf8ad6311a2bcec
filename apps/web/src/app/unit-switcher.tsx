import { ApartmentOutlined } from '@ant-design/icons';
import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { type SessionUnit, useSession } from './session';

export interface UnitTreeNode {
  title: string;
  value: string;
  key: string;
  children: UnitTreeNode[];
}

export function buildUnitTree(units: SessionUnit[]): UnitTreeNode[] {
  const byId = new Map<string, UnitTreeNode>();
  for (const u of units) byId.set(u.id, { title: u.name, value: u.id, key: u.id, children: [] });
  const roots: UnitTreeNode[] = [];
  for (const u of units) {
    const node = byId.get(u.id)!;
    const parent = u.parentId ? byId.get(u.parentId) : undefined;
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  return roots;
}

/** Narrows list pages to a unit subtree; the choice is sent as `unit` and kept in localStorage. */
export function UnitSwitcher({ compact }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { me, unitId, setUnitId } = useSession();
  const tree = useMemo(() => buildUnitTree(me.units), [me.units]);
  if (me.units.length === 0) return null;
  return (
    <TreeSelect
      data-testid="unit-switcher"
      style={{ width: compact ? 140 : 220 }}
      value={unitId ?? undefined}
      onChange={(v) => setUnitId((v as string) || null)}
      treeData={tree}
      treeDefaultExpandAll
      allowClear
      showSearch
      treeNodeFilterProp="title"
      placeholder={
        <span>
          <ApartmentOutlined /> {t('shell.allUnits')}
        </span>
      }
      popupMatchSelectWidth={false}
      variant="filled"
      aria-label={t('shell.unit')}
    />
  );
}
