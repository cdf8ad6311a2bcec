import { SEARCH_PERMISSIONS, SearchQuery, SearchResult } from '@kehu/contracts/search';
import { defineRoute } from '../../core/http/route.ts';
import { search } from './search.service.ts';
import { searchSources } from './search-source.ts';

export const searchRoutes = [
  defineRoute({
    method: 'GET',
    url: '/search',
    permission: SEARCH_PERMISSIONS.search,
    summary:
      'Global search: customers, contacts, leads, opportunities, orders and profiles by name or number (prefix, then containing), phone or email (exact); each group only holds what the caller’s own list would show, masked as it would be',
    tags: ['search'],
    query: SearchQuery,
    response: SearchResult,
    handler: (req) =>
      req.tx(
        (tx) =>
          search(searchSources(), {
            tx,
            principal: req.principal,
            actor: req.actor,
            locale: req.locale,
            q: req.query.q,
            limit: req.query.limit,
          }),
        { readOnly: true },
      ),
  }),
];
