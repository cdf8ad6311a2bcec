import { asItems, http } from '../shared/api-client';

export interface AdminUnit {
  id: string;
  name: string;
  type: 'hq' | 'region' | 'dealer' | 'store' | 'team' | string;
  parentId: string | null;
  code?: string | null;
  path?: string;
  depth?: number;
}

export interface AdminUser {
  id: string;
  login: string;
  name: string;
  email?: string | null;
  phone?: string | null;
  unitId: string | null;
  unitName?: string | null;
  roleIds: string[];
  roles?: Array<{ id: string; name: string }>;
  status: 'active' | 'disabled';
  locale?: string | null;
  lastLoginAt?: string | null;
  /** Sign-in back-off in force after wrong passwords; an admin may end it. */
  lockedUntil?: string | null;
}

export type DataScope = 'own' | 'unit' | 'unit_tree' | 'tenant';

export interface AdminRole {
  id: string;
  name: string;
  description?: string | null;
  permissions: string[];
  dataScopes: Record<string, DataScope>;
  fieldAccess: Record<string, Record<string, 'full' | 'masked' | 'hidden'>>;
  system?: boolean;
  isSystem?: boolean;
  userCount?: number;
}

export const UNIT_TYPES = ['hq', 'region', 'dealer', 'store', 'team'] as const;

export const adminApi = {
  units: () => http.get<unknown>('/admin/units').then((d) => asItems<AdminUnit>(d)),
  users: () => http.get<unknown>('/admin/users', { limit: 200 }).then((d) => asItems<AdminUser>(d)),
  roles: () => http.get<unknown>('/admin/roles').then((d) => asItems<AdminRole>(d)),
};
