import { STAFF_ANALYTICS_PERMISSIONS as P } from '@kehu/contracts/staff-analytics';
import { defineModule } from '../../engine/module.ts';
import { registerStaffFigureSource, type StaffFigureSource } from './figure-sources.ts';
import { chatsSource, fissionSource, materialsSource, outreachSource, wecomSource } from './sources.ts';
import { staffAnalyticsRoutes } from './staff-analytics.routes.ts';

const L = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * Staff analytics 员工数据 (issue 11 "Staff analytics", R11.3): one dashboard per staff member and
 * team over the figures modules contribute to the `staff-figures` extension point — WeCom adds,
 * deletions and losses by channel code, chats and replies, group growth (wecom); reply rate and
 * first-reply time from the archive (chats); materials sent, opened and read (materials); SOP and
 * mass-message completion (outreach). Scoped like every report (the `lead` data scope).
 */
export default defineModule({
  name: 'staff-analytics',
  label: L('员工数据', 'Staff analytics'),
  requires: ['wecom', 'chats', 'materials', 'outreach', 'fission'],
  routes: staffAnalyticsRoutes,
  permissions: [
    {
      key: P.read,
      label: L('查看员工数据', 'View staff analytics'),
      description: L(
        '按员工和团队查看加好友、被删、聊天与回复、素材、SOP 与群发、客户群和裂变数据（销售顾问只看自己，经理看团队）',
        'Adds, deletions, chats and replies, materials, SOP and mass messages, groups and fission per staff member and team (a salesperson sees themself, a manager their team)',
      ),
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问'],
    },
    {
      key: P.export,
      label: L('导出员工数据', 'Export staff analytics'),
      description: L('把员工排行导出为 CSV（记录审计）', 'Export the staff ranking as CSV (audited)'),
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
  ],
  extensionPoints: {
    'staff-figures': (value) => registerStaffFigureSource(value as StaffFigureSource),
  },
  contributes: [
    { point: 'staff-figures', value: wecomSource },
    { point: 'staff-figures', value: chatsSource },
    { point: 'staff-figures', value: materialsSource },
    { point: 'staff-figures', value: outreachSource },
    { point: 'staff-figures', value: fissionSource },
  ],
});

export type { StaffDayRow, StaffFigureSource } from './figure-sources.ts';
