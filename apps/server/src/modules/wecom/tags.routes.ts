import {
  ContactTags,
  ContactTagsInput,
  CorpTagList,
  TagSyncResult,
  WECOM_PERMISSIONS,
} from '@kehu/contracts/wecom';
import { z } from 'zod';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { wecomFailure } from './codes.service.ts';
import { corpRuntime, getCorp } from './corps.service.ts';
import { listCorpTags, setContactTags, syncCorpTags } from './tags.service.ts';

const tags = ['wecom'];
const contactParams = z.object({ id: z.uuid(), ext: z.string().min(1).max(64) });

/** 企业客户标签 (issue 10): the synced tag groups and their CDP tags, sync, tagging a customer. */
export const wecomTagRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/wecom/corps/:id/tags',
    permission: WECOM_PERMISSIONS.read,
    summary: 'The corp’s tag groups and tags as last synced from WeCom, with the CDP tags they map to',
    tags,
    params: idParam,
    response: CorpTagList,
    probe: { params: { id: 'wecom_corp' } },
    handler: (req) => req.tx((tx) => listCorpTags(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/tags/sync',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Pull the corp tag list from WeCom (WeCom owns the definitions); idempotent',
    tags,
    params: idParam,
    response: TagSyncResult,
    probe: { params: { id: 'wecom_corp' } },
    handler: async (req) => {
      const corp = await req.tx(async (tx) => {
        await getCorp(tx, req.principal, req.params.id);
        return corpRuntime(tx, req.principal.tenantId, req.params.id);
      });
      // WeCom refusing or unreachable is the admin's to fix (secret, base URL): a 422, not a 500.
      return syncCorpTags(req.database, corp).catch((err) => wecomFailure(req.locale, err));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/wecom/corps/:id/contacts/:ext/tags',
    permission: WECOM_PERMISSIONS.manage,
    summary: 'Apply or remove corp tags on a customer, in WeCom (mark_tag) and on the profile',
    tags,
    params: contactParams,
    body: ContactTagsInput,
    response: ContactTags,
    probe: { params: { id: 'wecom_corp', ext: '=probe' } },
    handler: (req) =>
      setContactTags(req.database, req.principal, req.actor, req.params.id, req.params.ext, req.body),
  }),
];
