import { CardInput, CardOut, CardVisitList, CARDS_PERMISSIONS as P } from '@kehu/contracts/cards';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { createMyCode, myCard, myVisits, updateMyCard } from './card.service.ts';

const tags = ['cards'];

/** Only "me": a card belongs to its staff member, so there is no id another caller could name. */
export const cardRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/cards/me',
    permission: P.use,
    summary: 'My business card with its visit figures (made on first use)',
    tags,
    response: CardOut,
    handler: (req) => req.tx((tx) => myCard(tx, req.principal)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/cards/me',
    permission: P.use,
    summary: 'Edit my card: title, photo, introduction, whether my phone shows, featured materials',
    tags,
    response: CardOut,
    body: CardInput,
    handler: (req) => req.tx((tx) => updateMyCard(tx, req.principal, req.actor, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/cards/me/code',
    permission: P.use,
    summary: "Create my card's add-me code (a WeCom contact way to me); again returns the same",
    tags,
    response: CardOut,
    probe: { badInput: 'no body' },
    handler: (req) => createMyCode(req.database, req.principal, req.actor, req.locale),
  }),
  defineRoute({
    method: 'GET',
    url: '/cards/me/visits',
    permission: P.use,
    summary: 'Who looked at my card lately (anonymous visitors, and whether they added me)',
    tags,
    response: CardVisitList,
    handler: (req) => req.tx((tx) => myVisits(tx, req.principal), { readOnly: true }),
  }),
];
