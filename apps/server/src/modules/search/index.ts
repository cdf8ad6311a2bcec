import { defineModule } from '../../engine/module.ts';
import { recordSearchSource } from './record-search.ts';
import { searchRoutes } from './search.routes.ts';
import { registerSearchSource, type SearchSource } from './search-source.ts';

const L = (zh: string, en: string) => ({ 'zh-CN': zh, 'en-US': en });

/**
 * Global search (issue 9 §1): `GET /search` over the sources modules contribute to the
 * `search-source` extension point. The record-engine objects of the CRM core are sources of
 * this module (it names them, it imports none of their modules); a module with its own data
 * (CDP profiles, tickets, dealers …) contributes a source of its own.
 */
export default defineModule({
  name: 'search',
  label: L('全局搜索', 'Global search'),
  routes: searchRoutes,
  migrations: new URL('./migrations/', import.meta.url),
  extensionPoints: { 'search-source': (value) => registerSearchSource(value as SearchSource) },
  contributes: [
    recordSearchSource({
      object: 'customer',
      label: L('客户', 'Customers'),
      order: 10,
      subtitle: ['phone', 'ownerId'],
    }),
    recordSearchSource({
      object: 'contact',
      label: L('联系人', 'Contacts'),
      order: 20,
      subtitle: ['customerId', 'phone'],
    }),
    recordSearchSource({
      object: 'lead',
      label: L('线索', 'Leads'),
      order: 30,
      alsoMatch: ['company'],
      subtitle: ['company', 'phone', 'status'],
      url: (id) => `/leads/${id}`,
    }),
    recordSearchSource({
      object: 'opportunity',
      label: L('商机', 'Opportunities'),
      order: 40,
      subtitle: ['customerId', 'stage', 'amount'],
    }),
    recordSearchSource({
      object: 'order',
      label: L('订单', 'Orders'),
      order: 50,
      subtitle: ['customerId', 'amount', 'status'],
    }),
    recordSearchSource({
      object: 'quote',
      label: L('报价单', 'Quotes'),
      order: 55,
      subtitle: ['customerId', 'status'],
    }),
    recordSearchSource({
      object: 'contract',
      label: L('合同', 'Contracts'),
      order: 56,
      alsoMatch: ['contractNo'],
      subtitle: ['customerId', 'status'],
    }),
  ].map((value) => ({ point: 'search-source', value })),
});

export type { SearchContext, SearchSource, SourceResult } from './search-source.ts';
