import { marker } from '../../testing/fixtures.ts';
import { memo, ok, type ProbeKind, type Side } from '../../testing/probe-kit.ts';

/** The category probes file tickets in (key `probe`), once per side. */
export async function probeCategory(side: Side) {
  return memo(side, 'service_probe_category', async () => {
    const c = await ok(
      side.admin.post('/service/categories', { key: 'probe', name: '探针分类', fields: [] }),
      'service category',
    );
    return { id: c.id as string };
  });
}

/** Tickets are filed in 通用 (general), which every tenant has: probes add no tenant-wide config. */
async function ticketAt(side: Side, unitId?: string) {
  const m = marker('TK');
  const t = await ok(
    side.admin.post('/service/tickets', {
      subject: m,
      description: m,
      categoryKey: 'general',
      ...(unitId ? { unitId } : {}),
    }),
    'service ticket',
  );
  return { id: t.id as string, marker: m, fields: { number: t.number as string } };
}

/** Things this module's routes name, for the permission matrix (testing/probe-kinds.ts). */
export const probeKinds: Record<string, ProbeKind> = {
  service_ticket: {
    unitScoped: true,
    create: (side, at) => ticketAt(side, at?.unitId),
  },
  service_category: {
    async create(side) {
      const m = marker('SC');
      const key = `c${m.replace(/[^a-z0-9]/gi, '').toLowerCase()}`.slice(0, 30);
      const c = await ok(side.admin.post('/service/categories', { key, name: m }), 'service category');
      return { id: c.id, marker: m };
    },
  },
  service_sla_policy: {
    async create(side) {
      // a category of its own: policies are unique per category × priority × tier, and a tier must
      // be a real member tier (ticket-customer-tier)
      const m = marker('SP');
      const key = `p${m.replace(/[^a-z0-9]/gi, '').toLowerCase()}`.slice(0, 30);
      await ok(side.admin.post('/service/categories', { key, name: m }), 'service category');
      const r = await ok(
        side.admin.post('/service/sla-policies', {
          categoryKey: key,
          priority: 'low',
          firstResponseMinutes: 60,
          resolutionMinutes: 600,
        }),
        'sla policy',
      );
      return { id: r.id, marker: m };
    },
  },
  service_kb_article: {
    async create(side) {
      const m = marker('KB');
      const a = await ok(
        side.admin.post('/service/kb', { title: m, bodyHtml: `<p>${m}</p>`, status: 'published' }),
        'kb article',
      );
      return { id: a.id, marker: m };
    },
  },
  service_attachment: {
    async create(side) {
      const t = await ticketAt(side);
      const a = await ok(
        side.admin.post(`/service/tickets/${t.id}/attachments`, {
          fileName: `${t.marker}.txt`,
          mime: 'text/plain',
          content: Buffer.from(t.marker).toString('base64'),
        }),
        'attachment',
      );
      return { id: a.id, marker: t.marker };
    },
  },
};
