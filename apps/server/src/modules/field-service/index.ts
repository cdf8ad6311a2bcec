import { FIELD_SERVICE_PERMISSIONS } from '@kehu/contracts/field-service';
import { defineModule } from '../../engine/module.ts';
import { seedFieldService } from './field-service.demo.ts';
import { fieldServiceRoutes } from './field-service.routes.ts';
import { PREDICTIVE_QUEUE, predictiveJob } from './predictive/run.service.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });
const MANAGERS = ['总部销售经理', '区域经理', '经销商店长'];

/**
 * 现场服务 (R8.1): technicians, appointment slots, work orders from tickets, the technician's phone
 * view and the completion report; 主动服务 (R8.3): segment-driven tickets with a daily cap.
 */
export default defineModule({
  name: 'field-service',
  label: label('现场服务', 'Field service'),
  requires: ['cdp', 'service'],
  routes: fieldServiceRoutes,
  jobs: { [PREDICTIVE_QUEUE]: predictiveJob },
  permissions: [
    {
      key: FIELD_SERVICE_PERMISSIONS.read,
      label: label('查看现场服务', 'View field service'),
      description: label(
        '本单位及下级单位的工程师、预约时段与服务单（客户手机号脱敏）',
        "Technicians, slots and work orders of one's unit and below (customer phones masked)",
      ),
      demoRoles: MANAGERS,
    },
    {
      key: FIELD_SERVICE_PERMISSIONS.dispatch,
      label: label('派单', 'Dispatch'),
      description: label(
        '设置工程师技能与服务区域、开放预约时段、由工单派发与取消服务单',
        'Set technician skills and areas, open slots, dispatch tickets and cancel work orders',
      ),
      demoRoles: MANAGERS,
    },
    {
      key: FIELD_SERVICE_PERMISSIONS.work,
      label: label('上门服务（工程师）', 'Work jobs (technician)'),
      description: label(
        '查看派给自己的服务单，GPS 签到签退、拍照、登记配件、客户签字并完工',
        'See own jobs, GPS check-in/out, photos, parts, customer signature and completion',
      ),
      demoRoles: [...MANAGERS, '客服专员'],
    },
    {
      key: FIELD_SERVICE_PERMISSIONS.rules,
      label: label('管理主动服务规则', 'Manage predictive-service rules'),
      description: label(
        '按客户分群自动创建服务工单（每日上限），预览只统计本人可见的成员',
        'Create service tickets from segments automatically (daily cap); previews count only members one sees',
      ),
      demoRoles: ['总部销售经理'],
    },
  ],
  migrations: new URL('./migrations/', import.meta.url),
  testKit: () => import('./test-kit.ts'),
  demo: { order: 125, run: seedFieldService },
});
