import { SERVICE_PERMISSIONS } from '@kehu/contracts/service';
import { defineModule } from '../../engine/module.ts';
import { registerHelpPages } from './kb/help-pages.ts';
import { seedService } from './service.demo.ts';
import { serviceRoutes } from './service.routes.ts';
import { registerCustomerTierSource } from './tickets/customer-tier.ts';
import { slaJob } from './tickets/sla.job.ts';
import { SLA_QUEUE } from './tickets/ticket.core.ts';
import { ticketTimelineSource } from './tickets/timeline-source.ts';

const MANAGERS = ['总部销售经理', '区域经理'];
const HANDLERS = [...MANAGERS, '经销商店长', '客服专员'];

/** 服务 (issue 13): tickets, SLA in business time, assignment, knowledge base, public help pages. */
export default defineModule({
  name: 'service',
  label: { 'zh-CN': '服务', 'en-US': 'Service' },
  // sidebar: tickets filed from the WeCom chat sidebar follow its access rule (sidebarChatPerson)
  requires: ['crm', 'notifications', 'cdp', 'sidebar'],
  routes: serviceRoutes,
  http: registerHelpPages,
  jobs: { [SLA_QUEUE]: slaJob },
  contributes: [{ point: 'timeline-source', value: ticketTimelineSource }],
  /**
   * `ticket-customer-tier`: `{ tierOf(tx, tenantId, profileId), tiers(tx, tenantId) }` — the member
   * tier of a ticket's person, so a tier's SLA policy wins (loyalty contributes it).
   */
  extensionPoints: { 'ticket-customer-tier': registerCustomerTierSource },
  permissions: [
    {
      key: SERVICE_PERMISSIONS.read,
      label: { 'zh-CN': '查看工单', 'en-US': 'View tickets' },
      description: {
        'zh-CN': '查看本单位及下级单位的工单、分派给自己的工单和知识库',
        'en-US': 'See the tickets of your units, tickets assigned to you, and the knowledge base',
      },
      demoRoles: [...HANDLERS, '销售顾问'],
    },
    {
      key: SERVICE_PERMISSIONS.handle,
      label: { 'zh-CN': '处理工单', 'en-US': 'Handle tickets' },
      description: {
        'zh-CN': '建工单、回复客户、写内部备注、改状态、转派、合并和拆分',
        'en-US': 'File tickets, reply, write notes, change status, reassign, merge and split',
      },
      demoRoles: HANDLERS,
    },
    {
      key: SERVICE_PERMISSIONS.manage,
      label: { 'zh-CN': '服务设置', 'en-US': 'Service settings' },
      description: {
        'zh-CN': '工单分类与表单、SLA 策略、工作日历（节假日与调休）、坐席技能；接收 SLA 超时升级',
        'en-US':
          'Categories and forms, SLA policies, the business calendar, agent skills; receives SLA escalations',
      },
      demoRoles: MANAGERS,
    },
    {
      key: SERVICE_PERMISSIONS.kb,
      label: { 'zh-CN': '编辑知识库', 'en-US': 'Edit the knowledge base' },
      demoRoles: [...MANAGERS, '客服专员'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 95, run: seedService },
});

/** The contract other modules build on (field service, surveys, predictive service). */
export { addBusinessMinutes } from './sla/calendar.ts';
export type { CustomerTierSource } from './tickets/customer-tier.ts';
export { closeTicket, createTicket, getTicket, reopenTicket } from './tickets/ticket.core.ts';
