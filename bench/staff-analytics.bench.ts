/**
 * Staff dashboard benchmark: GET /api/v1/staff-analytics/dashboard (every contributed figure per
 * staff member, team and day, scoped, as 王建国 — tenant scope) for `--staff` staff (default 500)
 * over `--days` days (default 90), against the hand-written aggregate SQL a developer would write
 * for the same figures (one GROUP BY user, day per table, no scope, straight on a pg client), in
 * the same run. Requests are sequential (a dashboard, not a hot path): p50 / p99 / max of `--runs`
 * calls each, alternating.
 *
 *   node bench/staff-analytics.bench.ts [--staff 500] [--days 90] [--runs 40]
 *
 * Rows go straight into the contributing modules' tables (INSERT … SELECT generate_series), once,
 * per (staff, day): 2 adds (one by channel code) and every 7th a loss, a wecom_staff_daily row,
 * 2 conversations (one answered), a material share and a read, an SOP task, a mass-message task.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import pg from 'pg';
import {
  args,
  BENCH_DIR,
  ensureBenchTenant,
  ensureDatabase,
  fmt,
  int,
  NODE,
  pgVersion,
  printTable,
  ratio,
  signIn,
  writeResult,
} from './lib.ts';

const opt = args({
  staff: { type: 'string', default: '500' },
  days: { type: 'string', default: '90' },
  runs: { type: 'string', default: '40' },
  login: { type: 'string', default: 'wang.jianguo' },
});
const DB = 'kehu_bench_staff';
const staffN = int(opt.staff, 'staff');
const days = int(opt.days, 'days');
const runs = int(opt.runs, 'runs');

const cstDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
const TO = cstDay(Date.now() - 86_400_000);
const FROM = cstDay(Date.now() - days * 86_400_000);

async function seed(c: pg.Client, tenantId: string) {
  const marker = `bench-staff-${staffN}-${days}-${TO}`;
  const have = await c.query('select 1 from wecom_corps where tenant_id = $1 and name = $2', [
    tenantId,
    marker,
  ]);
  if (have.rowCount) return;
  console.error(`seeding ${staffN} staff × ${days} days …`);
  const t0 = performance.now();
  await c.query('begin');
  await c.query(`select set_config('kehu.tenant_id', $1, true)`, [tenantId]);
  // Staff: the demo's salespeople plus generated ones, spread over the stores.
  await c.query(
    `insert into users (tenant_id, id, login, name, unit_id, status, locale)
     select $1, md5('bench-staff' || g)::uuid, 'staff' || g, '员工' || g,
       (select array_agg(id order by code) from units where tenant_id = $1 and type = 'store')[1 + g % 8], 'active', 'zh-CN'
     from generate_series(1, $2::int) g
     on conflict do nothing`,
    [tenantId, staffN],
  );
  const corp = (
    await c.query(
      `insert into wecom_corps (tenant_id, id, unit_id, name, corp_id, corp_key, contact_secret, callback_token, callback_aes_key)
       select $1, gen_random_uuid(), id, $2, 'wwbench' || floor(random() * 1e9)::text, 'kbench' || floor(random() * 1e9)::text, 'x', 'x', 'x'
       from units where tenant_id = $1 and depth = 0 returning id`,
      [tenantId, marker],
    )
  ).rows[0].id as string;
  await c.query(
    `insert into wecom_staff (tenant_id, corp_ref, userid, name, user_id)
     select $1, $2, 'staff' || g, '员工' || g, md5('bench-staff' || g)::uuid from generate_series(1, $3::int) g`,
    [tenantId, corp, staffN],
  );
  const code = (
    await c.query(
      `insert into wecom_channel_codes (tenant_id, id, corp_ref, unit_id, name, state, channel, staff)
       select $1, gen_random_uuid(), $2, unit_id, '车展', 'expo', '车展', '[]' from wecom_corps where tenant_id = $1 and id = $2
       returning id`,
      [tenantId, corp],
    )
  ).rows[0].id as string;
  const grid = `from generate_series(1, $3::int) g, generate_series(0, $4::int - 1) d,
    lateral (select ($5::date - d) as day, md5('bench-staff' || g)::uuid as uid, 'staff' || g as userid,
      ($5::date - d)::timestamp at time zone 'Asia/Shanghai' as t0) x`;
  const p = [tenantId, corp, staffN, days, TO];
  await c.query(
    `insert into wecom_external_contacts (tenant_id, corp_ref, external_userid, userid, unit_id, code_id, status, added_at, lost_at)
     select $1, $2, 'wm' || g || '-' || d || '-' || k, x.userid, (select unit_id from users where tenant_id = $1 and id = x.uid),
       case when k = 0 then $6::uuid end, case when k = 1 and (g + d) % 7 = 0 then 'lost' else 'active' end,
       x.t0 + interval '10 hours', case when k = 1 and (g + d) % 7 = 0 then x.t0 + interval '20 hours' end
     ${grid}, generate_series(0, 1) k`,
    [...p, code],
  );
  await c.query(
    `insert into wecom_staff_daily (tenant_id, corp_ref, userid, day, chat_cnt, message_cnt, reply_percentage, avg_reply_time, group_new_member_cnt, group_msg_total)
     select $1, $2, x.userid, x.day, 5 + (g + d) % 5, 20, 50 + (g + d) % 50, 1 + (g + d) % 10, (g + d) % 3, 10 ${grid}`,
    p,
  );
  await c.query(
    `insert into chat_messages (tenant_id, corp_ref, msgid, seq, msgtime, msgtype, action, direction, staff_userid, external_userid,
       content, staff_user_id, unit_id, raw)
     select $1, $2, 'm' || g || '-' || d || '-' || k, 0, x.t0 + make_interval(hours => 9 + k, mins => case when k % 2 = 1 then 5 else 0 end),
       'text', 'send', case when k % 2 = 0 then 'in' else 'out' end, x.userid, 'wm' || g || '-' || d || '-' || case when k < 2 then 0 else 1 end,
       'hi', x.uid, (select unit_id from users where tenant_id = $1 and id = x.uid), '{}'
     ${grid}, generate_series(0, 2) k`,
    p,
  );
  await c.query(
    `insert into material_shares (tenant_id, id, token, material_id, staff_id, customer_id, created_at)
     select $1, md5('share' || g || '-' || d)::uuid, 'tok' || g || '-' || d, md5('mat')::uuid, x.uid, md5('cust' || g)::uuid,
       x.t0 + interval '11 hours' ${grid} where $2::uuid is not null`,
    p,
  );
  await c.query(
    `insert into material_reads (tenant_id, id, share_id, material_id, visitor, seconds, opened_at)
     select $1, gen_random_uuid(), md5('share' || g || '-' || d)::uuid, md5('mat')::uuid, 'v', 30 + (g + d) % 90,
       x.t0 + interval '12 hours' ${grid} where $2::uuid is not null`,
    p,
  );
  await c.query(
    `insert into sop_tasks (tenant_id, id, rule_id, step, kind, content, corp_ref, target, staff_userid, user_id, unit_id, due_at, status)
     select $1, gen_random_uuid(), md5('rule')::uuid, 0, 'message', '欢迎', $2, 'wm' || g || '-' || d, x.userid, x.uid,
       (select unit_id from users where tenant_id = $1 and id = x.uid), x.t0 + interval '10 hours',
       case when (g + d) % 3 = 0 then 'open' else 'done' end ${grid}`,
    p,
  );
  await c.query(
    `insert into outreach_messages (tenant_id, id, corp_ref, chat_type, title, audience, status, unit_id, created_at)
     select $1, md5('msg' || d)::uuid, $2, 'single', '群发 ' || d, '{}', 'sent', (select unit_id from wecom_corps where tenant_id = $1 and id = $2),
       ($3::date - d)::timestamp at time zone 'Asia/Shanghai' + interval '8 hours' from generate_series(0, $4::int - 1) d`,
    [tenantId, corp, TO, days],
  );
  await c.query(
    `insert into outreach_tasks (tenant_id, message_id, staff_userid, batch, status, recipients)
     select $1, md5('msg' || d)::uuid, 'staff' || g, 0, case when (g + d) % 4 = 0 then 'pending' else 'sent' end, 10
     from generate_series(1, $2::int) g, generate_series(0, $3::int - 1) d`,
    [tenantId, staffN, days],
  );
  await c.query('commit');
  await c.query('analyze');
  console.error(`seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

/** What a developer would write by hand for the same figures: one GROUP BY (user, day) per table. */
const BASELINE = [
  `select s.user_id, (x.added_at at time zone 'Asia/Shanghai')::date as day, count(*) as added, count(x.lost_at) as lost
   from wecom_external_contacts x join wecom_staff s on s.tenant_id = x.tenant_id and s.corp_ref = x.corp_ref and s.userid = x.userid
   where x.tenant_id = $1 and x.added_at >= $2::date::timestamp at time zone 'Asia/Shanghai'
     and x.added_at < ($3::date + 1)::timestamp at time zone 'Asia/Shanghai' group by 1, 2`,
  `select s.user_id, d.day, sum(d.chat_cnt), sum(d.message_cnt), sum(d.reply_percentage * d.chat_cnt), sum(d.avg_reply_time * d.chat_cnt),
     sum(d.group_new_member_cnt)
   from wecom_staff_daily d join wecom_staff s on s.tenant_id = d.tenant_id and s.corp_ref = d.corp_ref and s.userid = d.userid
   where d.tenant_id = $1 and d.day between $2::date and $3::date group by 1, 2`,
  `select staff_user_id, (msgtime at time zone 'Asia/Shanghai')::date, count(*) filter (where direction = 'in'),
     count(*) filter (where direction = 'out')
   from chat_messages where tenant_id = $1 and msgtime >= $2::date::timestamp at time zone 'Asia/Shanghai'
     and msgtime < ($3::date + 1)::timestamp at time zone 'Asia/Shanghai' group by 1, 2`,
  `select sh.staff_id, (r.opened_at at time zone 'Asia/Shanghai')::date, count(*), sum(r.seconds)
   from material_reads r join material_shares sh on sh.tenant_id = r.tenant_id and sh.id = r.share_id
   where r.tenant_id = $1 and r.opened_at >= $2::date::timestamp at time zone 'Asia/Shanghai'
     and r.opened_at < ($3::date + 1)::timestamp at time zone 'Asia/Shanghai' group by 1, 2`,
  `select user_id, (due_at at time zone 'Asia/Shanghai')::date, count(*), count(*) filter (where status <> 'open')
   from sop_tasks where tenant_id = $1 and due_at >= $2::date::timestamp at time zone 'Asia/Shanghai'
     and due_at < ($3::date + 1)::timestamp at time zone 'Asia/Shanghai' group by 1, 2`,
  `select s.user_id, (m.created_at at time zone 'Asia/Shanghai')::date, count(*), count(*) filter (where t.status = 'sent')
   from outreach_tasks t join outreach_messages m on m.tenant_id = t.tenant_id and m.id = t.message_id
   join wecom_staff s on s.tenant_id = t.tenant_id and s.corp_ref = m.corp_ref and s.userid = t.staff_userid
   where t.tenant_id = $1 and m.created_at >= $2::date::timestamp at time zone 'Asia/Shanghai'
     and m.created_at < ($3::date + 1)::timestamp at time zone 'Asia/Shanghai' group by 1, 2`,
];

async function startKehu(url: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(NODE, [`${BENCH_DIR}/api-list.server.ts`, 'kehu', '--url', url, '--pool', '4'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const rl = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((res, rej) => {
    rl.once('line', (l) => res(JSON.parse(l).port));
    child.once('exit', (code) => rej(new Error(`kehu exited ${code}`)));
  });
  return { child, port };
}

const quantile = (v: number[], q: number) => {
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
};

const url = await ensureDatabase(DB);
const tenant = await ensureBenchTenant(url, 2000);
const c = new pg.Client({ connectionString: url });
await c.connect();
await seed(c, tenant.tenantId);
const kehu = await startKehu(url);
try {
  const base = `http://127.0.0.1:${kehu.port}`;
  const s = await signIn(base, tenant.slug, opt.login);
  const path = `/api/v1/staff-analytics/dashboard?from=${FROM}&to=${TO}`;
  const get = async () => {
    const r = await fetch(`${base}${path}`, { headers: { cookie: s.cookie } });
    if (!r.ok) throw new Error(`${path}: ${r.status} ${await r.text()}`);
    return (await r.json()) as { staff: unknown[]; total: Record<string, number> };
  };
  const hand = async () => {
    const out = [];
    for (const b of BASELINE) out.push(await c.query(b, [tenant.tenantId, FROM, TO]));
    return out;
  };
  const sample = await get();
  const handAdded = (await hand())[0]!.rows.reduce((n, r) => n + Number(r.added), 0);
  console.error(
    `dashboard: ${sample.staff.length} staff, ${sample.total.added} added; hand-written SQL ${handAdded} added`,
  );
  if (sample.total.added !== handAdded) console.error('WARNING: the API and the baseline disagree');
  const api: number[] = [];
  const sql: number[] = [];
  for (let i = 0; i < runs; i++) {
    let t = performance.now();
    await get();
    api.push(performance.now() - t);
    t = performance.now();
    await hand();
    sql.push(performance.now() - t);
  }
  const row = (name: string, v: number[]) => ({
    query: name,
    'p50 ms': fmt(quantile(v, 0.5)),
    'p99 ms': fmt(quantile(v, 0.99)),
    'max ms': fmt(Math.max(...v)),
  });
  printTable(`staff dashboard — ${staffN} staff × ${days} days, sequential, ${runs} runs`, [
    row('dashboard API', api),
    row('hand-written aggregate SQL', sql),
  ]);
  const ratios = {
    p50: ratio(quantile(api, 0.5), quantile(sql, 0.5)),
    p99: ratio(quantile(api, 0.99), quantile(sql, 0.99)),
  };
  console.log(`\nratios (API ÷ hand-written SQL): p50 ${fmt(ratios.p50, 2)}×, p99 ${fmt(ratios.p99, 2)}×`);
  writeResult('staff-analytics', {
    options: { staff: staffN, days, runs, login: opt.login, from: FROM, to: TO },
    postgres: await pgVersion(),
    staffShown: sample.staff.length,
    api,
    sql,
    ratios,
  });
} finally {
  kehu.child.kill('SIGTERM');
  await c.end();
}
