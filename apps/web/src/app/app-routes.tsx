import { Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { lazyPage } from '../shared/lazy-page';
import { PageSkeleton } from '../shared/ui/page-skeleton';

// Two chunks at the top: the login form downloads neither the session check, the shell, the
// modules nor any page; the signed-in part splits further per page (signed-in.tsx).
const LoginPage = lazyPage(() => import('./login-page'), 'LoginPage');
const SignedIn = lazyPage(() => import('./signed-in'), 'SignedIn');

export function AppRoutes() {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<SignedIn />} />
      </Routes>
    </Suspense>
  );
}
