import { CARDS_PERMISSIONS } from '@kehu/contracts/cards';
import type { FastifyInstance } from 'fastify';
import type { Database } from '../../core/db/database.ts';
import { defineModule } from '../../engine/module.ts';
import { registerCardPage } from './card-page.ts';
import { cardsWithSimulator, seedCards } from './cards.demo.ts';
import { cardRoutes } from './cards.routes.ts';
import { mergeVisitorOnAdd } from './visit.service.ts';

let database: Database | null = null;

/** 名片 (issue 11, R5.x): a public business card per staff member, visits alerted and profiled. */
export default defineModule({
  name: 'cards',
  label: { 'zh-CN': '名片', 'en-US': 'Business cards' },
  requires: ['notifications', 'cdp', 'wecom', 'materials'],
  routes: cardRoutes,
  // The public card (/c/<token>): no sign-in, the token is the authority.
  http: async (app: FastifyInstance, d: Database) => {
    database = d;
    await registerCardPage(app, d);
  },
  subscribers: [
    {
      // A visitor who adds the staff member through the card's code: their anonymous profile merges.
      name: 'cards-visitor-added',
      pattern: 'wecom.contact.added',
      handle: async (e, job) => {
        if (database) await mergeVisitorOnAdd(database, e, job);
      },
    },
  ],
  permissions: [
    {
      key: CARDS_PERMISSIONS.use,
      label: { 'zh-CN': '使用名片', 'en-US': 'Use business card' },
      description: {
        'zh-CN': '编辑自己的名片，查看谁看过（访客匿名，添加后并入客户档案）',
        'en-US': 'Edit one’s own card and see who looked at it (visitors stay anonymous until they add you)',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长', '销售顾问', '客服专员'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  // After materials (60) and wecom (60): featured materials and the add-me code.
  demo: { order: 75, run: seedCards, withSimulator: cardsWithSimulator },
});

export { codeMaker, staffCorpOf } from './staff-corp.ts';
export { newPublicToken, newState, tenantOfPublicToken } from './token.ts';
