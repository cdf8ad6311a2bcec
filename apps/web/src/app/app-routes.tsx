import { Route, Routes } from 'react-router';
import { AdminRoutes } from '../admin/admin-routes';
import { WEB_MODULES } from '../modules/registry';
import { DetailPage } from '../records/detail-page';
import { ListPage } from '../records/list-page';
import { RecordFormPage } from '../records/record-form-page';
import { AppShell } from './app-shell';
import { HomePage } from './home-page';
import { LoginPage } from './login-page';
import { NotFound } from './not-found';
import { RequireAuth } from './require-auth';

export function AppRoutes() {
  return (
    <Routes>
      <Route path="/login" element={<LoginPage />} />
      <Route element={<RequireAuth />}>
        <Route element={<AppShell />}>
          <Route index element={<HomePage />} />
          <Route path="o/:object" element={<ListPage />} />
          <Route path="o/:object/new" element={<RecordFormPage />} />
          <Route path="o/:object/:id" element={<DetailPage />} />
          <Route path="o/:object/:id/edit" element={<RecordFormPage />} />
          {WEB_MODULES.map((m) => m.routes)}
          <Route path="admin/*" element={<AdminRoutes />} />
          <Route path="*" element={<NotFound />} />
        </Route>
      </Route>
    </Routes>
  );
}
