import { ADMIN_PERMISSIONS } from '@kehu/contracts/admin';
import { registerSignInMethod } from '../../core/auth/sign-in-methods.ts';
import { defineModule } from '../../engine/module.ts';
import { apiKeyRoutes } from './api-keys/api-keys.routes.ts';
import { auditRoutes } from './audit/audit.routes.ts';
import { organisationRoutes } from './organisation/organisation.routes.ts';
import { roleRoutes } from './roles/roles.routes.ts';
import { unitRoutes } from './units/units.routes.ts';
import { userDisableCheckRoutes } from './users/disable-check.routes.ts';
import { registerUserDisableCheck } from './users/user-disable-checks.ts';
import { userDirectoryRoutes, userRoutes } from './users/users.routes.ts';

const label = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * Administration (R0.x): the org tree, users, roles with function/row/field rights, API keys, the
 * audit log, and custom fields and objects (the record engine's metadata routes check
 * `admin:metadata`). Sign-in itself is the kernel's (core/auth).
 */
export default defineModule({
  name: 'admin',
  label: label('系统管理', 'Administration'),
  testKit: () => import('./test-kit.ts'),
  /**
   * `sign-in-method`: a way to sign in besides a password, shown as a button on the login page
   * (`{ key, label, startUrl, enabledFor? }`, see core/auth/sign-in-methods.ts).
   */
  extensionPoints: {
    'sign-in-method': registerSignInMethod,
    /** What a user being disabled still holds (`{ key, check }`, see users/user-disable-checks.ts). */
    'user-disable-check': registerUserDisableCheck,
  },
  routes: [
    ...unitRoutes,
    ...userRoutes,
    ...userDirectoryRoutes,
    ...userDisableCheckRoutes,
    ...roleRoutes,
    ...apiKeyRoutes,
    ...auditRoutes,
    ...organisationRoutes,
  ],
  permissions: [
    {
      key: ADMIN_PERMISSIONS.units,
      label: label('组织架构', 'Org units'),
      description: label('新建、调整与停用组织单元', 'Create, move and deactivate units'),
    },
    {
      key: ADMIN_PERMISSIONS.users,
      label: label('用户管理', 'Users'),
      description: label(
        '新建用户、分配角色（不超出本人权限）、重置密码、停用与解锁',
        'Create users, assign roles (within your own rights), reset passwords, disable and unlock',
      ),
    },
    {
      key: ADMIN_PERMISSIONS.roles,
      label: label('角色与权限', 'Roles and permissions'),
      description: label(
        '编辑角色的功能、数据范围与字段权限（不超出本人权限）',
        'Edit roles’ functions, data scopes and field access (within your own rights)',
      ),
    },
    {
      key: ADMIN_PERMISSIONS.metadata,
      label: label('字段与对象', 'Fields and objects'),
      description: label('自定义字段、自定义对象与布局', 'Custom fields, custom objects and layouts'),
    },
    {
      key: ADMIN_PERMISSIONS.audit,
      label: label('审计日志', 'Audit log'),
      description: label(
        '查看谁在何时做了什么（个人信息按字段权限脱敏）',
        'See who did what and when (personal data masked by field access)',
      ),
      demoRoles: ['总部销售经理'],
    },
    {
      key: ADMIN_PERMISSIONS.apiKeys,
      label: label('API 密钥', 'API keys'),
      description: label('为集成创建限定范围的 API 密钥', 'Create scoped API keys for integrations'),
    },
    {
      key: ADMIN_PERMISSIONS.settings,
      label: label('组织设置', 'Organisation settings'),
      description: label(
        '组织名称与时区（时区决定“今日”线索统计与导出文件中的日期时间）',
        'The organisation’s name and time zone (where “today” begins for lead figures; dates and times in exports)',
      ),
    },
  ],
});

/** Delegated administration outside this module (dealer onboarding): nobody grants what they do not hold. */
export { assertWithinOwnGrant, rolesGrant } from './roles/grant-check.ts';
export { UNIT_TYPES } from './units/units.routes.ts';
export { createUserCli } from './users/user-cli.ts';
