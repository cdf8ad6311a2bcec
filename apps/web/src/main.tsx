import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import i18n, { type Language, loadLanguage } from './i18n';
import './app/global.css';
import { AppRoutes } from './app/app-routes';
import { LocaleProvider } from './app/locale';
import { queryClient } from './app/query-client';
import { WebModulesProvider } from './app/web-modules';
import { lazyPage } from './shared/lazy-page';

/** Everything behind sign-in: shell, record pages, admin and the module pages (its own chunk). */
const SignedIn = lazyPage(() => import('./signed-in'), 'SignedIn');

/** The one list of modules, fetched once signed in. */
const loadModules = async () => (await import('./modules/registry')).WEB_MODULES;

// An English user's strings before the first render (the one round trip they pay for a smaller app).
void loadLanguage(i18n.language as Language).then(() =>
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <QueryClientProvider client={queryClient}>
        <LocaleProvider>
          <BrowserRouter>
            <WebModulesProvider load={loadModules}>
              <AppRoutes signedIn={SignedIn} />
            </WebModulesProvider>
          </BrowserRouter>
        </LocaleProvider>
      </QueryClientProvider>
    </StrictMode>,
  ),
);
