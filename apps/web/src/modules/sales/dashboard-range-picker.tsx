import { DatePicker } from 'antd';
import type { Dayjs } from 'dayjs';

/** Opens straight away: the user clicked the range button to get here. */
export function DashboardRangePicker({
  value,
  onChange,
}: {
  value: [Dayjs, Dayjs];
  onChange: (v: [Dayjs, Dayjs]) => void;
}) {
  return (
    <DatePicker.RangePicker
      value={value}
      onChange={(v) => v?.[0] && v[1] && onChange([v[0], v[1]])}
      allowClear={false}
      defaultOpen
      autoFocus
    />
  );
}
