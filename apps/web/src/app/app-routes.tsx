import { Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { lazyPage } from '../shared/lazy-page';
import { PageSkeleton } from '../shared/ui/page-skeleton';
import { RequireAuth } from './require-auth';
import { useWebModules } from './web-modules';

// Every page is its own chunk: the login form downloads neither the shell nor any page.
const LoginPage = lazyPage(() => import('./login-page'), 'LoginPage');
const AppShell = lazyPage(() => import('./app-shell'), 'AppShell');
const HomePage = lazyPage(() => import('./home-page'), 'HomePage');
const NotFound = lazyPage(() => import('./not-found'), 'NotFound');
const ListPage = lazyPage(() => import('../records/list-page'), 'ListPage');
const DetailPage = lazyPage(() => import('../records/detail-page'), 'DetailPage');
const RecordFormPage = lazyPage(() => import('../records/record-form-page'), 'RecordFormPage');
const AdminRoutes = lazyPage(() => import('../admin/admin-routes'), 'AdminRoutes');

export function AppRoutes() {
  const modules = useWebModules();
  return (
    <Suspense fallback={<PageSkeleton />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route element={<RequireAuth />}>
          <Route element={<AppShell />}>
            <Route index element={<HomePage />} />
            <Route path="o/:object" element={<ListPage />} />
            <Route path="o/:object/new" element={<RecordFormPage />} />
            <Route path="o/:object/:id" element={<DetailPage />} />
            <Route path="o/:object/:id/edit" element={<RecordFormPage />} />
            {modules.flatMap((m) =>
              m.routes.map((r) => <Route key={`${m.key}:${r.path}`} path={r.path} element={<r.page />} />),
            )}
            <Route path="admin/*" element={<AdminRoutes />} />
            <Route path="*" element={<NotFound />} />
          </Route>
        </Route>
      </Routes>
    </Suspense>
  );
}
