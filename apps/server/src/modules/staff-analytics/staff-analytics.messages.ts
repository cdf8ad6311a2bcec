import { moduleMessages } from '../../core/i18n/module-messages.ts';

export const sm = moduleMessages(
  {
    range_order: '开始日期不能晚于结束日期',
    range_length: '时间段最长 366 天',
    range_future: '结束日期不能晚于今天',
    range_pair: '自定义时间段需要同时填写开始和结束日期',
    range_day: '不是有效的日期',
    csv_staff: '员工',
    csv_unit: '团队',
    csv_total: '合计',
  },
  {
    range_order: 'The start date must not be after the end date',
    range_length: 'A period is at most 366 days',
    range_future: 'The end date must not be after today',
    range_pair: 'A custom period needs both a start and an end date',
    range_day: 'Not a valid date',
    csv_staff: 'Staff member',
    csv_unit: 'Team',
    csv_total: 'Total',
  },
);
