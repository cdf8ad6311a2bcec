import {
  AdjustInput,
  Adjustment,
  EnrolInput,
  EnrolResult,
  ImportInput,
  ImportResult,
  LOYALTY_PERMISSIONS,
  MemberDetail,
  MemberPage,
  MembersQuery,
  Program,
  ProgramInput,
  ProgramList,
  ProgramPatch,
  TransferInput,
} from '@kehu/contracts/loyalty';
import { z } from 'zod';
import { writeAudit } from '../../core/audit/audit.ts';
import { defineRoute, idParam, type RouteSpec } from '../../core/http/route.ts';
import { requestAdjustment, transferFrom } from './adjustments.service.ts';
import { importMembers } from './import.service.ts';
import { loyaltyProblem, lt } from './loyalty.messages.ts';
import { listMembers, memberDetail } from './member-views.service.ts';
import { enrolMember } from './members.service.ts';
import { createProgram, getProgram, listPrograms, updateProgram } from './programs.service.ts';

const P = LOYALTY_PERMISSIONS;
const tags = ['loyalty'];
const probeProgram = { params: { id: 'loyalty_program' } };
const probeMember = { params: { id: 'loyalty_member' } };

export const loyaltyRoutes: RouteSpec[] = [
  defineRoute({
    method: 'GET',
    url: '/loyalty/programs',
    permission: P.read,
    summary: 'Loyalty programs of the caller’s units and the units above them',
    tags,
    response: ProgramList,
    handler: (req) => req.tx((tx) => listPrograms(tx, req.principal), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/loyalty/programs',
    permission: P.manage,
    summary: 'Add a loyalty program with its tiers and earn rules',
    tags,
    body: ProgramInput,
    response: Program,
    status: 201,
    handler: (req) => req.tx((tx) => createProgram(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/loyalty/programs/:id',
    permission: P.read,
    summary: 'One loyalty program',
    tags,
    params: idParam,
    response: Program,
    probe: probeProgram,
    handler: (req) =>
      req.tx((tx) => getProgram(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/loyalty/programs/:id',
    permission: P.manage,
    summary: 'Change a program (tiers, earn rules, expiry, multipliers); `version` guards concurrent edits',
    tags,
    params: idParam,
    body: ProgramPatch,
    response: Program,
    probe: { ...probeProgram, sample: { version: 1 } },
    handler: (req) =>
      req.tx((tx) => updateProgram(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/loyalty/members',
    permission: P.read,
    summary: 'Members enrolled at the caller’s units, newest first, by tier / unit / number or phone',
    tags,
    query: MembersQuery,
    response: MemberPage,
    handler: (req) => req.tx((tx) => listMembers(tx, req.principal, req.query), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/loyalty/members',
    permission: P.enrol,
    summary: 'Enrol a customer profile (POS / API); the same key or profile returns the membership',
    tags,
    body: EnrolInput,
    response: EnrolResult,
    probe: { body: { programId: 'loyalty_program', profileId: 'cdp_profile' } },
    handler: (req) =>
      req.tx(async (tx) => {
        const b = req.body;
        const unitId = b.unitId ?? req.principal.unitId;
        if (!req.principal.subtreeUnitIds.includes(unitId))
          throw loyaltyProblem('validation', req.locale, 'unit_not_yours', {}, [
            { field: 'unitId', code: 'unit_not_yours', message: lt(req.locale, 'unit_not_yours') },
          ]);
        await getProgram(tx, req.principal, req.locale, b.programId);
        const r = await enrolMember(
          tx,
          req.principal.tenantId,
          {
            programId: b.programId,
            profileId: b.profileId,
            unitId,
            source: b.source ?? 'pos',
            idempotencyKey: `api:${b.idempotencyKey}`,
          },
          req.locale,
        );
        if (r.created)
          await writeAudit(tx, req.actor, {
            action: 'create',
            object: 'loyalty_member',
            recordId: r.memberId,
          });
        return r;
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/loyalty/members/import',
    permission: P.enrol,
    summary: 'Enrol members from CSV (mobile or profile_id, unit_code, opening points); dryRun checks only',
    tags,
    body: ImportInput,
    response: ImportResult,
    bodyLimit: 3_000_000,
    probe: { body: { programId: 'loyalty_program' } },
    handler: (req) => req.tx((tx) => importMembers(tx, req.principal, req.actor, req.locale, req.body)),
  }),
  defineRoute({
    method: 'GET',
    url: '/loyalty/members/:id',
    permission: P.read,
    summary: 'A member: tier and progress, ledger with running balance, lots, tier history, adjustments',
    tags,
    params: idParam,
    response: MemberDetail,
    probe: probeMember,
    handler: (req) =>
      req.tx((tx) => memberDetail(tx, req.principal, req.locale, req.params.id), { readOnly: true }),
  }),
  defineRoute({
    method: 'POST',
    url: '/loyalty/members/:id/adjustments',
    permission: P.adjust,
    summary: 'Add or take away points by hand; above the program’s threshold it waits for approval',
    tags,
    params: idParam,
    body: AdjustInput,
    response: Adjustment,
    status: 201,
    probe: probeMember,
    handler: (req) =>
      req.tx((tx) => requestAdjustment(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
  defineRoute({
    method: 'POST',
    url: '/loyalty/members/:id/transfers',
    permission: P.adjust,
    summary: 'Transfer points to another member of the same program (when the program allows)',
    tags,
    params: idParam,
    body: TransferInput,
    response: z.object({ outLedgerId: z.string(), inLedgerId: z.string() }),
    status: 201,
    probe: probeMember,
    handler: (req) =>
      req.tx((tx) => transferFrom(tx, req.principal, req.actor, req.locale, req.params.id, req.body)),
  }),
];
