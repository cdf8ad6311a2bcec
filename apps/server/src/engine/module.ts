import type { FastifyInstance } from 'fastify';
import type { Actor } from '../core/audit/audit.ts';
import type { Principal } from '../core/auth/principal.ts';
import type { Database } from '../core/db/database.ts';
import type { Tx } from '../core/db/tenant-scope.ts';
import type { DomainEvent } from '../core/events/outbox.ts';
import type { RouteSpec } from '../core/http/route.ts';
import type { Label, Locale } from '../core/i18n/locale.ts';
import type { JobContext, JobHandler } from '../core/jobs/queue.ts';
import type { ObjectDef } from './records/object-def.ts';
import type { ObjectHooks } from './records/object-hooks.ts';
import type { OptionsLoader } from './records/standard-objects.ts';

/**
 * A module's one declaration of itself (ARCHITECTURE.md §2): everything the server needs to know
 * about a business domain, in one value the module's `index.ts` exports as default. The loader
 * (module-loader.ts) installs the list in modules/index.ts; nothing else registers anything, so a
 * newcomer reads one file to learn what a module brings, and adding a module is one folder plus
 * one line.
 */
export interface ModuleManifest {
  /** Folder name; also the prefix of its module permissions (`cdp:manage`). */
  name: string;
  label: Label;
  /** Modules this one builds on: they must come earlier in the list (checked at start). */
  requires?: string[];
  /** Standard objects the record engine stores, lists, imports and exports for this module. */
  objects?: ObjectDef[];
  /** Domain behaviour inside record writes, by object api name (objects of other modules too). */
  hooks?: Array<{ object: string; hooks: ObjectHooks }>;
  /** Per-tenant picklist options for a standard field whose values are tenant configuration. */
  optionsLoaders?: Array<{ object: string; field: string; load: OptionsLoader }>;
  /** API routes under /api/v1; each declares its permission (the registrar refuses one that does not). */
  routes?: RouteSpec[];
  /** Routes outside /api/v1 with their own protocol (Segment ingestion, callbacks from WeCom …). */
  http?: (app: FastifyInstance, database: Database) => Promise<void>;
  /**
   * Runs once in every process that runs the module, API or worker alone, before any job or
   * request: for work outside a request (jobs, subscribers) that needs the database handle.
   * Must be idempotent (a test process may start several apps).
   */
  start?: (database: Database) => void;
  /** Durable job handlers by queue name. */
  jobs?: Record<string, JobHandler>;
  /** Durable event subscribers (outbox → one job per event or per batch; idempotent on event ids). */
  subscribers?: Subscriber[];
  /**
   * Permissions the module checks that are not `<object>:<action>` of its objects. The role
   * editor lists and grants them by these labels; `demoRoles` names the demo roles that get it.
   */
  permissions?: PermissionDef[];
  /** Folder of the module's forward-only SQL migrations (`new URL('./migrations/', import.meta.url)`). */
  migrations?: URL;
  /** Sections of the home page ("my day") this module fills for the people who work with it. */
  homeCards?: HomeCard[];
  /** A step of the demo story on first start (through the API, as a user would). */
  demo?: DemoStep;
  /**
   * Extension points other modules contribute to (`contributes`), by point name: the module that
   * owns a concept (approval flows, timeline sources …) says how to plug into it.
   */
  extensionPoints?: Record<string, (value: unknown) => void>;
  contributes?: Contribution[];
  /** Test-only helpers (permission-matrix probe kinds …), loaded by the test harness only. */
  testKit?: () => Promise<ModuleTestKit>;
}

export interface PermissionDef {
  key: string;
  label: Label;
  description?: Label;
  demoRoles?: string[];
}

export type Subscriber =
  | { name: string; pattern: string; handle: (e: DomainEvent, job: JobContext) => Promise<void> }
  | {
      name: string;
      patterns: string[];
      handleBatch: (events: DomainEvent[], job: JobContext) => Promise<void>;
    };

export interface HomeCardContext {
  tx: Tx;
  principal: Principal;
  actor: Actor;
  locale: Locale;
  /** The tenant's month (YYYY-MM) the sales figures use. */
  period: string;
}

export interface HomeCard {
  /** The key of the section in `GET /me/today`. */
  key: string;
  /** Cards are shown in this order across modules (lower first). */
  order: number;
  /** Whose day the card marks: a caller with a visible `manager` card is greeted as a manager. */
  audience?: 'sales' | 'manager';
  visible(p: Principal): boolean;
  load(ctx: HomeCardContext): Promise<unknown>;
}

export interface DemoContext {
  database: Database;
  tenantId: string;
  now: number;
  seed: number;
  /** Signs a demo user in (once) and returns an API caller bound to their session. */
  signIn: SignIn;
  /** Sends Segment-style messages to `/v1/batch` with a source's write key. */
  send(writeKey: string, batch: Record<string, unknown>[]): Promise<void>;
  /** Runs the outbox and the jobs of the demo tenant until nothing is left. */
  drain(): Promise<void>;
  /** What earlier steps made that later ones build on (ids, phones …), by name. */
  state: Map<string, unknown>;
}

/** The public API, called as one signed-in user; throws on any status ≥ 300. */
export type DemoCall = <T = any>(method: string, path: string, body?: unknown) => Promise<T>;
export type SignIn = (login: string) => Promise<DemoCall>;

export interface DemoStep {
  /** Steps run in this order across modules (lower first). */
  order: number;
  run?(ctx: DemoContext): Promise<void>;
  /**
   * The part of the step that needs the local WeCom simulator (`npm start` runs one, browser tests
   * start their own; its URL is in `KEHU_WECOM_DEMO_URL`). Runs right after `run` when the demo is
   * seeded with one, or — in step order, without the other steps — when a start names a simulator
   * for a demo seeded without one (a browser test's copy of the seeded template). So it must find
   * what it needs through the API or the database, not in `ctx.state`.
   */
  withSimulator?(ctx: DemoContext, simulatorUrl: string): Promise<void>;
}

export interface Contribution<V = unknown> {
  point: string;
  value: V;
}

export interface ModuleTestKit {
  /** Kinds of tenant-owned things routes name, for the permission matrix (testing/probe-kinds.ts). */
  probeKinds?: Record<string, unknown>;
}

const NAME = /^[a-z][a-z0-9-]*$/;

/** Declares a module. Checks what can be checked without the others; the loader checks the rest. */
export function defineModule(m: ModuleManifest): ModuleManifest {
  if (!NAME.test(m.name)) throw new Error(`module name "${m.name}" must be kebab-case`);
  for (const p of m.permissions ?? []) {
    if (!/^[a-z][a-z_]*:[a-z_*]+$/.test(p.key))
      throw new Error(`module ${m.name}: bad permission key ${p.key}`);
  }
  return m;
}
