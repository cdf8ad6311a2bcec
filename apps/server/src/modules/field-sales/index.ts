import { FIELD_SALES_PERMISSIONS as P } from '@kehu/contracts/field-sales';
import { defineModule } from '../../engine/module.ts';
import { seedFieldSales } from './field-sales.demo.ts';
import { fieldSalesRoutes } from './field-sales.routes.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/**
 * 外勤 field sales (issue 14, R4.6): store tiers and reps, weekly visit plans and routes, the rep's
 * phone visit flow (geofenced check-in, steps, watermarked photos, check-out; offline replays are
 * idempotent), and the manager's map, coverage by tier and photo gallery.
 */
export default defineModule({
  name: 'field-sales',
  label: label('外勤拜访', 'Field sales'),
  requires: ['trade-promotion', 'dealers', 'dealer-network'],
  routes: fieldSalesRoutes,
  permissions: [
    {
      key: P.read,
      label: label('查看外勤拜访', 'View field visits'),
      description: label(
        '本单位及下级门店的拜访计划、今日拜访地图、按门店等级的覆盖率与拜访照片',
        'Plans, today’s visit map, coverage by store tier and visit photos of the stores of one’s unit and below',
      ),
      demoRoles: [...MANAGERS, '销售顾问'],
    },
    {
      key: P.plan,
      label: label('安排拜访计划', 'Plan visits'),
      description: label(
        '设置门店等级（拜访频率）与负责业务员，生成并调整业务员的周拜访路线',
        'Set store tiers (visit frequency) and reps in charge; propose and adjust reps’ weekly routes',
      ),
      demoRoles: MANAGERS,
    },
    {
      key: P.visit,
      label: label('门店拜访（业务员）', 'Visit stores (rep)'),
      description: label(
        '在手机上查看今日拜访，定位签到、盘点、拍照、记录竞品价格与订货意向、完成门店的总部任务、为经销商起草订单并签退（离线可用）',
        'Today’s visits on the phone: geofenced check-in, stock count, photos, competitor prices, order intent, the store’s HQ tasks, order drafts for its dealer, check-out (works offline)',
      ),
      demoRoles: ['经销商店长', '销售顾问'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 130, run: seedFieldSales },
});
