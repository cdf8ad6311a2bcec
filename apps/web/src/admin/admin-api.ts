import type { Role, UnitWithCount, User } from '@kehu/contracts/admin';
import { asItems, http } from '../shared/api-client';

export type { DataScope } from '@kehu/contracts/admin';
export type AdminUnit = UnitWithCount;
export type AdminUser = User;
export type AdminRole = Role;

export const UNIT_TYPES = ['hq', 'region', 'dealer', 'store', 'team'] as const;

export const adminApi = {
  units: () => http.get<unknown>('/admin/units').then((d) => asItems<AdminUnit>(d)),
  users: () => http.get<unknown>('/admin/users', { limit: 200 }).then((d) => asItems<AdminUser>(d)),
  roles: () => http.get<unknown>('/admin/roles').then((d) => asItems<AdminRole>(d)),
};
