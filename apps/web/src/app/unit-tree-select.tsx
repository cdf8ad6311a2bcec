import { ApartmentOutlined } from '@ant-design/icons';
import { TreeSelect } from 'antd';
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from './session';
import { buildUnitTree } from './unit-tree';

/** The unit picker itself (antd TreeSelect), loaded the first time someone opens the switcher. */
export function UnitTreeSelect({ width, open }: { width: number; open: boolean }) {
  const { t } = useTranslation();
  const { me, unitId, setUnitId } = useSession();
  const tree = useMemo(() => buildUnitTree(me.units), [me.units]);
  return (
    <TreeSelect
      data-testid="unit-switcher"
      style={{ width }}
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
      defaultOpen={open}
      autoFocus={open}
    />
  );
}
