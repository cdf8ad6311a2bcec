import { Route, Routes } from 'react-router';
import { AppShell } from './app/app-shell';
import { lazyPage } from './shared/lazy-page';
import './app/dayjs-locale';
import { RequireAuth } from './app/require-auth';
import { useWebModules } from './app/web-modules';

const HomePage = lazyPage(() => import('./app/home-page'), 'HomePage');
const NotFound = lazyPage(() => import('./app/not-found'), 'NotFound');
const ListPage = lazyPage(() => import('./records/list-page'), 'ListPage');
const DetailPage = lazyPage(() => import('./records/detail-page'), 'DetailPage');
const RecordFormPage = lazyPage(() => import('./records/record-form-page'), 'RecordFormPage');
const AdminRoutes = lazyPage(() => import('./admin/admin-routes'), 'AdminRoutes');

/**
 * Every route behind the sign-in. The modules' routes are known only once the registry has
 * loaded, so they live here rather than in the top-level router; a module's static segment
 * (`o/opportunity/:id`) still outranks the generic `o/:object/:id`.
 */
function SignedInRoutes() {
  const modules = useWebModules();
  return (
    <Routes>
      {modules.flatMap((m) =>
        m.routes
          .filter((r) => r.bare)
          .map((r) => <Route key={`${m.key}:${r.path}`} path={r.path} element={<r.page />} />),
      )}
      <Route element={<AppShell />}>
        <Route index element={<HomePage />} />
        <Route path="o/:object" element={<ListPage />} />
        <Route path="o/:object/new" element={<RecordFormPage />} />
        <Route path="o/:object/:id" element={<DetailPage />} />
        <Route path="o/:object/:id/edit" element={<RecordFormPage />} />
        {modules.flatMap((m) =>
          m.routes
            .filter((r) => !r.bare)
            .map((r) => <Route key={`${m.key}:${r.path}`} path={r.path} element={<r.page />} />),
        )}
        <Route path="admin/*" element={<AdminRoutes />} />
        <Route path="*" element={<NotFound />} />
      </Route>
    </Routes>
  );
}

export function SignedIn() {
  return (
    <RequireAuth>
      <SignedInRoutes />
    </RequireAuth>
  );
}
