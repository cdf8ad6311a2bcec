import { QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import './i18n';
import './app/global.css';
import { AppRoutes } from './app/app-routes';
import { LocaleProvider } from './app/locale';
import { queryClient } from './app/query-client';
import { WebModulesProvider } from './app/web-modules';
import { WEB_MODULES } from './modules/registry';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queryClient}>
      <LocaleProvider>
        <BrowserRouter>
          <WebModulesProvider modules={WEB_MODULES}>
            <AppRoutes />
          </WebModulesProvider>
        </BrowserRouter>
      </LocaleProvider>
    </QueryClientProvider>
  </StrictMode>,
);
