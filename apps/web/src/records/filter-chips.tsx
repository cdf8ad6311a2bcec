import { Button, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, normalizeOptions, useLabel } from '../app/meta';
import { type FilterCondition, type FilterNode, filterParts, NO_VALUE_OPS } from './filter-model';

const REF_TYPES = new Set(['lookup', 'user', 'unit']);

/**
 * The list's active search and filter as chips (issue 9 §1): each removable on its own, plus
 * "clear all". The state itself lives in the URL (list-page.tsx), so a chip's removal is one
 * step back in the browser's history.
 */
export function FilterChips({
  fields,
  filter,
  q,
  onRemovePart,
  onClearQ,
  onClearAll,
}: {
  fields: Map<string, FieldMeta>;
  filter: FilterNode | null;
  q: string;
  onRemovePart: (index: number) => void;
  onClearQ: () => void;
  onClearAll: () => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const parts = filterParts(filter);
  if (!parts.length && !q) return null;

  const value = (f: FieldMeta | undefined, c: FilterCondition): string => {
    if (NO_VALUE_OPS.includes(c.op)) return '';
    const v = c.value;
    const list = Array.isArray(v) ? v : [v];
    // Ids of users, units and records say nothing to a reader: their number does.
    if (f && REF_TYPES.has(f.type)) return t('filter.chipSelected', { count: list.length });
    if (c.op === 'inLastDays' || c.op === 'inNextDays') return `${String(v)} ${t('filter.days')}`;
    const options = f ? normalizeOptions(f.options) : [];
    const shown = list.map((x) => {
      if (typeof x === 'boolean') return x ? t('common.yes') : t('common.no');
      const o = options.find((op) => op.value === x);
      if (o) return label(o.label, o.value);
      if (x && typeof x === 'object' && 'amount' in (x as object))
        return String((x as { amount: number }).amount / 100);
      return String(x ?? '');
    });
    return c.op === 'between' ? shown.join(' ~ ') : shown.join('、');
  };
  const describe = (n: FilterNode): string => {
    if ('and' in n || 'or' in n) {
      const kids = 'and' in n ? n.and : n.or;
      return t('and' in n ? 'filter.chipAll' : 'filter.chipAny', {
        items: kids.map(describe).join(' / '),
      });
    }
    if ('not' in n) return `${t('filter.chipNot')} ${describe(n.not)}`;
    const f = fields.get(n.field);
    return [label(f?.label, n.field), t(`filter.ops.${n.op}`), value(f, n)].filter(Boolean).join(' ');
  };

  return (
    <div className="kehu-filter-chips" data-testid="filter-chips">
      {q && (
        <Tag closable onClose={onClearQ} data-testid="chip-q" closeIcon>
          {t('filter.chipSearch', { q })}
        </Tag>
      )}
      {parts.map((p, i) => (
        <Tag
          // biome-ignore lint/suspicious/noArrayIndexKey: a chip is its position in the filter
          key={i}
          closable
          onClose={(e) => {
            e.preventDefault();
            onRemovePart(i);
          }}
          data-testid="filter-chip"
        >
          {describe(p)}
        </Tag>
      ))}
      <Button type="link" size="small" onClick={onClearAll} data-testid="chips-clear">
        {t('filter.clear')}
      </Button>
    </div>
  );
}
