#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { migrateAll, runKehu } from './app.ts';
import { loadConfig } from './core/config.ts';
import { openDatabase } from './core/db/database.ts';

const HELP = `kehu — 客户 customer-operations platform

Usage:
  kehu start [--role api|worker|all] [--port N] [--no-seed]   run (migrates first; seeds the demo tenant once)
  kehu worker                                                 run background workers only (= start --role worker)
  kehu migrate                                                apply pending migrations
  kehu seed [--customers N] [--slug demo] [--seed 42]         create a demo tenant
  kehu user create --tenant demo --login L --name N --unit-code HQ --role 系统管理员 [--password P]

Environment: DATABASE_URL (PostgreSQL; default embedded PGlite in DATA_DIR=./data), HOST, PORT,
LOG_LEVEL, DB_POOL_SIZE, SESSION_TTL_HOURS, COOKIE_SECURE, TRUST_PROXY, KEHU_SEED_DEMO. See README.md.`;

async function main() {
  const [command = 'start', ...rest] = process.argv.slice(2);
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: true,
    options: {
      role: { type: 'string' },
      port: { type: 'string' },
      'no-seed': { type: 'boolean' },
      customers: { type: 'string' },
      slug: { type: 'string' },
      seed: { type: 'string' },
      tenant: { type: 'string' },
      login: { type: 'string' },
      name: { type: 'string' },
      'unit-code': { type: 'string' },
      password: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help || command === 'help') return console.log(HELP);
  const env = { ...process.env };
  if (values.port) env.PORT = values.port;
  if (values.role) env.KEHU_ROLE = values.role;
  const config = loadConfig(env);

  switch (command) {
    case 'start':
    case 'worker': {
      const role = command === 'worker' ? 'worker' : config.KEHU_ROLE;
      if (role !== 'all' && !config.DATABASE_URL)
        throw new Error('--role api|worker needs DATABASE_URL: the embedded database belongs to one process');
      const started = Date.now();
      const database = await openDatabase({
        url: config.DATABASE_URL,
        dataDir: config.DATA_DIR,
        poolSize: config.DB_POOL_SIZE,
      });
      await migrateAll(database.db, (m) => console.log(m));
      if (role !== 'worker' && config.KEHU_SEED_DEMO && !values['no-seed'])
        await ensureDemo(database, config);
      const kehu = await runKehu(config, { role, database });
      const where = config.DATABASE_URL ? 'PostgreSQL' : `PGlite (${config.DATA_DIR})`;
      console.log(
        `Kehu ${role} ready in ${Date.now() - started} ms on ${where}${kehu.app ? ` — http://${config.HOST}:${config.PORT}` : ''}`,
      );
      const shutdown = async (signal: string) => {
        console.log(`${signal}: shutting down`);
        const force = setTimeout(() => process.exit(1), 15_000);
        await kehu.stop();
        clearTimeout(force);
        process.exit(0);
      };
      process.once('SIGINT', () => void shutdown('SIGINT'));
      process.once('SIGTERM', () => void shutdown('SIGTERM'));
      return;
    }
    case 'migrate': {
      const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      const applied = await migrateAll(database.db, (m) => console.log(m));
      console.log(applied.length ? `${applied.length} migration(s) applied` : 'database is up to date');
      await database.close();
      return;
    }
    case 'seed': {
      const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      await migrateAll(database.db);
      const { seedDemoTenant } = await import('./seed/demo-data.ts');
      const total = Number(values.customers ?? 2000);
      let lastPct = -1;
      const r = await seedDemoTenant(database, {
        customers: total,
        slug: values.slug,
        seed: values.seed ? Number(values.seed) : undefined,
        onProgress: (done, all) => {
          const pct = Math.floor((done / all) * 100);
          if (pct !== lastPct && pct % 5 === 0)
            process.stdout.write(`\rseeding customers ${pct}% (${done}/${all})`);
          lastPct = pct;
        },
      });
      console.log(`\ntenant ${r.slug} (${r.tenantId}) — admin login: ${r.adminLogin} / ${r.password}`);
      await database.close();
      return;
    }
    case 'user': {
      if (positionals[0] !== 'create') throw new Error('usage: kehu user create …');
      const { createUserCli } = await import('./modules/admin/users/user-cli.ts');
      const database = await openDatabase({ url: config.DATABASE_URL, dataDir: config.DATA_DIR });
      await migrateAll(database.db);
      const r = await createUserCli(database, {
        tenant: values.tenant ?? 'demo',
        login: values.login ?? '',
        name: values.name ?? values.login ?? '',
        unitCode: values['unit-code'],
        role: values.role,
        password: values.password,
      });
      console.log(`user ${r.login} created${r.password ? ` — password: ${r.password}` : ''}`);
      await database.close();
      return;
    }
    default:
      console.log(HELP);
      process.exitCode = 2;
  }
}

async function ensureDemo(
  database: Awaited<ReturnType<typeof openDatabase>>,
  config: ReturnType<typeof loadConfig>,
) {
  const { seedDemoTenant, tenantIdOf } = await import('./seed/demo-data.ts');
  const tenantId = await tenantIdOf(database, 'demo');
  if (tenantId) {
    console.log(
      'Demo tenant present — sign in at tenant "demo" (admin / password from first start; default kehu-demo-2026)',
    );
    // Seeded without the WeCom simulator this start runs (a browser test's template copy): its part now.
    const { attachDemoSimulator } = await import('./seed/demo-story.ts');
    await attachDemoSimulator(config, database, { slug: 'demo', tenantId, password: 'kehu-demo-2026' })
      .then((done) => done && console.log('Demo tenant bound to the WeCom simulator'))
      .catch((err) => console.warn(`Demo WeCom simulator part incomplete: ${(err as Error).message}`));
    return;
  }
  console.log('First start: creating the demo tenant 示例集团 …');
  const r = await seedDemoTenant(database, {});
  // Leads, deals, orders and CDP events through the API, so the first screens are not empty.
  const { seedDemoStory } = await import('./seed/demo-story.ts');
  try {
    const story = await seedDemoStory(config, database, r);
    console.log(
      `Demo activity: ${story.leads} leads, deals and orders, ${story.events} CDP events (${story.ms} ms)`,
    );
  } catch (err) {
    console.warn(`Demo activity incomplete: ${(err as Error).message}`);
  }
  console.log('');
  console.log('  ┌──────────────────────────────────────────────');
  console.log(`  │ 企业代码 Tenant : ${r.slug}`);
  console.log(`  │ 账号 Login      : ${r.adminLogin}`);
  console.log(`  │ 密码 Password   : ${r.password}`);
  console.log(
    `  │ Other demo users (same password): ${r.users
      .slice(1, 4)
      .map((u) => `${u.login} (${u.role})`)
      .join(', ')} …`,
  );
  console.log('  └──────────────────────────────────────────────');
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
