import { type ComponentType, Suspense } from 'react';
import { Route, Routes } from 'react-router';
import { lazyPage } from '../shared/lazy-page';
import { PageSkeleton } from '../shared/ui/page-skeleton';

// Two chunks at the top: the login form downloads neither the session check, the shell, the
// modules nor any page; the signed-in part (../signed-in.tsx, handed in by main.tsx so the shell
// imports no page) splits further per page.
const LoginPage = lazyPage(() => import('./login-page'), 'LoginPage');
const ResetPasswordPage = lazyPage(() => import('./reset-password-page'), 'ResetPasswordPage');

export function AppRoutes({ signedIn: SignedIn }: { signedIn: ComponentType }) {
  return (
    <Suspense fallback={<PageSkeleton />}>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/reset-password" element={<ResetPasswordPage />} />
        <Route path="*" element={<SignedIn />} />
      </Routes>
    </Suspense>
  );
}
