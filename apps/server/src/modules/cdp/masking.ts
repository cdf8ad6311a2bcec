import { type FieldDef, maskValue as maskField } from '../../engine/records/field-types.ts';

/** Masks a personal value the way the record engine does (field-types.ts), by personal kind. */
export function maskValue(kind: string, value: string): string {
  const v = kind === 'phone' ? value.replace(/^\+86/, '') : value;
  return String(maskField({ type: 'text', personalKind: kind } as unknown as FieldDef, v));
}

/**
 * Profile traits that hold personal data, classified like record fields (a personal kind): the
 * 360 view, the profile list, segment members and exports mask them, and a rule may only compare
 * them for a viewer who may see them in full (profile:unmask). Traits have no declared schema, so
 * the classification goes by the names Segment's spec and Chinese apps use for these values.
 */
const PERSONAL_TRAITS: [RegExp, string][] = [
  // Plurals too: connectors keep lists of numbers (WeCom's remark_mobiles arrive as `phones`).
  [/^(phones?|mobiles?|tel|telephone|phone_?numbers?|mobile_?phones?|remark_?mobiles)$/i, 'phone'],
  [/^e-?mails?$|_email$|Email$/, 'email'],
  [/^(name|first_?name|last_?name|full_?name|real_?name|nickname|nick_?name|username|user_?name)$/i, 'name'],
  [/^address$|_address$|Address$|^(street|city_?address)$/, 'address'],
  [/^(id_?number|id_?card|idcard|identity_?number|passport)$/i, 'id_number'],
  [/^(birthday|birth_?date|birthdate|date_?of_?birth|dob)$/i, 'birthday'],
  [/^(wechat|wechat_?id|openid|unionid|external_?userid)$/i, 'id'],
];

/** The personal kind of a trait (`phone`, `email`, `name` …), or null when it is not personal. */
export function personalTraitKind(key: string): string | null {
  return PERSONAL_TRAITS.find(([re]) => re.test(key))?.[1] ?? null;
}

/** Trait values as a viewer sees them: personal ones masked unless `unmasked`; `masked` lists them. */
export function maskTraits(
  traits: Record<string, unknown> | null | undefined,
  unmasked: boolean,
): { traits: Record<string, unknown>; masked: string[] } {
  const out: Record<string, unknown> = {};
  const masked: string[] = [];
  for (const [k, v] of Object.entries(traits ?? {})) {
    const kind = unmasked ? null : personalTraitKind(k);
    if (kind && v !== null && v !== undefined) {
      out[k] =
        typeof v === 'string'
          ? maskValue(kind, v)
          : Array.isArray(v)
            ? v.map((x) => (typeof x === 'string' ? maskValue(kind, x) : '******'))
            : '******';
      masked.push(k);
    } else out[k] = v;
  }
  return { traits: out, masked };
}

/** A profile's display name as a viewer sees it (the `name` trait, masked unless `unmasked`). */
export function profileName(traits: Record<string, unknown> | null | undefined, unmasked: boolean) {
  const name = traits?.name;
  if (name === null || name === undefined) return null;
  return unmasked ? String(name) : maskValue('name', String(name));
}
