import { defineModule } from '../../engine/module.ts';
import { MATERIALS_PERMISSIONS } from './material.schemas.ts';
import { seedMaterials } from './materials.demo.ts';
import { materialRoutes } from './materials.routes.ts';
import { registerMaterialReader } from './reader.page.ts';

const USERS = ['总部销售经理', '区域经理', '经销商店长', '销售顾问'];

/** 素材库 (R5.2–R5.6): materials, staff posters, tracked links with read tracking and leads. */
export default defineModule({
  name: 'materials',
  label: { 'zh-CN': '素材库', 'en-US': 'Materials' },
  requires: ['crm', 'notifications', 'leads', 'cdp'],
  routes: materialRoutes,
  // The customer's reader (/m/<token>): public, the token is the authority.
  http: registerMaterialReader,
  permissions: [
    {
      key: MATERIALS_PERMISSIONS.read,
      label: { 'zh-CN': '使用素材', 'en-US': 'Use materials' },
      description: {
        'zh-CN': '查看素材库，分享带追踪的链接与海报，查看素材效果',
        'en-US': 'Browse materials, share tracked links and posters, see how they did',
      },
      demoRoles: [...USERS, '客服专员'],
    },
    {
      key: MATERIALS_PERMISSIONS.manage,
      label: { 'zh-CN': '管理素材', 'en-US': 'Manage materials' },
      description: {
        'zh-CN': '新建、编辑、下架本单位及下级单位的素材',
        'en-US': "Create, edit and withdraw materials of one's unit and the units below",
      },
      demoRoles: ['总部销售经理', '区域经理', '经销商店长'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 60, run: seedMaterials },
});

export { MATERIALS_PERMISSIONS } from './material.schemas.ts';
/** For business cards and fission posters (issue 11) and WeCom welcome attachments (issue 10). */
export { fileBytes, getMaterial, type MaterialOut } from './material.service.ts';
/** For 企业群发 attachments (outreach via wecom): each sending staff member's poster and tracked link. */
export { staffPoster, staffShareUrl } from './poster.ts';
export { shareMaterial } from './share.service.ts';
/** For staff analytics: sent, opens, read time and leads per Kehu user and day. */
export { type MaterialStaffDay, materialFiguresByStaff } from './staff-figures.ts';
