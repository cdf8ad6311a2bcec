import { CalendarOutlined } from '@ant-design/icons';
import { Button, Skeleton } from 'antd';
import type { Dayjs } from 'dayjs';
import { Suspense, useState } from 'react';
import { lazyPage } from '../../shared/lazy-page';

const RangePicker = lazyPage(() => import('./dashboard-range-picker'), 'DashboardRangePicker');

/**
 * The dashboard's period: a button showing the range; antd's picker (and its calendar code)
 * is fetched on the first click, not with the figures.
 */
export function DashboardRange({
  value,
  onChange,
}: {
  value: [Dayjs, Dayjs];
  onChange: (v: [Dayjs, Dayjs]) => void;
}) {
  const [picking, setPicking] = useState(false);
  const text = `${value[0].format('YYYY-MM-DD')} ~ ${value[1].format('YYYY-MM-DD')}`;
  if (!picking)
    return (
      <Button icon={<CalendarOutlined />} onClick={() => setPicking(true)} data-testid="dash-range">
        {text}
      </Button>
    );
  return (
    <Suspense fallback={<Skeleton.Input active style={{ width: 240 }} />}>
      <RangePicker value={value} onChange={onChange} />
    </Suspense>
  );
}
