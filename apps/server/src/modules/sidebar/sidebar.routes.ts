import {
  SIDEBAR_PERMISSIONS,
  SidebarContact,
  SidebarGroup,
  SidebarSuggestions,
  SidebarTagInput,
} from '@kehu/contracts/sidebar';
import { z } from 'zod';
import { defineRoute, type RouteSpec } from '../../core/http/route.ts';
import { setSidebarTag, sidebarContact, sidebarGroup, sidebarSuggestions } from './sidebar.service.ts';

const tags = ['sidebar'];
const ContactParams = z.object({ externalUserId: z.string().min(1).max(128) });

export const sidebarRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/sidebar/contact/:externalUserId',
    permission: SIDEBAR_PERMISSIONS.use,
    summary:
      "The customer in the open WeCom chat, for the staff member's sidebar: profile (masked), tags, segments, recent history, open opportunities and orders. 404 unless the caller follows them or their scope covers a staff member who does",
    tags,
    params: ContactParams,
    response: SidebarContact,
    probe: { params: { externalUserId: 'sidebar_contact' } },
    handler: (req) =>
      req.tx((tx) => sidebarContact(tx, req.principal, req.actor, req.params.externalUserId, req.locale), {
        readOnly: true,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/sidebar/contact/:externalUserId/suggestions',
    permission: SIDEBAR_PERMISSIONS.use,
    summary:
      "Reply suggestions: the scripts the caller may send most like the customer's latest archived message to the caller (empty without one)",
    tags,
    params: ContactParams,
    response: SidebarSuggestions,
    probe: { params: { externalUserId: 'sidebar_contact' } },
    handler: (req) =>
      req.tx((tx) => sidebarSuggestions(tx, req.principal, req.params.externalUserId), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/sidebar/contact/:externalUserId/tags',
    permission: SIDEBAR_PERMISSIONS.use,
    summary:
      'Put a corp tag on the customer in the chat (or take it off): a CDP manual tag on their profile, which the WeCom tag sync marks in WeCom',
    tags,
    params: ContactParams,
    body: SidebarTagInput,
    response: SidebarContact,
    probe: { params: { externalUserId: 'sidebar_contact' } },
    handler: (req) =>
      req.tx((tx) =>
        setSidebarTag(tx, req.principal, req.actor, req.params.externalUserId, req.body, req.locale),
      ),
  }),
  defineRoute({
    method: 'GET',
    url: '/sidebar/group/:chatId',
    permission: SIDEBAR_PERMISSIONS.use,
    summary:
      'The customer group in the open WeCom group chat: profile, owner, members linked to customer profiles. 404 unless the caller owns or is in the group, or their scope covers its owner',
    tags,
    params: z.object({ chatId: z.string().min(1).max(128) }),
    response: SidebarGroup,
    probe: { params: { chatId: 'sidebar_group' } },
    handler: (req) =>
      req.tx((tx) => sidebarGroup(tx, req.principal, req.actor, req.params.chatId), { readOnly: true }),
  }),
];
