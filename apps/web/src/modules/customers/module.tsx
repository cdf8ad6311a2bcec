import { Navigate, useParams } from 'react-router';
import type { WebModule } from '../../app/web-modules';
import { lazyPage } from '../../shared/lazy-page';

/** 客户360 lived at /sales/customers/:id; its links and bookmarks open the one customer page. */
function Customer360Redirect() {
  const { id } = useParams();
  return <Navigate to={`/o/customer/${id}`} replace />;
}
const CustomersRedirect = () => <Navigate to="/o/customer" replace />;

/**
 * The one customer page (issue 9 §2): `o/customer/:id` outranks the generic record page (static
 * segment); editing and the list stay generic. No nav entry of its own: customers are reached from
 * the customer list, search and every link to a customer.
 */
export const customersModule: WebModule = {
  key: 'customers',
  /** No navigation entries of its own: its strings load with its first page. */
  navLabels: { 'zh-CN': {}, 'en-US': {} },
  uses: ['cdp', 'sales'],
  nav: [],
  routes: [
    { path: 'o/customer/:id', page: lazyPage(() => import('./customer-page'), 'CustomerPage') },
    { path: 'sales/customers', page: CustomersRedirect },
    { path: 'sales/customers/:id', page: Customer360Redirect },
  ],
  messagesIn: async (lang) =>
    lang === 'en-US'
      ? (await import('./messages?lang=en-US')).enUS
      : (await import('./messages?lang=zh-CN')).zhCN,
};
