import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type RawBuilder, sql } from 'kysely';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';
import { hashPassword } from '../core/auth/password.ts';
import type { Database } from '../core/db/database.ts';
import { newId } from '../core/ids.ts';
import { modulePermissions } from '../engine/module-loader.ts';

export interface SeedOptions {
  /** Number of customers (default 2000). Contacts come on top: 1–2 per company. */
  customers?: number;
  /** PRNG seed (default 42): the same seed gives the same names, phones and companies. */
  seed?: number;
  slug?: string;
  name?: string;
  password?: string;
  onProgress?: (done: number, total: number) => void;
}

export interface SeedResult {
  tenantId: string;
  slug: string;
  adminLogin: string;
  password: string;
  users: { login: string; name: string; role: string; unitName: string }[];
}

export async function tenantExists(database: Database, slug: string): Promise<boolean> {
  return (await tenantIdOf(database, slug)) !== null;
}

export async function tenantIdOf(database: Database, slug: string): Promise<string | null> {
  const r = await sql<{ id: string }>`select id from tenants where slug = ${slug}`.execute(database.db);
  return r.rows[0]?.id ?? null;
}

/**
 * Creates one tenant with an org tree, the standard roles, ~20 users and `customers`
 * customers with their contacts, in a single transaction (a failed seed leaves nothing
 * behind, so "seed on first start" can simply retry). Runs as the owner connection: the
 * tenant does not exist yet, so there is no tenant context to enter.
 */
export async function seedDemoTenant(database: Database, opts: SeedOptions = {}): Promise<SeedResult> {
  const total = Math.max(0, Math.floor(opts.customers ?? 2000));
  const seed = opts.seed ?? 42;
  const slug = opts.slug ?? 'demo';
  const tenantName = opts.name ?? '示例集团';
  const password = opts.password ?? 'kehu-demo-2026';
  // argon2 is deliberately slow: hash once, share the hash.
  const passwordHash = await hashPassword(password);

  const run = async (w: Writer): Promise<SeedResult> => {
    const tenantId = newId();
    await w.query(sql`insert into tenants (id, slug, name) values (${tenantId}, ${slug}, ${tenantName})`);
    const units = buildUnits();
    await w.insert('units', UNIT_COLUMNS, unitRows(tenantId, units));
    const roleIds = new Map(ROLES.map((r) => [r.name, newId()]));
    await w.insert(
      'roles',
      ROLE_COLUMNS,
      ROLES.map((r) => [
        tenantId,
        roleIds.get(r.name)!,
        r.name,
        r.description,
        pgTextArray([...r.permissions, ...moduleGrants(r.name)]),
        JSON.stringify(r.dataScopes),
        JSON.stringify(r.fieldAccess),
        r.isSystem,
      ]),
    );
    const users = buildUsers(units, mulberry32(seed));
    await w.insert(
      'users',
      USER_COLUMNS,
      users.map((u) => [
        tenantId,
        u.id,
        u.login,
        u.name,
        u.email,
        u.phone,
        u.unit.id,
        'active',
        passwordHash,
        'zh-CN',
      ]),
    );
    await w.insert(
      'user_roles',
      ['tenant_id', 'user_id', 'role_id'],
      users.map((u) => [tenantId, u.id, roleIds.get(u.role)!]),
    );

    const gen = new CustomerGenerator(tenantId, users, seed);
    opts.onProgress?.(0, total);
    for (let done = 0; done < total; ) {
      const n = Math.min(w.batchSize, total - done);
      const { customers, contacts } = gen.batch(n);
      await w.insert('customers', CUSTOMER_COLUMNS, customers);
      if (contacts.length > 0) await w.insert('contacts', CONTACT_COLUMNS, contacts);
      done += n;
      opts.onProgress?.(done, total);
    }
    return {
      tenantId,
      slug,
      adminLogin: 'admin',
      password,
      users: users.map((u) => ({ login: u.login, name: u.name, role: u.role, unitName: u.unit.name })),
    };
  };

  if (database.pool) {
    const client = await database.pool.connect();
    try {
      await client.query('begin');
      const result = await run(copyWriter(database, client));
      await client.query('commit');
      return result;
    } catch (err) {
      await client.query('rollback').catch(() => {});
      throw err;
    } finally {
      client.release();
    }
  }
  return database.db.transaction().execute((trx) => run(valuesWriter(trx)));
}

// ---------------------------------------------------------------------------------------------
// Writers: COPY on PostgreSQL (the 1M-row benchmark path), multi-row INSERT on PGlite.

type Cell = string | number | boolean | null;
type Row = Cell[];

interface Writer {
  batchSize: number;
  query(q: RawBuilder<unknown>): Promise<void>;
  insert(table: string, columns: readonly string[], rows: Row[]): Promise<void>;
}

function copyWriter(database: Database, client: pg.PoolClient): Writer {
  return {
    batchSize: 10_000,
    async query(q) {
      const c = q.compile(database.db);
      await client.query(c.sql, c.parameters as unknown[]);
    },
    async insert(table, columns, rows) {
      let text = '';
      for (const row of rows) text += `${row.map(copyCell).join('\t')}\n`;
      const stream = client.query(copyStreams.from(`copy ${table} (${columns.join(', ')}) from stdin`));
      await pipeline(Readable.from([text]), stream);
    },
  };
}

function valuesWriter(trx: Database['db']): Writer {
  return {
    batchSize: 2_000,
    async query(q) {
      await q.execute(trx);
    },
    async insert(table, columns, rows) {
      // Stay well below PostgreSQL's 65,535 bind parameters per statement.
      const perStatement = Math.max(1, Math.floor(60_000 / columns.length));
      for (let i = 0; i < rows.length; i += perStatement) {
        const chunk = rows.slice(i, i + perStatement);
        await sql`insert into ${sql.table(table)} (${sql.join(columns.map((c) => sql.ref(c)))}) values ${sql.join(
          chunk.map((r) => sql`(${sql.join(r)})`),
        )}`.execute(trx);
      }
    },
  };
}

function copyCell(v: Cell): string {
  if (v === null) return '\\N';
  if (typeof v === 'boolean') return v ? 't' : 'f';
  if (typeof v === 'number') return String(v);
  return v.replace(/[\\\t\n\r]/g, (c) =>
    c === '\\' ? '\\\\' : c === '\t' ? '\\t' : c === '\n' ? '\\n' : '\\r',
  );
}

/** A text[] literal; quoting every element keeps `*` and `:` safe. */
function pgTextArray(items: readonly string[]): string {
  return `{${items.map((s) => `"${s.replace(/["\\]/g, (c) => `\\${c}`)}"`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// Deterministic randomness. mulberry32: tiny, fast, good enough for fake data.

type Rand = () => number;

function mulberry32(seed: number): Rand {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const int = (r: Rand, min: number, max: number) => min + Math.floor(r() * (max - min + 1));
const pick = <T>(r: Rand, items: readonly T[]): T => items[Math.floor(r() * items.length)]!;
function weighted<T>(r: Rand, items: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of items) total += w;
  let x = r() * total;
  for (const [v, w] of items) {
    x -= w;
    if (x < 0) return v;
  }
  return items[items.length - 1]![0];
}

// ---------------------------------------------------------------------------------------------
// Org tree: HQ → 2 regions → 4 dealers → 8 stores.

interface Unit {
  id: string;
  parent: Unit | null;
  name: string;
  type: 'hq' | 'region' | 'dealer' | 'store';
  code: string;
  path: string;
  depth: number;
  sort: number;
  /** Dealers only: where their customers live. */
  area?: Area;
}

const UNIT_COLUMNS = [
  'tenant_id',
  'id',
  'parent_id',
  'name',
  'type',
  'code',
  'path',
  'depth',
  'sort',
] as const;

interface DealerSpec {
  name: string;
  area: Area;
  stores: [string, string];
}

const TREE: { name: string; code: string; dealers: DealerSpec[] }[] = [
  {
    name: '华东大区',
    code: 'EC',
    dealers: [
      { name: '上海浦东汽车销售服务有限公司', area: 'shanghai', stores: ['浦东张江店', '浦东金桥店'] },
      { name: '杭州西湖汽车销售服务有限公司', area: 'hangzhou', stores: ['西湖文三路店', '滨江江南大道店'] },
    ],
  },
  {
    name: '华南大区',
    code: 'SC',
    dealers: [
      { name: '广州天河汽车销售服务有限公司', area: 'guangzhou', stores: ['天河体育西店', '番禺市桥店'] },
      { name: '深圳南山汽车销售服务有限公司', area: 'shenzhen', stores: ['南山科技园店', '宝安西乡店'] },
    ],
  },
];

function buildUnits(): Unit[] {
  const units: Unit[] = [];
  const add = (
    parent: Unit | null,
    name: string,
    type: Unit['type'],
    code: string,
    sort: number,
    area?: Area,
  ) => {
    const id = newId();
    const u: Unit = {
      id,
      parent,
      name,
      type,
      code,
      path: `${parent ? parent.path : '/'}${id}/`,
      depth: parent ? parent.depth + 1 : 0,
      sort,
      area,
    };
    units.push(u);
    return u;
  };
  const hq = add(null, '示例集团总部', 'hq', 'HQ', 0);
  TREE.forEach((region, ri) => {
    const r = add(hq, region.name, 'region', region.code, ri);
    region.dealers.forEach((dealer, di) => {
      const d = add(r, dealer.name, 'dealer', `${region.code}-D${di + 1}`, di, dealer.area);
      dealer.stores.forEach((store, si) => {
        add(d, store, 'store', `${d.code}-S${si + 1}`, si);
      });
    });
  });
  return units;
}

function unitRows(tenantId: string, units: Unit[]): Row[] {
  return units.map((u) => [
    tenantId,
    u.id,
    u.parent?.id ?? null,
    u.name,
    u.type,
    u.code,
    u.path,
    u.depth,
    u.sort,
  ]);
}

// ---------------------------------------------------------------------------------------------
// Roles. The names are part of the demo's contract: tests and docs refer to them.

const ROLE_COLUMNS = [
  'tenant_id',
  'id',
  'name',
  'description',
  'permissions',
  'data_scopes',
  'field_access',
  'is_system',
] as const;

// Lead-to-cash objects (leads and sales modules). Catalogue objects are tenant-wide for everyone.
const SALES_MANAGER_PERMISSIONS = [
  'lead:*',
  'activity:*',
  'opportunity:*',
  'quote:*',
  'contract:*',
  'order:*',
  'payment:*',
  'target:read',
  'product:read',
  'price_list:read',
];
const SALESPERSON_PERMISSIONS = [
  'lead:read',
  'lead:create',
  'lead:update',
  'activity:read',
  'activity:create',
  'activity:update',
  'opportunity:read',
  'opportunity:create',
  'opportunity:update',
  'quote:read',
  'quote:create',
  'quote:update',
  'contract:read',
  'order:read',
  'order:create',
  'payment:read',
  'target:read',
  'product:read',
  'price_list:read',
];
const CATALOGUE_SCOPES = { product: 'tenant', price_list: 'tenant' };

/** Module permissions (cdp:manage, leads:configure …) go to the demo roles their manifests name. */
function moduleGrants(role: string): string[] {
  return modulePermissions().flatMap((m) =>
    m.permissions.filter((p) => p.demoRoles?.includes(role)).map((p) => p.key),
  );
}

const ROLES: {
  name: string;
  description: string;
  permissions: string[];
  dataScopes: Record<string, string>;
  fieldAccess: Record<string, Record<string, string>>;
  isSystem: boolean;
}[] = [
  {
    name: '系统管理员',
    description: '全部功能与全部数据',
    permissions: ['*'],
    dataScopes: { '*': 'tenant' },
    fieldAccess: {},
    isSystem: true,
  },
  {
    name: '总部销售经理',
    description: '全公司客户与联系人，敏感字段默认脱敏，可申请查看明文（留审计）',
    permissions: [...SALES_MANAGER_PERMISSIONS, 'customer:*', 'contact:*'],
    dataScopes: { '*': 'tenant' },
    fieldAccess: {
      customer: { phone: 'masked', email: 'masked' },
      contact: { phone: 'masked' },
      lead: { phone: 'masked', email: 'masked' },
    },
    isSystem: false,
  },
  {
    name: '区域经理',
    description: '本大区及下属经销商、门店的客户',
    permissions: [
      ...SALES_MANAGER_PERMISSIONS,
      'customer:read',
      'customer:create',
      'customer:update',
      'customer:export',
      'contact:*',
    ],
    dataScopes: { '*': 'unit_tree', ...CATALOGUE_SCOPES },
    fieldAccess: { customer: { phone: 'masked' }, contact: { phone: 'masked' }, lead: { phone: 'masked' } },
    isSystem: false,
  },
  {
    name: '经销商店长',
    description: '本经销商及其门店的客户，完整字段',
    permissions: [...SALES_MANAGER_PERMISSIONS, 'customer:*', 'contact:*'],
    dataScopes: { '*': 'unit_tree', ...CATALOGUE_SCOPES },
    fieldAccess: {
      customer: { phone: 'full', email: 'full', address: 'full' },
      contact: { phone: 'full' },
    },
    isSystem: false,
  },
  {
    name: '销售顾问',
    description: '仅本人负责的客户',
    permissions: [
      'customer:read',
      'customer:create',
      'customer:update',
      'contact:read',
      'contact:create',
      'contact:update',
      ...SALESPERSON_PERMISSIONS,
    ],
    dataScopes: { '*': 'own', ...CATALOGUE_SCOPES },
    fieldAccess: { customer: { phone: 'full' }, contact: { phone: 'full' }, lead: { phone: 'full' } },
    isSystem: false,
  },
  {
    name: '客服专员',
    description: '本大区客户只读，联系方式脱敏',
    permissions: [
      'customer:read',
      'contact:read',
      'lead:read',
      'activity:read',
      'activity:create',
      'opportunity:read',
    ],
    dataScopes: { '*': 'unit_tree', ...CATALOGUE_SCOPES },
    fieldAccess: {
      customer: { phone: 'masked', email: 'masked', address: 'masked' },
      contact: { phone: 'masked' },
      lead: { phone: 'masked', email: 'masked' },
    },
    isSystem: false,
  },
  {
    name: '数据分析师',
    description: '全公司数据只读与导出，个人信息隐藏或脱敏',
    permissions: ['*:read', '*:export'],
    dataScopes: { '*': 'tenant' },
    fieldAccess: {
      customer: { phone: 'hidden', email: 'masked', address: 'hidden' },
      contact: { phone: 'hidden', email: 'hidden' },
      lead: { phone: 'hidden', email: 'hidden' },
    },
    isSystem: false,
  },
];

// ---------------------------------------------------------------------------------------------
// Users: a fixed cast, so docs and demos can name people; phones come from the seed.

interface SeedUser {
  id: string;
  login: string;
  name: string;
  email: string;
  phone: string;
  role: string;
  unit: Unit;
}

const USER_COLUMNS = [
  'tenant_id',
  'id',
  'login',
  'name',
  'email',
  'phone',
  'unit_id',
  'status',
  'password_hash',
  'locale',
] as const;

// [login, name, role, unit code]
const CAST: [string, string, string, string][] = [
  ['admin', '系统管理员', '系统管理员', 'HQ'],
  ['wang.jianguo', '王建国', '总部销售经理', 'HQ'],
  ['li.siyuan', '李思远', '数据分析师', 'HQ'],
  ['chen.zhiqiang', '陈志强', '区域经理', 'EC'],
  ['zhou.xiaoyan', '周晓燕', '客服专员', 'EC'],
  ['huang.weiming', '黄伟明', '区域经理', 'SC'],
  ['lin.lijuan', '林丽娟', '客服专员', 'SC'],
  ['zhang.wei', '张伟', '经销商店长', 'EC-D1'],
  ['liu.yang', '刘洋', '经销商店长', 'EC-D2'],
  ['wu.haitao', '吴海涛', '经销商店长', 'SC-D1'],
  ['zheng.xiaodong', '郑晓东', '经销商店长', 'SC-D2'],
  ['sun.lei', '孙磊', '销售顾问', 'EC-D1-S1'],
  ['zhao.jing', '赵静', '销售顾问', 'EC-D1-S1'],
  ['xu.ming', '徐明', '销售顾问', 'EC-D1-S2'],
  ['ma.chao', '马超', '销售顾问', 'EC-D2-S1'],
  ['zhu.ting', '朱婷', '销售顾问', 'EC-D2-S1'],
  ['hu.bin', '胡斌', '销售顾问', 'EC-D2-S2'],
  ['guo.min', '郭敏', '销售顾问', 'SC-D1-S1'],
  ['he.jun', '何俊', '销售顾问', 'SC-D1-S1'],
  ['luo.jia', '罗佳', '销售顾问', 'SC-D1-S2'],
  ['liang.wen', '梁文', '销售顾问', 'SC-D2-S1'],
  ['xie.fang', '谢芳', '销售顾问', 'SC-D2-S1'],
  ['song.jie', '宋杰', '销售顾问', 'SC-D2-S2'],
];

function buildUsers(units: Unit[], r: Rand): SeedUser[] {
  const byCode = new Map(units.map((u) => [u.code, u]));
  return CAST.map(([login, name, role, code]) => ({
    id: newId(),
    login,
    name,
    email: `${login}@demo.kehu`,
    phone: mobile(r),
    role,
    unit: byCode.get(code)!,
  }));
}

// ---------------------------------------------------------------------------------------------
// Customers and contacts.

const CUSTOMER_COLUMNS = [
  'tenant_id',
  'id',
  'owner_id',
  'unit_id',
  'name',
  'kind',
  'phone',
  'email',
  'industry',
  'level',
  'source',
  'region',
  'address',
  'website',
  'annual_revenue',
  'employees',
  'is_key_account',
  'last_contacted_at',
  'custom',
  'version',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
] as const;

const CONTACT_COLUMNS = [
  'tenant_id',
  'id',
  'owner_id',
  'unit_id',
  'customer_id',
  'name',
  'phone',
  'email',
  'title',
  'gender',
  'is_primary',
  'custom',
  'version',
  'created_at',
  'created_by',
  'updated_at',
  'updated_by',
] as const;

const DAY = 86_400_000;

class CustomerGenerator {
  readonly #tenantId: string;
  readonly #owners: (readonly [SeedUser, number])[];
  readonly #r: Rand;
  readonly #now = Date.now();

  constructor(tenantId: string, users: SeedUser[], seed: number) {
    this.#tenantId = tenantId;
    // Consultants carry most customers; store managers keep a few key ones themselves.
    this.#owners = users
      .filter((u) => u.role === '销售顾问' || u.role === '经销商店长')
      .map((u) => [u, u.role === '销售顾问' ? 4 : 1] as const);
    // A separate stream from the users', so changing the cast leaves customers alone.
    this.#r = mulberry32((seed ^ 0x5eed_c0de) >>> 0);
  }

  batch(n: number): { customers: Row[]; contacts: Row[] } {
    const customers: Row[] = [];
    const contacts: Row[] = [];
    for (let i = 0; i < n; i++) this.#one(customers, contacts);
    return { customers, contacts };
  }

  #one(customers: Row[], contacts: Row[]): void {
    const r = this.#r;
    const owner = weighted(r, this.#owners);
    const dealer = owner.unit.type === 'store' ? owner.unit.parent! : owner.unit;
    const place = pickPlace(r, dealer.area!);
    const isCompany = r() < 0.7;
    const level = weighted(r, LEVELS);
    const createdMs = this.#now - Math.floor(r() * 730 * DAY);
    const updatedMs = createdMs + Math.floor(r() * (this.#now - createdMs));
    const contactedMs = r() < 0.7 ? createdMs + Math.floor(r() * (this.#now - createdMs)) : null;
    const address = `${place.prefix}${pick(r, ROADS)}${int(r, 1, 999)}号${r() < 0.5 ? pick(r, BUILDING_PARTS)(r) : ''}`;
    const id = newId();
    const created = new Date(createdMs).toISOString();
    const updated = new Date(updatedMs).toISOString();

    let name: string;
    let email: string | null = null;
    let industry: string | null = null;
    let website: string | null = null;
    let revenue: string | null = null;
    let employees: number | null = null;
    let domain = '';
    if (isCompany) {
      industry = weighted(r, INDUSTRIES);
      const [brand, brandPy] = pick(r, BRANDS);
      const [trade, tradeEn] = pick(r, TRADES[industry]!);
      name = `${place.city}${brand}${trade}${weighted(r, COMPANY_SUFFIXES)}`;
      domain = `${brandPy}${tradeEn ? `-${tradeEn}` : ''}.${r() < 0.6 ? 'com' : 'com.cn'}`;
      if (r() < 0.6) email = `${pick(r, MAILBOXES)}@${domain}`;
      if (r() < 0.4) website = `https://www.${domain}`;
      const [minYuan, maxYuan, minEmp, maxEmp] = SIZE_BY_LEVEL[level]!;
      // Whole 10,000-yuan steps, stored in fen.
      const yuan = Math.round((minYuan + r() * (maxYuan - minYuan)) / 10_000) * 10_000;
      revenue = `{"amount":${yuan * 100},"currency":"CNY"}`;
      employees = int(r, minEmp, maxEmp);
    } else {
      const person = personName(r);
      name = person.name;
      if (r() < 0.6) email = personalEmail(r, person.pinyin);
    }
    const phone = r() < 0.95 ? mobile(r) : null;
    const source = weighted(r, SOURCES);
    const keyAccount = r() < KEY_ACCOUNT_BY_LEVEL[level]!;

    customers.push([
      this.#tenantId,
      id,
      owner.id,
      owner.unit.id,
      name,
      isCompany ? 'company' : 'person',
      phone,
      email,
      industry,
      level,
      source,
      place.code,
      address,
      website,
      revenue,
      employees,
      keyAccount,
      contactedMs === null ? null : new Date(contactedMs).toISOString(),
      '{}',
      1,
      created,
      owner.id,
      updated,
      owner.id,
    ]);

    if (!isCompany) return;
    const count = r() < 0.6 ? 1 : 2;
    for (let k = 0; k < count; k++) {
      const person = personName(r);
      contacts.push([
        this.#tenantId,
        newId(),
        owner.id,
        owner.unit.id,
        id,
        person.name,
        mobile(r),
        r() < 0.4 ? `${person.pinyin.replace(' ', '.')}@${domain}` : null,
        k === 0 ? pick(r, LEAD_TITLES) : pick(r, TITLES),
        person.gender,
        k === 0,
        '{}',
        1,
        created,
        owner.id,
        created,
        owner.id,
      ]);
    }
  }
}

// Real number blocks of the three carriers (and 19x/16x/17x newcomers).
// biome-ignore format: a compact word pool reads better than one entry per line
const MOBILE_PREFIXES = [
  '130', '131', '132', '133', '134', '135', '136', '137', '138', '139', '147', '150', '151', '152', '153', '155',
  '156', '157', '158', '159', '166', '173', '175', '176', '177', '178', '180', '181', '182', '183', '184', '185',
  '186', '187', '188', '189', '191', '198', '199',
];

function mobile(r: Rand): string {
  return pick(r, MOBILE_PREFIXES) + String(Math.floor(r() * 1e8)).padStart(8, '0');
}

// biome-ignore format: a compact word pool reads better than one entry per line
const SURNAMES: [string, string][] = [
  ['王', 'wang'], ['李', 'li'], ['张', 'zhang'], ['刘', 'liu'], ['陈', 'chen'], ['杨', 'yang'], ['黄', 'huang'],
  ['赵', 'zhao'], ['吴', 'wu'], ['周', 'zhou'], ['徐', 'xu'], ['孙', 'sun'], ['马', 'ma'], ['朱', 'zhu'],
  ['胡', 'hu'], ['郭', 'guo'], ['何', 'he'], ['林', 'lin'], ['罗', 'luo'], ['高', 'gao'], ['郑', 'zheng'],
  ['梁', 'liang'], ['谢', 'xie'], ['宋', 'song'], ['唐', 'tang'], ['许', 'xu'], ['韩', 'han'], ['冯', 'feng'],
  ['邓', 'deng'], ['曹', 'cao'], ['彭', 'peng'], ['曾', 'zeng'], ['肖', 'xiao'], ['田', 'tian'], ['董', 'dong'],
  ['袁', 'yuan'], ['潘', 'pan'], ['于', 'yu'], ['蒋', 'jiang'], ['蔡', 'cai'], ['余', 'yu'], ['杜', 'du'],
  ['叶', 'ye'], ['程', 'cheng'], ['苏', 'su'], ['魏', 'wei'], ['吕', 'lv'], ['丁', 'ding'], ['任', 'ren'],
  ['沈', 'shen'], ['姚', 'yao'], ['卢', 'lu'], ['姜', 'jiang'], ['崔', 'cui'], ['钟', 'zhong'], ['谭', 'tan'],
  ['陆', 'lu'], ['汪', 'wang'], ['范', 'fan'], ['金', 'jin'], ['石', 'shi'], ['廖', 'liao'], ['贾', 'jia'],
  ['夏', 'xia'], ['韦', 'wei'], ['方', 'fang'], ['白', 'bai'], ['邹', 'zou'], ['孟', 'meng'], ['熊', 'xiong'],
  ['秦', 'qin'], ['邱', 'qiu'], ['江', 'jiang'], ['尹', 'yin'], ['薛', 'xue'], ['段', 'duan'], ['雷', 'lei'],
  ['侯', 'hou'], ['龙', 'long'], ['史', 'shi'], ['陶', 'tao'], ['贺', 'he'], ['顾', 'gu'], ['毛', 'mao'],
  ['郝', 'hao'], ['龚', 'gong'], ['邵', 'shao'], ['钱', 'qian'], ['严', 'yan'], ['欧阳', 'ouyang'],
];

// biome-ignore format: a compact word pool reads better than one entry per line
const MALE_CHARS: [string, string][] = [
  ['伟', 'wei'], ['强', 'qiang'], ['磊', 'lei'], ['军', 'jun'], ['洋', 'yang'], ['勇', 'yong'], ['杰', 'jie'],
  ['涛', 'tao'], ['明', 'ming'], ['超', 'chao'], ['斌', 'bin'], ['刚', 'gang'], ['辉', 'hui'], ['鹏', 'peng'],
  ['华', 'hua'], ['飞', 'fei'], ['鑫', 'xin'], ['波', 'bo'], ['宇', 'yu'], ['浩', 'hao'], ['凯', 'kai'],
  ['健', 'jian'], ['俊', 'jun'], ['帆', 'fan'], ['建', 'jian'], ['国', 'guo'], ['志', 'zhi'], ['文', 'wen'],
  ['博', 'bo'], ['晨', 'chen'], ['轩', 'xuan'], ['昊', 'hao'], ['然', 'ran'], ['东', 'dong'], ['海', 'hai'],
  ['峰', 'feng'], ['龙', 'long'], ['天', 'tian'], ['子', 'zi'], ['嘉', 'jia'], ['永', 'yong'], ['新', 'xin'],
];

// biome-ignore format: a compact word pool reads better than one entry per line
const FEMALE_CHARS: [string, string][] = [
  ['芳', 'fang'], ['娜', 'na'], ['敏', 'min'], ['静', 'jing'], ['丽', 'li'], ['艳', 'yan'], ['娟', 'juan'],
  ['霞', 'xia'], ['婷', 'ting'], ['雪', 'xue'], ['慧', 'hui'], ['玲', 'ling'], ['颖', 'ying'], ['琳', 'lin'],
  ['晶', 'jing'], ['倩', 'qian'], ['佳', 'jia'], ['欣', 'xin'], ['怡', 'yi'], ['萍', 'ping'], ['红', 'hong'],
  ['梅', 'mei'], ['燕', 'yan'], ['琴', 'qin'], ['雯', 'wen'], ['璐', 'lu'], ['丹', 'dan'], ['悦', 'yue'],
  ['诗', 'shi'], ['梦', 'meng'], ['思', 'si'], ['晓', 'xiao'], ['月', 'yue'], ['秀', 'xiu'], ['兰', 'lan'],
  ['春', 'chun'], ['雨', 'yu'], ['蕾', 'lei'],
];

function personName(r: Rand): { name: string; pinyin: string; gender: 'male' | 'female' } {
  const [sur, surPy] = pick(r, SURNAMES);
  const gender = r() < 0.55 ? 'male' : 'female';
  const pool = gender === 'male' ? MALE_CHARS : FEMALE_CHARS;
  const [a, aPy] = pick(r, pool);
  if (r() < 0.35) return { name: sur + a, pinyin: `${surPy} ${aPy}`, gender };
  const [b, bPy] = pick(r, pool);
  return { name: sur + a + b, pinyin: `${surPy} ${aPy}${bPy}`, gender };
}

function personalEmail(r: Rand, pinyin: string): string {
  const domain = pick(r, ['163.com', '126.com', 'qq.com', 'sina.com', 'outlook.com', 'foxmail.com']);
  if (domain === 'qq.com') return `${int(r, 10_000_000, 2_999_999_999)}@qq.com`;
  const [sur, given] = pinyin.split(' ');
  const local = r() < 0.5 ? `${given}${sur}` : `${sur}.${given}`;
  return `${local}${r() < 0.6 ? int(r, 1, 99) : ''}@${domain}`;
}

const LEVELS: [string, number][] = [
  ['A', 10],
  ['B', 25],
  ['C', 40],
  ['D', 25],
];
// [min revenue yuan, max revenue yuan, min employees, max employees]
const SIZE_BY_LEVEL: Record<string, [number, number, number, number]> = {
  A: [50_000_000, 2_000_000_000, 500, 20_000],
  B: [10_000_000, 50_000_000, 100, 1_000],
  C: [1_000_000, 10_000_000, 20, 200],
  D: [100_000, 1_000_000, 3, 50],
};
// About 10 % overall, concentrated on the big accounts.
const KEY_ACCOUNT_BY_LEVEL: Record<string, number> = { A: 0.5, B: 0.12, C: 0.05, D: 0.02 };

const SOURCES: [string, number][] = [
  ['website', 18],
  ['referral', 15],
  ['exhibition', 10],
  ['wecom', 15],
  ['ad', 10],
  ['phone', 12],
  ['walk_in', 12],
  ['partner', 8],
];

const INDUSTRIES: [string, number][] = [
  ['manufacturing', 18],
  ['retail', 14],
  ['auto', 12],
  ['real_estate', 6],
  ['home_furnishing', 8],
  ['healthcare', 7],
  ['it', 14],
  ['finance', 5],
  ['education', 6],
  ['other', 10],
];

// Trade words per industry with a short English stem for the made-up company domain.
// biome-ignore format: a compact word pool reads better than one entry per line
const TRADES: Record<string, [string, string][]> = {
  manufacturing: [['机械制造', 'machinery'], ['精密制造', 'precision'], ['电子', 'elec'], ['新材料', 'materials'], ['自动化设备', 'auto']],
  retail: [['商贸', 'trade'], ['贸易', 'trading'], ['百货', 'store'], ['供应链管理', 'supply']],
  auto: [['汽车服务', 'auto'], ['汽车配件', 'parts'], ['汽车租赁', 'rental'], ['新能源汽车', 'ev']],
  real_estate: [['置业', 'property'], ['房地产开发', 'realty'], ['物业管理', 'pm']],
  home_furnishing: [['家居', 'home'], ['装饰工程', 'deco'], ['家具', 'furniture']],
  healthcare: [['医疗器械', 'medical'], ['生物科技', 'bio'], ['医药', 'pharma'], ['健康管理', 'health']],
  it: [['科技', 'tech'], ['信息技术', 'it'], ['软件', 'soft'], ['网络科技', 'net'], ['数据科技', 'data']],
  finance: [['投资管理', 'capital'], ['融资租赁', 'leasing'], ['保险代理', 'insurance']],
  education: [['教育科技', 'edu'], ['职业培训', 'training'], ['文化传播', 'culture']],
  other: [['物流', 'logistics'], ['餐饮管理', 'catering'], ['企业管理咨询', 'consulting'], ['广告', 'ad'], ['实业', '']],
};

// biome-ignore format: a compact word pool reads better than one entry per line
const BRANDS: [string, string][] = [
  ['恒瑞', 'hengrui'], ['华信', 'huaxin'], ['博远', 'boyuan'], ['鼎盛', 'dingsheng'], ['宏达', 'hongda'],
  ['信诚', 'xincheng'], ['瑞丰', 'ruifeng'], ['天成', 'tiancheng'], ['锦程', 'jincheng'], ['汇通', 'huitong'],
  ['中泰', 'zhongtai'], ['新元', 'xinyuan'], ['金桥', 'jinqiao'], ['同创', 'tongchuang'], ['远景', 'yuanjing'],
  ['正和', 'zhenghe'], ['海纳', 'haina'], ['启明', 'qiming'], ['德润', 'derun'], ['安泰', 'antai'],
  ['嘉禾', 'jiahe'], ['卓越', 'zhuoyue'], ['万通', 'wantong'], ['永盛', 'yongsheng'], ['华瑞', 'huarui'],
  ['东方', 'dongfang'], ['众合', 'zhonghe'], ['明辉', 'minghui'], ['泰和', 'taihe'], ['志远', 'zhiyuan'],
  ['盛世', 'shengshi'], ['恒通', 'hengtong'], ['瑞达', 'ruida'], ['立信', 'lixin'], ['宏图', 'hongtu'],
  ['星辰', 'xingchen'], ['凯旋', 'kaixuan'], ['辰光', 'chenguang'], ['翔宇', 'xiangyu'], ['云帆', 'yunfan'],
  ['和信', 'hexin'], ['康达', 'kangda'], ['联创', 'lianchuang'], ['鸿运', 'hongyun'], ['佳和', 'jiahe'],
  ['易达', 'yida'], ['智联', 'zhilian'], ['恒久', 'hengjiu'], ['长青', 'changqing'],
  ['新锐', 'xinrui'], ['金鼎', 'jinding'], ['华茂', 'huamao'], ['诚泰', 'chengtai'],
  ['源丰', 'yuanfeng'], ['润达', 'runda'], ['聚力', 'juli'], ['蓝海', 'lanhai'],
];

const COMPANY_SUFFIXES: [string, number][] = [
  ['有限公司', 80],
  ['股份有限公司', 12],
  ['集团有限公司', 8],
];

const MAILBOXES = ['info', 'sales', 'contact', 'service', 'hr', 'purchase', 'office'];

const LEAD_TITLES = ['总经理', '采购经理', '采购总监', '副总经理', '董事长助理', '运营总监'];
const TITLES = [
  '采购专员',
  'IT 主管',
  '财务总监',
  '行政经理',
  '销售总监',
  '市场部经理',
  '技术总监',
  '人事经理',
  '项目经理',
];

// biome-ignore format: a compact word pool reads better than one entry per line
const ROADS = [
  '人民路', '中山路', '解放路', '建设路', '和平路', '新华路', '长江路', '黄河路', '胜利路', '友谊路', '文化路',
  '青年路', '光明路', '朝阳路', '迎宾大道', '世纪大道', '科技路', '创业路', '滨江大道', '环城路', '东风路',
  '五一路', '复兴路', '金融街', '工业园路',
];

const BUILDING_PARTS: ((r: Rand) => string)[] = [
  (r) => `${pick(r, BRANDS)[0]}大厦${int(r, 2, 32)}楼`,
  (r) => `${int(r, 1, 12)}号楼${int(r, 1, 20)}0${int(r, 1, 9)}室`,
  (r) => `${pick(r, ['A', 'B', 'C', 'D'])}座${int(r, 1, 28)}层`,
];

// ---------------------------------------------------------------------------------------------
// Where each dealer's customers are: mostly the dealer's own city, some from cities nearby.
// Every code here exists in migration 0003_regions.sql (the integration test checks).

type Area = 'shanghai' | 'hangzhou' | 'guangzhou' | 'shenzhen';

interface Place {
  code: string;
  /** Short city name for company names: 上海, 苏州 … */
  city: string;
  /** Address prefix down to the district: 上海市浦东新区 */
  prefix: string;
}

const district = (code: string, city: string, prefix: string): Place => ({ code, city, prefix });

const districts = (city: string, cityFull: string, list: string): Place[] =>
  list
    .trim()
    .split(/\s+/)
    .map((entry) => {
      const [code, name] = entry.split(':');
      return district(code!, city, `${cityFull}${name}`);
    });

const AREAS: Record<Area, { home: Place[]; homeHot: Place[]; near: Place[] }> = {
  shanghai: {
    home: districts(
      '上海',
      '上海市',
      `310101:黄浦区 310104:徐汇区 310105:长宁区 310106:静安区 310107:普陀区 310109:虹口区 310110:杨浦区
       310112:闵行区 310113:宝山区 310114:嘉定区 310115:浦东新区 310116:金山区 310117:松江区 310118:青浦区
       310120:奉贤区 310151:崇明区`,
    ),
    homeHot: districts('上海', '上海市', '310115:浦东新区'),
    near: [
      district('320500', '苏州', '江苏省苏州市'),
      district('320200', '无锡', '江苏省无锡市'),
      district('320400', '常州', '江苏省常州市'),
      district('320600', '南通', '江苏省南通市'),
      ...districts(
        '南京',
        '江苏省南京市',
        '320102:玄武区 320104:秦淮区 320105:建邺区 320106:鼓楼区 320115:江宁区',
      ),
    ],
  },
  hangzhou: {
    home: districts(
      '杭州',
      '浙江省杭州市',
      `330102:上城区 330105:拱墅区 330106:西湖区 330108:滨江区 330109:萧山区 330110:余杭区 330111:富阳区
       330112:临安区 330113:临平区 330114:钱塘区`,
    ),
    homeHot: districts('杭州', '浙江省杭州市', '330106:西湖区 330108:滨江区'),
    near: [
      district('330200', '宁波', '浙江省宁波市'),
      district('330600', '绍兴', '浙江省绍兴市'),
      district('330400', '嘉兴', '浙江省嘉兴市'),
      district('330500', '湖州', '浙江省湖州市'),
      district('330700', '金华', '浙江省金华市'),
      district('330300', '温州', '浙江省温州市'),
    ],
  },
  guangzhou: {
    home: districts(
      '广州',
      '广东省广州市',
      `440103:荔湾区 440104:越秀区 440105:海珠区 440106:天河区 440111:白云区 440112:黄埔区 440113:番禺区
       440114:花都区 440115:南沙区 440117:从化区 440118:增城区`,
    ),
    homeHot: districts('广州', '广东省广州市', '440106:天河区 440113:番禺区'),
    near: [
      district('440600', '佛山', '广东省佛山市'),
      district('441900', '东莞', '广东省东莞市'),
      district('442000', '中山', '广东省中山市'),
      district('440400', '珠海', '广东省珠海市'),
      district('441200', '肇庆', '广东省肇庆市'),
      district('440700', '江门', '广东省江门市'),
    ],
  },
  shenzhen: {
    home: districts(
      '深圳',
      '广东省深圳市',
      `440303:罗湖区 440304:福田区 440305:南山区 440306:宝安区 440307:龙岗区 440308:盐田区 440309:龙华区
       440310:坪山区 440311:光明区`,
    ),
    homeHot: districts('深圳', '广东省深圳市', '440305:南山区 440306:宝安区'),
    near: [
      district('441900', '东莞', '广东省东莞市'),
      district('441300', '惠州', '广东省惠州市'),
      district('350200', '厦门', '福建省厦门市'),
      district('350100', '福州', '福建省福州市'),
      district('350500', '泉州', '福建省泉州市'),
      district('440500', '汕头', '广东省汕头市'),
    ],
  },
};

function pickPlace(r: Rand, area: Area): Place {
  const a = AREAS[area];
  const x = r();
  if (x < 0.3) return pick(r, a.homeHot);
  if (x < 0.75) return pick(r, a.home);
  return pick(r, a.near);
}

/** Every region code the generator can emit (for tests). */
export const DEMO_REGION_CODES: readonly string[] = [
  ...new Set(Object.values(AREAS).flatMap((a) => [...a.home, ...a.homeHot, ...a.near].map((p) => p.code))),
];
