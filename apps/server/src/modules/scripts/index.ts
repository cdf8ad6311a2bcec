import { SCRIPTS_PERMISSIONS } from '@kehu/contracts/scripts';
import { defineModule } from '../../engine/module.ts';
import { seedScripts } from './scripts.demo.ts';
import { scriptRoutes } from './scripts.routes.ts';

const EVERYONE = ['总部销售经理', '区域经理', '经销商店长', '销售顾问', '客服专员'];

/** 话术库 (R5.2–R5.6): company, team and personal scripts; Chinese search; recommendations; reply suggestions. */
export default defineModule({
  name: 'scripts',
  label: { 'zh-CN': '话术库', 'en-US': 'Scripts' },
  requires: ['crm', 'sales', 'cdp'],
  routes: scriptRoutes,
  permissions: [
    {
      key: SCRIPTS_PERMISSIONS.read,
      label: { 'zh-CN': '使用话术库', 'en-US': 'Use the script library' },
      description: {
        'zh-CN': '查看、搜索、发送话术，维护个人话术',
        'en-US': 'Read, search and send scripts; keep personal scripts',
      },
      demoRoles: EVERYONE,
    },
    {
      key: SCRIPTS_PERMISSIONS.manage,
      label: { 'zh-CN': '管理话术库', 'en-US': 'Manage the script library' },
      description: {
        'zh-CN': '发布和修改本单位及下级单位的公司话术、团队话术，维护分类',
        'en-US': 'Publish and change company and team scripts of your units; keep the categories',
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 70, run: seedScripts },
});

export { recommendScripts } from './scripts-recommend.ts';
/** Reply suggestions for chat insight and the sidebar (R5.5), as the caller sees the library. */
export { suggestScripts } from './scripts-search.ts';
