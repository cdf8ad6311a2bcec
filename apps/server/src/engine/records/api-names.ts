import { OutputFormat, segment } from 'pinyin-pro';

/** Longest generated name (without the `c_` prefix): ApiName allows 41, leave room for `_99`. */
const MAX = 36;

/**
 * An API name an admin would have typed for a Chinese (or mixed) label: pinyin words joined by `_`
 * (`来源渠道` → `laiyuan_qudao`, `是否VIP客户` → `shifou_vip_kehu`). Dictionary words stay whole
 * (行业 → hangye); the characters between them are paired, because most Chinese words have two,
 * and a run of three stays one word (微信号 → weixinhao).
 */
export function apiNameFromLabel(label: string): string {
  const words: string[] = [];
  let singles: string[] = [];
  const flush = () => {
    if (singles.length <= 3) {
      if (singles.length) words.push(singles.join(''));
    } else {
      for (let i = 0; i < singles.length; i += 2) {
        const rest = singles.length - i;
        if (rest === 3) {
          words.push(singles.slice(i).join(''));
          break;
        }
        words.push(singles.slice(i, i + 2).join(''));
      }
    }
    singles = [];
  };
  let latin = '';
  const endLatin = () => {
    if (latin) {
      flush();
      words.push(latin.toLowerCase());
    }
    latin = '';
  };
  const parts = segment(label.normalize('NFKC'), { format: OutputFormat.AllSegment, toneType: 'none' }) as {
    origin: string;
    result: string;
  }[];
  for (const { origin, result } of parts) {
    if (/^[\u3400-\u9fff]+$/.test(origin)) {
      endLatin();
      const py = result
        .toLowerCase()
        .replace(/[^a-z]/g, '')
        .replace(/ü/g, 'v');
      if (origin.length > 1) {
        flush();
        words.push(py);
      } else singles.push(py);
    } else if (/^[a-zA-Z0-9]$/.test(origin)) {
      if (!latin) flush();
      latin += origin;
    } else {
      // Punctuation and spaces separate words.
      endLatin();
      flush();
    }
  }
  endLatin();
  flush();
  let name = '';
  for (const w of words.filter(Boolean)) {
    const next = name ? `${name}_${w}` : w;
    if (next.length > MAX) break;
    name = next;
  }
  if (!name) name = 'field';
  if (!/^[a-z]/.test(name)) name = `f_${name}`;
  if (name.length < 2) name = `${name}_1`;
  return name.slice(0, MAX);
}

/** `base`, or `base_2`, `base_3` … — the first that `taken` does not hold. */
export function uniqueName(base: string, taken: (name: string) => boolean): string {
  if (!taken(base)) return base;
  for (let i = 2; ; i++) {
    const candidate = `${base}_${i}`;
    if (!taken(candidate)) return candidate;
  }
}

/** Option codes for picklist labels: generated like API names, unique within the list. */
export function optionCodes(labels: string[], existing: string[] = []): string[] {
  const used = new Set(existing);
  return labels.map((l) => {
    const code = uniqueName(apiNameFromLabel(l), (c) => used.has(c));
    used.add(code);
    return code;
  });
}
