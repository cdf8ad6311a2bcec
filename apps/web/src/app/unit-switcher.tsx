import { ApartmentOutlined, DownOutlined } from '@ant-design/icons';
import { Button } from 'antd';
import { Suspense, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { lazyPage } from '../shared/lazy-page';
import { useSession } from './session';

const UnitTreeSelect = lazyPage(() => import('./unit-tree-select'), 'UnitTreeSelect');

/**
 * Narrows list pages to a unit subtree; the choice is sent as `unit` and kept in localStorage.
 * Shows the chosen unit as a button until first opened: the tree picker (antd TreeSelect and
 * its tree, select and virtual list) is a fifth of the shell's JavaScript.
 */
export function UnitSwitcher({ compact }: { compact?: boolean }) {
  const { t } = useTranslation();
  const { me, unitId } = useSession();
  const [opened, setOpened] = useState(false);
  if (me.units.length === 0) return null;
  const width = compact ? 140 : 220;
  const chosen = me.units.find((u) => u.id === unitId)?.name;
  const placeholder = (
    <Button
      style={{ width, justifyContent: 'space-between', background: 'rgba(0,0,0,0.04)', border: 'none' }}
      onClick={() => setOpened(true)}
      loading={opened}
      aria-label={t('shell.unit')}
      data-testid="unit-switcher"
    >
      <span style={{ overflow: 'hidden', textOverflow: 'ellipsis' }}>
        {chosen ?? (
          <span style={{ color: 'rgba(0,0,0,0.25)' }}>
            <ApartmentOutlined /> {t('shell.allUnits')}
          </span>
        )}
      </span>
      <DownOutlined style={{ fontSize: 12, color: 'rgba(0,0,0,0.25)' }} />
    </Button>
  );
  if (!opened) return placeholder;
  return (
    <Suspense fallback={placeholder}>
      <UnitTreeSelect width={width} open />
    </Suspense>
  );
}
