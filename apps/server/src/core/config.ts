import { isIP } from 'node:net';
import { z } from 'zod';
import { parseAllowList } from './net/outbound-allow.ts';

const PROXY_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);
const proxyEntryOk = (e: string) => {
  if (PROXY_NAMES.has(e)) return true;
  const [addr, bits, ...rest] = e.split('/');
  if (rest.length || !addr || !isIP(addr)) return false;
  return bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= (isIP(addr) === 4 ? 32 : 128));
};

/**
 * Which peers may tell us the client's address (X-Forwarded-For), host and scheme: none unless
 * configured, since believing any peer lets every client choose its own address (and escape
 * per-address limits). Addresses/CIDRs of the proxies (or proxy-addr's names). A bare hop count
 * is refused: it cannot tell a proxy from a client that sends the header itself, and Fastify 5
 * trusts nobody when given one.
 */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): false | string[] => {
    const s = v?.trim() ?? '';
    if (!s || s === 'false') return false;
    if (/^\d+$/.test(s)) {
      ctx.addIssue({
        code: 'custom',
        message: 'a hop count cannot tell a proxy from a client; list the proxies’ addresses or CIDRs',
      });
      return z.NEVER;
    }
    const entries = s
      .split(',')
      .map((e) => e.trim())
      .filter(Boolean);
    const bad = entries.filter((e) => !proxyEntryOk(e));
    if (bad.length) {
      ctx.addIssue({ code: 'custom', message: `not an address, CIDR or hop count: ${bad.join(', ')}` });
      return z.NEVER;
    }
    return entries;
  });

/** Every setting Kehu reads from the environment, validated once at start. */
const configSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional()
    .describe('PostgreSQL URL; when absent Kehu runs on embedded PGlite in DATA_DIR'),
  DATA_DIR: z.string().default('./data'),
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(20),
  SESSION_TTL_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .default(24 * 7),
  COOKIE_SECURE: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  TRUST_PROXY: trustProxy,
  WEB_DIST: z.string().optional(),
  KEHU_SEED_DEMO: z
    .enum(['true', 'false'])
    .default('true')
    .transform((v) => v === 'true'),
  KEHU_SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, 'must be an smtp:// or smtps:// URL')
    .optional()
    .describe('SMTP server for mail (password reset links); unset: mail goes to the admins’ outbox'),
  KEHU_MAIL_FROM: z.string().optional().describe('From address of mail Kehu sends'),
  KEHU_PUBLIC_URL: z
    .string()
    .regex(/^https?:\/\/[^/]+/, 'must be an http(s) URL')
    .optional()
    .describe('Address users open Kehu at, for links in mail; default http://HOST:PORT'),
  KEHU_ROLE: z.enum(['api', 'worker', 'all']).default('all'),
  // Read again at each outbound request (net/outbound-url.ts); validated here so a typo stops the start.
  KEHU_OUTBOUND_ALLOW: z
    .string()
    .optional()
    .superRefine((value, ctx) => {
      try {
        parseAllowList(value);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
      }
    })
    .describe('host[:port] or CIDR list that outbound requests may reach over http or at private addresses'),
});

export type Config = z.infer<typeof configSchema>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return parsed.data;
}
