import { CLASSIFICATIONS, FIELD_TYPES, PERSONAL_KINDS } from '@kehu/contracts/records';
import type { FieldError } from '../../core/errors.ts';
import type { Label } from '../../core/i18n/locale.ts';

export { CLASSIFICATIONS, FIELD_TYPES, PERSONAL_KINDS };
export type FieldType = (typeof FIELD_TYPES)[number];

export type Classification = (typeof CLASSIFICATIONS)[number];
export type PersonalKind = (typeof PERSONAL_KINDS)[number];

export interface PicklistOption {
  value: string;
  label: Label;
  color?: string;
}

export interface FieldValidation {
  min?: number | null;
  max?: number | null;
  maxLength?: number | null;
  pattern?: string | null;
}

export interface FieldDef {
  apiName: string;
  type: FieldType;
  label: Label;
  required: boolean;
  unique: boolean;
  isCustom: boolean;
  /** id, createdAt … maintained by the engine. */
  system: boolean;
  readOnly: boolean;
  options: PicklistOption[] | null;
  lookupObject: string | null;
  validation: FieldValidation;
  defaultValue: unknown;
  classification: Classification;
  personalKind: PersonalKind | null;
  /** Typed column on the object's table; absent = stored in the JSONB column. */
  column?: string;
}

export const CURRENCIES = ['CNY', 'USD', 'EUR', 'HKD', 'JPY', 'GBP'] as const;

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}(-\d{1,6})?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Mainland numbers are stored without spaces, dashes or the +86 prefix (landlines keep one dash). */
export function normalisePhone(raw: string): string | null {
  let s = raw.trim().replace(/[\s()（）]/g, '');
  s = s.replace(/^(\+?86|0086)-?/, '');
  if (MOBILE.test(s.replaceAll('-', ''))) return s.replaceAll('-', '');
  if (LANDLINE.test(s)) return s;
  if (/^0\d{9,11}$/.test(s)) return s;
  return null;
}

function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(`${s}T00:00:00Z`);
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

type Result = { ok: true; value: unknown } | { ok: false; error: Omit<FieldError, 'field'> };
const ok = (value: unknown): Result => ({ ok: true, value });
const err = (code: string, params?: Record<string, unknown>): Result => ({
  ok: false,
  error: { code, params },
});

/**
 * Checks one value against its field and returns the value as stored. Empty strings count
 * as empty (null) for every type: forms and CSV files both produce them for "no value".
 */
export function coerceValue(f: FieldDef, raw: unknown): Result {
  if (raw === undefined || raw === null || raw === '') return ok(null);
  const v = f.validation ?? {};
  switch (f.type) {
    case 'text':
    case 'longtext': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return err('type', { expected: 'string' });
      const s = String(raw).trim();
      const maxLength = v.maxLength ?? (f.type === 'text' ? 255 : 32_000);
      if (s.length > maxLength) return err('max_length', { max: maxLength });
      if (v.pattern && !new RegExp(v.pattern).test(s)) return err('pattern');
      return ok(s === '' ? null : s);
    }
    case 'number':
    case 'percent': {
      const n =
        typeof raw === 'number'
          ? raw
          : typeof raw === 'string' && raw.trim() !== ''
            ? Number(raw.trim().replace(/%$/, ''))
            : Number.NaN;
      if (!Number.isFinite(n)) return err('type', { expected: 'number' });
      if (v.min != null && n < v.min) return err('min', { min: v.min });
      if (v.max != null && n > v.max) return err('max', { max: v.max });
      return ok(n);
    }
    case 'currency': {
      let amount: unknown;
      let currency: unknown = 'CNY';
      if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
        amount = (raw as any).amount;
        currency = (raw as any).currency ?? 'CNY';
      } else if (typeof raw === 'string' && /^-?\d+(\.\d{1,2})?$/.test(raw.trim())) {
        // Spreadsheet cells carry yuan with up to 2 decimals; stored as integer fen.
        amount = Math.round(Number(raw.trim()) * 100);
      } else return err('currency_format');
      if (typeof amount !== 'number' || !Number.isSafeInteger(amount)) return err('currency_format');
      if (typeof currency !== 'string' || !(CURRENCIES as readonly string[]).includes(currency))
        return err('currency_code', { value: String(currency) });
      if (v.min != null && amount < v.min) return err('min', { min: v.min });
      if (v.max != null && amount > v.max) return err('max', { max: v.max });
      return ok({ amount, currency });
    }
    case 'date': {
      if (typeof raw !== 'string') return err('date_format');
      const s = raw.trim().replaceAll('/', '-');
      const padded = s.replace(
        /^(\d{4})-(\d{1,2})-(\d{1,2})$/,
        (_, y, m, d) => `${y}-${m.padStart(2, '0')}-${d.padStart(2, '0')}`,
      );
      return validDate(padded) ? ok(padded) : err('date_format');
    }
    case 'datetime': {
      if (typeof raw !== 'string' && !(raw instanceof Date)) return err('datetime_format');
      const d = new Date(raw as string);
      if (Number.isNaN(d.getTime()) || (typeof raw === 'string' && !/^\d{4}-\d{2}-\d{2}/.test(raw)))
        return err('datetime_format');
      return ok(d.toISOString());
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return ok(raw);
      if (typeof raw === 'string') {
        const s = raw.trim().toLowerCase();
        if (['true', '1', 'yes', 'y', '是', '对'].includes(s)) return ok(true);
        if (['false', '0', 'no', 'n', '否', '不是'].includes(s)) return ok(false);
      }
      return err('type', { expected: 'boolean' });
    }
    case 'picklist': {
      const s = typeof raw === 'string' ? raw.trim() : String(raw);
      const opt = f.options?.find((o) => o.value === s || o.label['zh-CN'] === s || o.label['en-US'] === s);
      return opt ? ok(opt.value) : err('option', { value: s });
    }
    case 'multipicklist': {
      const list = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[;,，；]/) : null;
      if (!list) return err('type', { expected: 'array' });
      const out: string[] = [];
      for (const item of list) {
        const s = String(item).trim();
        if (!s) continue;
        const opt = f.options?.find((o) => o.value === s || o.label['zh-CN'] === s || o.label['en-US'] === s);
        if (!opt) return err('option', { value: s });
        if (!out.includes(opt.value)) out.push(opt.value);
      }
      return ok(out.length ? out : null);
    }
    case 'lookup':
    case 'user':
    case 'unit': {
      if (
        typeof raw !== 'string' ||
        !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(raw.trim())
      )
        return err('lookup_missing');
      return ok(raw.trim().toLowerCase());
    }
    case 'phone': {
      if (typeof raw !== 'string' && typeof raw !== 'number') return err('phone_format');
      const p = normalisePhone(String(raw));
      return p ? ok(p) : err('phone_format');
    }
    case 'email': {
      if (typeof raw !== 'string') return err('email_format');
      const s = raw.trim().toLowerCase();
      return EMAIL.test(s) && s.length <= 254 ? ok(s) : err('email_format');
    }
    case 'url': {
      if (typeof raw !== 'string') return err('url_format');
      const s = raw.trim();
      try {
        const u = new URL(s);
        return u.protocol === 'http:' || u.protocol === 'https:' ? ok(s) : err('url_format');
      } catch {
        return err('url_format');
      }
    }
    case 'region': {
      const s = String(raw).trim();
      // GB/T 2260: 2-digit province prefix from 11 (北京) to 82 (澳门).
      return /^[1-8]\d{5}$/.test(s) && Number(s.slice(0, 2)) >= 11 && Number(s.slice(0, 2)) <= 82
        ? ok(s)
        : err('region_format');
    }
    case 'json': {
      if (typeof raw === 'string') {
        try {
          return ok(JSON.parse(raw));
        } catch {
          return err('json_format');
        }
      }
      return ok(raw);
    }
  }
}

/** How a personal value is shown to a viewer with masked access. */
export function maskValue(f: FieldDef, value: unknown): unknown {
  if (value === null || value === undefined) return value;
  if (typeof value !== 'string') return '******';
  const kind = f.personalKind ?? (f.type === 'phone' ? 'phone' : f.type === 'email' ? 'email' : null);
  switch (kind) {
    case 'phone': {
      const digits = value.replace(/\D/g, '');
      return digits.length >= 7 ? `${digits.slice(0, 3)}****${digits.slice(-4)}` : '****';
    }
    case 'email': {
      const [user, domain] = value.split('@');
      return `${(user ?? '').slice(0, 1)}***@${domain ?? ''}`;
    }
    case 'name':
      return `${value.slice(0, 1)}${'*'.repeat(Math.max(1, value.length - 1))}`;
    case 'id_number':
      return value.length > 8 ? `${value.slice(0, 4)}**********${value.slice(-4)}` : '********';
    case 'address':
      return `${value.slice(0, 6)}****`;
    default:
      return value.length > 4 ? `${value.slice(0, 2)}****${value.slice(-2)}` : '****';
  }
}
