import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupNav, NAV_GROUPS, type NavEntry, placeObject, selectedEntry } from './nav-groups.ts';

const e = (
  key: string,
  path: string,
  group: NavEntry['group'],
  order: number,
  extra: Partial<NavEntry> = {},
) => ({
  key,
  path,
  group,
  order,
  ...extra,
});

/** The demo's entries as the shell builds them (module pages, object lists, administration). */
const ENTRIES: NavEntry[] = [
  e('home', '/', 'workspace', 0),
  e('leads-inbox', '/leads/inbox', 'sales', 10, { permission: 'lead:read' }),
  e('leads-settings', '/leads/settings', 'sales', 10, { permission: 'leads:configure', setup: true }),
  e('kanban', '/sales/kanban', 'sales', 20, { permission: 'opportunity:read' }),
  e('approvals', '/sales/approvals', 'workspace', 20, { permission: 'approval:read' }),
  e('cdp-segments', '/cdp/segments', 'marketing', 10, { permission: 'cdp:read' }),
  e('cdp-sources', '/cdp/sources', 'data', 40, { permission: 'cdp:read', setup: true }),
  { key: 'object-customer', path: '/o/customer', ...placeObject('customer') },
  { key: 'object-lead', path: '/o/lead', ...placeObject('lead') },
  { key: 'object-opportunity', path: '/o/opportunity', ...placeObject('opportunity') },
  { key: 'object-target', path: '/o/target', ...placeObject('target') },
  { key: 'object-visit', path: '/o/visit', ...placeObject('visit', 'service') },
  { key: 'object-gadget', path: '/o/gadget', ...placeObject('gadget') },
  e('admin-users', '/admin/users', 'settings', 110, { permission: 'admin:users' }),
];

const shape = (sections: ReturnType<typeof groupNav>) =>
  sections.map((s) => `${s.group}: ${s.entries.map((x) => x.key).join(' ')}`);

describe('navigation grouped by workspace', () => {
  it('puts everything under the business groups in their fixed order, daily work apart from setup', () => {
    const all = groupNav(ENTRIES, () => true);
    assert.deepEqual(shape(all), [
      'workspace: home approvals',
      'sales: leads-inbox object-lead kanban object-opportunity',
      'customers: object-customer',
      'marketing: cdp-segments',
      'service: object-visit',
      'data: object-gadget',
      'settings: leads-settings object-target cdp-sources admin-users',
    ]);
    assert.deepEqual(
      all.map((s) => s.group),
      NAV_GROUPS.filter((g) => g !== 'channels'),
      'groups keep the one order; a group with nothing in it is not shown',
    );
  });

  it("shows only what the role may use and hides groups left empty (a salesperson's menu)", () => {
    const held = new Set(['lead:read', 'opportunity:read', 'approval:read']);
    const mine = groupNav(
      ENTRIES.filter((x) => !['object-visit', 'object-gadget', 'object-target'].includes(x.key)),
      (p) => held.has(p),
    );
    assert.deepEqual(shape(mine), [
      'workspace: home approvals',
      'sales: leads-inbox object-lead kanban object-opportunity',
      'customers: object-customer',
    ]);
  });

  it('places custom objects by their metadata, else under 数据; standard objects by the table', () => {
    assert.equal(placeObject('gadget').group, 'data');
    assert.equal(placeObject('visit', 'service').group, 'service');
    assert.equal(placeObject('visit', 'nonsense').group, 'data');
    assert.equal(placeObject('customer').group, 'customers');
    assert.equal(placeObject('contact').group, 'customers');
    for (const o of ['opportunity', 'quote', 'contract', 'order', 'payment'])
      assert.equal(placeObject(o).group, 'sales', o);
    // Names that collided with module pages get a label of their own.
    assert.equal(placeObject('lead').labelKey, 'nav.objects.lead');
    assert.equal(placeObject('target').setup, true);
  });

  it('highlights the list a record page belongs to, and the longest matching entry', () => {
    const all = groupNav(ENTRIES, () => true);
    const at = (path: string) => selectedEntry(all, path)?.key;
    assert.equal(at('/o/customer/0190-abc'), 'object-customer');
    assert.equal(at('/o/customer'), 'object-customer');
    assert.equal(at('/leads/inbox/0190-abc'), 'leads-inbox');
    assert.equal(at('/leads/0190-abc'), 'object-lead', 'a lead page belongs to the lead list');
    assert.equal(at('/'), 'home');
    assert.equal(at('/o/customerish'), undefined, 'a path that only starts alike is not under the entry');
    assert.equal(at('/nowhere'), undefined);
  });
});
