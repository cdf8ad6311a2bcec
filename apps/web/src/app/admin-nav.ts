export interface AdminNavItem {
  key: string;
  path: string;
  permission: string;
  labelKey: string;
  /** Under 设置 after the modules' setup pages (which use orders below 100). */
  order: number;
}

export const ADMIN_NAV: AdminNavItem[] = [
  {
    key: 'organisation',
    path: '/admin/organisation',
    permission: 'admin:settings',
    labelKey: 'admin.nav.organisation',
    order: 95,
  },
  { key: 'units', path: '/admin/units', permission: 'admin:units', labelKey: 'admin.nav.units', order: 100 },
  { key: 'users', path: '/admin/users', permission: 'admin:users', labelKey: 'admin.nav.users', order: 110 },
  { key: 'roles', path: '/admin/roles', permission: 'admin:roles', labelKey: 'admin.nav.roles', order: 120 },
  {
    key: 'objects',
    path: '/admin/objects',
    permission: 'admin:metadata',
    labelKey: 'admin.nav.objects',
    order: 130,
  },
  { key: 'audit', path: '/admin/audit', permission: 'admin:audit', labelKey: 'admin.nav.audit', order: 140 },
  {
    key: 'api-keys',
    path: '/admin/api-keys',
    permission: 'admin:apikeys',
    labelKey: 'admin.nav.apiKeys',
    order: 150,
  },
];
