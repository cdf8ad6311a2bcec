import {
  Campaign,
  CampaignInput,
  CampaignList,
  CampaignPatch,
  FunnelReport,
  FISSION_PERMISSIONS as P,
} from '@kehu/contracts/fission';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import {
  createCampaign,
  deleteCampaign,
  getCampaign,
  listCampaigns,
  updateCampaign,
} from './campaign.service.ts';
import { funnelReport } from './report.service.ts';

const tags = ['fission'];
const probe = { params: { id: 'fission_campaign' } };

export const fissionRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/fission/campaigns',
    permission: P.read,
    summary: 'Fission campaigns of my unit and the units below it',
    tags,
    response: CampaignList,
    handler: (req) => req.tx((tx) => listCampaigns(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/fission/campaigns',
    permission: P.manage,
    summary: 'Create a campaign in my unit (corp I see, its staff, a poster material I may use)',
    tags,
    response: Campaign,
    body: CampaignInput,
    status: 201,
    probe: { body: { corpRef: 'wecom_corp' } },
    handler: (req) => req.tx((tx) => createCampaign(tx, req.principal, req.actor, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/fission/campaigns/:id',
    permission: P.read,
    summary: 'One campaign with its figures',
    tags,
    response: Campaign,
    params: idParam,
    probe,
    handler: (req) => req.tx((tx) => getCampaign(tx, req.principal, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/fission/campaigns/:id',
    permission: P.manage,
    summary: 'Edit a campaign (its corp and staff stay: participants hold codes to them)',
    tags,
    response: Campaign,
    params: idParam,
    body: CampaignPatch,
    probe,
    handler: (req) => req.tx((tx) => updateCampaign(tx, req.principal, req.actor, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/fission/campaigns/:id',
    permission: P.manage,
    summary: 'End a campaign: its public pages go, the figures stay',
    tags,
    params: idParam,
    status: 204,
    probe,
    handler: (req) => req.tx((tx) => deleteCampaign(tx, req.principal, req.actor, req.params.id)),
  }),
  defineRoute({
    method: 'GET',
    url: '/fission/campaigns/:id/report',
    permission: P.read,
    summary: 'Funnel: participants, invites, new customers, kept after 24 h, rewards, cost per customer',
    tags,
    response: FunnelReport,
    params: idParam,
    probe,
    handler: (req) => req.tx((tx) => funnelReport(tx, req.principal, req.params.id), { readOnly: true }),
  }),
];
