import { Result } from 'antd';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Navigate, Route, Routes } from 'react-router';
import { ADMIN_NAV } from '../app/admin-nav';
import { NotFound } from '../app/not-found';
import { useSession } from '../app/session';
import { ApiKeysPage } from './api-keys-page';
import { AuditPage } from './audit-page';
import { FieldsPage } from './fields-page';
import { ObjectsPage } from './objects-page';
import { OrganisationPage } from './organisation-page';
import { RolesPage } from './roles-page';
import { UnitsPage } from './units-page';
import { UsersPage } from './users-page';

function Guard({ permission, children }: { permission: string; children: ReactNode }) {
  const { t } = useTranslation();
  const { can } = useSession();
  if (!can(permission))
    return <Result status="403" title={t('common.forbiddenTitle')} subTitle={t('common.forbiddenHint')} />;
  return <>{children}</>;
}

export function AdminRoutes() {
  const { can } = useSession();
  const first = ADMIN_NAV.find((a) => can(a.permission));
  return (
    <Routes>
      <Route index element={first ? <Navigate to={first.path} replace /> : <NotFound />} />
      <Route
        path="organisation"
        element={
          <Guard permission="admin:settings">
            <OrganisationPage />
          </Guard>
        }
      />
      <Route
        path="units"
        element={
          <Guard permission="admin:units">
            <UnitsPage />
          </Guard>
        }
      />
      <Route
        path="users"
        element={
          <Guard permission="admin:users">
            <UsersPage />
          </Guard>
        }
      />
      <Route
        path="roles"
        element={
          <Guard permission="admin:roles">
            <RolesPage />
          </Guard>
        }
      />
      <Route
        path="objects"
        element={
          <Guard permission="admin:metadata">
            <ObjectsPage />
          </Guard>
        }
      />
      <Route
        path="objects/:object"
        element={
          <Guard permission="admin:metadata">
            <FieldsPage />
          </Guard>
        }
      />
      <Route
        path="audit"
        element={
          <Guard permission="admin:audit">
            <AuditPage />
          </Guard>
        }
      />
      <Route
        path="api-keys"
        element={
          <Guard permission="admin:apikeys">
            <ApiKeysPage />
          </Guard>
        }
      />
      <Route path="*" element={<NotFound />} />
    </Routes>
  );
}
