export interface AdminNavItem {
  key: string;
  path: string;
  permission: string;
  labelKey: string;
}

export const ADMIN_NAV: AdminNavItem[] = [
  { key: 'units', path: '/admin/units', permission: 'admin:units', labelKey: 'admin.nav.units' },
  { key: 'users', path: '/admin/users', permission: 'admin:users', labelKey: 'admin.nav.users' },
  { key: 'roles', path: '/admin/roles', permission: 'admin:roles', labelKey: 'admin.nav.roles' },
  { key: 'objects', path: '/admin/objects', permission: 'admin:metadata', labelKey: 'admin.nav.objects' },
  { key: 'audit', path: '/admin/audit', permission: 'admin:audit', labelKey: 'admin.nav.audit' },
  { key: 'api-keys', path: '/admin/api-keys', permission: 'admin:apikeys', labelKey: 'admin.nav.apiKeys' },
];
