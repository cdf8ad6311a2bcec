import type { WebModule } from '../registry';

/** Pipeline kanban, quotes, approvals, orders, targets and dashboards (R4, R11.1). */
export const salesModule: WebModule = {
  key: 'sales',
  nav: [],
  routes: null,
  messages: { 'zh-CN': {}, 'en-US': {} },
};
