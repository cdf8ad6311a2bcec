import { DEALER_PERMISSIONS } from '@kehu/contracts/dealers';
import { defineModule } from '../../engine/module.ts';
import { approvalTarget } from '../approvals/index.ts';
import { seedDealers } from './dealers.demo.ts';
import { dealerRoutes } from './dealers.routes.ts';
import { REBATE_QUEUE, STOCK_ALERT_QUEUE } from './jobs.ts';
import { ORDER_OBJECT, onOrderDecision } from './orders.service.ts';
import { rebateJob } from './rebates.service.ts';
import { stockAlertJob } from './stock.service.ts';

const P = DEALER_PERMISSIONS;
const HQ = ['总部销售经理'];

/**
 * Dealer portal and ordering (DMS, issue 14, R9.1/R9.4): the catalogue at each dealer's price
 * policy, orders checked before submit (credit, HQ stock, MOQ, 满减/买赠 thresholds, expense-pool
 * deduction through trade-promotion's `expensePool`), approved through the approvals engine,
 * shipped and received into channel stock; monthly statements confirmed or disputed line by line.
 */
export default defineModule({
  name: 'dealers',
  label: { 'zh-CN': '经销商订货', 'en-US': 'Dealer ordering' },
  requires: ['approvals', 'sales', 'trade-promotion'],
  routes: dealerRoutes,
  jobs: { [STOCK_ALERT_QUEUE]: stockAlertJob, [REBATE_QUEUE]: rebateJob },
  contributes: [
    approvalTarget({
      object: ORDER_OBJECT,
      onDecision: onOrderDecision,
      defaultFlows: [
        {
          name: { 'zh-CN': '经销商订货审批', 'en-US': 'Dealer order approval' },
          condition: null,
          steps: [
            { name: { 'zh-CN': '上级经理审批', 'en-US': 'Manager above' }, approverType: 'unit_manager' },
            {
              name: { 'zh-CN': '总部销售经理审批', 'en-US': 'HQ sales manager' },
              approverType: 'role',
              role: '总部销售经理',
              // Above 50 万元 HQ looks too.
              condition: { field: 'amount', op: 'gt', value: 50_000_000 },
            },
          ],
        },
      ],
    }),
  ],
  permissions: [
    {
      key: P.read,
      label: { 'zh-CN': '查看经销商订货', 'en-US': 'View dealer ordering' },
      description: {
        'zh-CN': '查看本单位及下级经销商的目录价格、订单、账户和对账单',
        'en-US': 'See catalogue prices, orders, accounts and statements of your dealers',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '数据分析师'],
    },
    {
      key: P.order,
      label: { 'zh-CN': '经销商下单与对账', 'en-US': 'Order and confirm statements (dealer)' },
      description: {
        'zh-CN': '经销商本单位人员：下单、签收、确认或对对账单提出异议',
        'en-US': 'A dealer’s own people: place orders, receive goods, confirm or dispute statements',
      },
      demoRoles: ['经销商店长'],
    },
    {
      key: P.manage,
      label: { 'zh-CN': '维护价格、促销与信用', 'en-US': 'Manage prices, promotions and credit' },
      description: {
        'zh-CN': '总部维护价格政策、订货促销、库存与起订量、信用额度，登记回款与返利',
        'en-US':
          'HQ keeps price policies, promotions, stock and MOQ, credit limits, and records payments and rebates',
      },
      demoRoles: HQ,
    },
    {
      key: P.ship,
      label: { 'zh-CN': '订单发货', 'en-US': 'Ship dealer orders' },
      demoRoles: HQ,
    },
    {
      key: P.statements,
      label: { 'zh-CN': '出具对账单与处理异议', 'en-US': 'Issue statements and resolve disputes' },
      demoRoles: HQ,
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  demo: { order: 97, run: seedDealers },
  testKit: () => import('./test-kit.ts'),
});

/** For the ERP sync (dealer-network): payments, shipments and HQ stock levels posted by the ERP. */
export { recordPayment } from './accounts.service.ts';
/** For the field-sales visit flow: a rep drafts an order for a store's dealer; its catalogue prices. */
export { catalogue, saveProductSettings } from './catalogue.service.ts';
export { createDealerDraft, getOrder, shipOrder } from './orders.service.ts';
