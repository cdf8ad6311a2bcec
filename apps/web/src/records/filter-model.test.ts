import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldMeta, FieldType } from '../app/meta';
import {
  countConditions,
  type EditGroup,
  emptyCondition,
  emptyGroup,
  type FilterNode,
  filterParts,
  fromFilter,
  opsForField,
  parseFilterParam,
  toFilter,
  withoutPart,
} from './filter-model.ts';

const field = (type: FieldType, access: FieldMeta['access'] = 'full'): FieldMeta => ({
  apiName: 'f',
  type,
  label: { 'zh-CN': 'f' },
  required: false,
  unique: false,
  isCustom: false,
  system: false,
  readOnly: false,
  options: null,
  lookupObject: null,
  validation: null,
  defaultValue: null,
  access,
});

const cond = (fieldName: string | undefined, op?: string, value?: unknown) => ({
  ...emptyCondition(),
  field: fieldName,
  op: op as never,
  value,
});
const group = (logic: 'and' | 'or', children: EditGroup['children']): EditGroup => ({
  ...emptyGroup(logic),
  children,
});

/** The editor's keys are random; what round-trips is the filter. */
const strip = (g: EditGroup): unknown => ({
  logic: g.logic,
  children: g.children.map((c) =>
    c.kind === 'group' ? strip(c) : { field: c.field, op: c.op, value: c.value },
  ),
});

describe('filter model: the list filter editor and the filter DSL', () => {
  it('sends only complete conditions; a lone AND condition goes without a wrapper', () => {
    const g = group('and', [
      cond('name', 'contains', '华'),
      cond('phone'), // no operator yet
      cond('region', 'eq', ''), // empty value
      cond('amount', 'between', [100]), // one end only
    ]);
    assert.deepEqual(toFilter(g), { field: 'name', op: 'contains', value: '华' });
    assert.equal(countConditions(g), 1);
  });

  it('needs both ends of a range and at least one value of a list', () => {
    assert.deepEqual(toFilter(group('and', [cond('amount', 'between', [100, 500])])), {
      field: 'amount',
      op: 'between',
      value: [100, 500],
    });
    assert.equal(toFilter(group('and', [cond('amount', 'between', [100, ''])])), null);
    assert.equal(toFilter(group('and', [cond('level', 'in', [])])), null);
    assert.equal(toFilter(emptyGroup()), null);
  });

  it('drops any value for operators that take none', () => {
    assert.deepEqual(toFilter(group('and', [cond('dueAt', 'today', 'leftover')])), {
      field: 'dueAt',
      op: 'today',
    });
    assert.deepEqual(toFilter(group('or', [cond('email', 'isEmpty')])), {
      or: [{ field: 'email', op: 'isEmpty' }],
    });
  });

  it('keeps AND/OR nesting and drops empty sub-groups', () => {
    const g = group('and', [
      cond('status', 'eq', 'open'),
      group('or', [cond('level', 'eq', 'A'), cond('amount', 'gte', 100000)]),
      group('or', [cond('owner')]),
    ]);
    assert.deepEqual(toFilter(g), {
      and: [
        { field: 'status', op: 'eq', value: 'open' },
        {
          or: [
            { field: 'level', op: 'eq', value: 'A' },
            { field: 'amount', op: 'gte', value: 100000 },
          ],
        },
      ],
    });
    assert.equal(countConditions(g), 3);
  });

  it('opens a saved filter in the editor and sends the same filter back', () => {
    const filters: FilterNode[] = [
      { field: 'region', op: 'startsWith', value: '3101' },
      {
        and: [
          { field: 'status', op: 'eq', value: 'open' },
          { or: [{ field: 'level', op: 'in', value: ['A', 'B'] }] },
        ],
      },
      {
        or: [
          { field: 'createdAt', op: 'inLastDays', value: 7 },
          { field: 'ownerId', op: 'isEmpty' },
        ],
      },
    ];
    for (const f of filters) {
      const edited = fromFilter(f);
      const back = toFilter(edited);
      // A one-condition OR group inside AND is kept as written.
      assert.deepEqual(back, f);
      assert.deepEqual(strip(fromFilter(back)), strip(edited));
    }
    assert.deepEqual(strip(fromFilter(null)), { logic: 'and', children: [] });
  });

  it('offers the operators a field type supports, and only equality and emptiness on masked fields', () => {
    assert.ok(opsForField(field('date')).includes('inLastDays'));
    assert.ok(!opsForField(field('text')).includes('gt'));
    assert.deepEqual(opsForField(field('boolean')), ['eq']);
    assert.deepEqual(opsForField(field('multipicklist')), ['hasAny', 'hasAll', 'isEmpty', 'isNotEmpty']);
    assert.deepEqual(opsForField(field('phone', 'masked')), ['eq', 'in', 'isEmpty', 'isNotEmpty']);
  });
});

describe('filter chips', () => {
  const a = { field: 'level', op: 'in', value: ['A'] } as const;
  const b = { field: 'city', op: 'eq', value: '上海' } as const;
  const either = { or: [a, b] } as FilterNode;

  it('shows each condition of an all-of filter as its own chip; an any-of group is one chip', () => {
    assert.deepEqual(filterParts({ and: [a, b] } as FilterNode), [a, b]);
    assert.deepEqual(filterParts(a as FilterNode), [a]);
    assert.deepEqual(filterParts(either), [either]);
    assert.deepEqual(filterParts(null), []);
  });

  it('removing a chip leaves the rest of the filter, and nothing when it was the last', () => {
    assert.deepEqual(withoutPart({ and: [a, b, either] } as FilterNode, 1), { and: [a, either] });
    assert.deepEqual(withoutPart({ and: [a, b] } as FilterNode, 0), b);
    assert.equal(withoutPart(a as FilterNode, 0), null);
  });

  it('reads a filter from the URL and ignores anything that is not one', () => {
    assert.deepEqual(parseFilterParam(JSON.stringify({ and: [a, either] })), { and: [a, either] });
    assert.equal(parseFilterParam(null), null);
    assert.equal(parseFilterParam('{bad json'), null);
    assert.equal(parseFilterParam('{"and":[{"field":1}]}'), null);
    assert.equal(parseFilterParam('"level"'), null);
  });
});
