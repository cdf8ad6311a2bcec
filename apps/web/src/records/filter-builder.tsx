import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { Button, Drawer, Empty, Segmented, Select, Space, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, useLabel } from '../app/meta';
import { useIsMobile } from '../shared/use-is-mobile';
import {
  type EditCondition,
  type EditGroup,
  emptyCondition,
  emptyGroup,
  type FilterNode,
  fromFilter,
  NO_VALUE_OPS,
  opsForField,
  toFilter,
} from './filter-model';
import { FilterValueInput } from './filter-value-input';

interface Props {
  open: boolean;
  fields: FieldMeta[];
  value: FilterNode | null;
  onApply: (filter: FilterNode | null) => void;
  onClose: () => void;
}

function ConditionRow({
  cond,
  fields,
  onChange,
  onRemove,
}: {
  cond: EditCondition;
  fields: FieldMeta[];
  onChange: (c: EditCondition) => void;
  onRemove: () => void;
}) {
  const { t } = useTranslation();
  const label = useLabel();
  const field = fields.find((f) => f.apiName === cond.field);
  const ops = field ? opsForField(field) : [];
  return (
    <div className="kehu-filter-row" data-testid="filter-condition">
      <Select
        className="kehu-filter-field"
        showSearch
        optionFilterProp="label"
        placeholder={t('filter.chooseField')}
        value={cond.field}
        onChange={(f) => {
          const nf = fields.find((x) => x.apiName === f);
          onChange({ ...cond, field: f, op: nf ? opsForField(nf)[0] : undefined, value: undefined });
        }}
        options={fields.map((f) => ({ value: f.apiName, label: label(f.label, f.apiName) }))}
        data-testid="filter-field"
      />
      <Select
        className="kehu-filter-op"
        value={cond.op}
        disabled={!field}
        placeholder={t('filter.chooseOp')}
        onChange={(op) =>
          onChange({
            ...cond,
            op,
            value: NO_VALUE_OPS.includes(op) ? undefined : cond.op === op ? cond.value : undefined,
          })
        }
        options={ops.map((o) => ({ value: o, label: t(`filter.ops.${o}`) }))}
        data-testid="filter-op"
      />
      <div className="kehu-filter-value">
        {field && cond.op && (
          <FilterValueInput
            field={field}
            op={cond.op}
            value={cond.value}
            onChange={(v) => onChange({ ...cond, value: v })}
          />
        )}
      </div>
      <Button
        type="text"
        danger
        icon={<DeleteOutlined />}
        onClick={onRemove}
        aria-label={t('filter.removeCondition')}
      />
    </div>
  );
}

function GroupEditor({
  group,
  fields,
  onChange,
  onRemove,
  depth,
}: {
  group: EditGroup;
  fields: FieldMeta[];
  onChange: (g: EditGroup) => void;
  onRemove?: () => void;
  depth: number;
}) {
  const { t } = useTranslation();
  const update = (idx: number, child: EditCondition | EditGroup | null) => {
    const children = [...group.children];
    if (child) children[idx] = child;
    else children.splice(idx, 1);
    onChange({ ...group, children });
  };
  return (
    <div
      className={depth > 0 ? 'kehu-filter-group' : undefined}
      data-testid={depth > 0 ? 'filter-group' : undefined}
    >
      <div style={{ display: 'flex', alignItems: 'center', gap: 8, marginBottom: 10, flexWrap: 'wrap' }}>
        <Typography.Text type="secondary">{t('filter.match')}</Typography.Text>
        <Segmented
          size="small"
          value={group.logic}
          onChange={(v) => onChange({ ...group, logic: v as 'and' | 'or' })}
          options={[
            { value: 'and', label: t('filter.all') },
            { value: 'or', label: t('filter.any') },
          ]}
          data-testid={depth === 0 ? 'filter-logic' : undefined}
        />
        {onRemove && (
          <Button
            size="small"
            type="text"
            danger
            icon={<DeleteOutlined />}
            onClick={onRemove}
            style={{ marginLeft: 'auto' }}
          >
            {t('filter.removeGroup')}
          </Button>
        )}
      </div>
      {group.children.map((c, i) =>
        c.kind === 'group' ? (
          <GroupEditor
            key={c.key}
            group={c}
            fields={fields}
            depth={depth + 1}
            onChange={(g) => update(i, g)}
            onRemove={() => update(i, null)}
          />
        ) : (
          <ConditionRow
            key={c.key}
            cond={c}
            fields={fields}
            onChange={(nc) => update(i, nc)}
            onRemove={() => update(i, null)}
          />
        ),
      )}
      <Space wrap>
        <Button
          size="small"
          icon={<PlusOutlined />}
          onClick={() => onChange({ ...group, children: [...group.children, emptyCondition()] })}
          data-testid="filter-add-condition"
        >
          {t('filter.addCondition')}
        </Button>
        {depth === 0 && (
          <Button
            size="small"
            type="dashed"
            icon={<PlusOutlined />}
            onClick={() =>
              onChange({
                ...group,
                children: [
                  ...group.children,
                  { ...emptyGroup(group.logic === 'and' ? 'or' : 'and'), children: [emptyCondition()] },
                ],
              })
            }
            data-testid="filter-add-group"
          >
            {t('filter.addGroup')}
          </Button>
        )}
      </Space>
    </div>
  );
}

/** AND/OR filter editor in a drawer; applies a Filter DSL node. */
export function FilterBuilder({ open, fields, value, onApply, onClose }: Props) {
  const { t } = useTranslation();
  const isMobile = useIsMobile();
  const [draft, setDraft] = useState<EditGroup>(() => fromFilter(value));
  useEffect(() => {
    if (open) {
      const g = fromFilter(value);
      if (g.children.length === 0) g.children.push(emptyCondition());
      setDraft(g);
    }
  }, [open, value]);
  const filterable = fields.filter((f) => f.filterable !== false && f.access !== 'hidden');

  return (
    <Drawer
      open={open}
      onClose={onClose}
      title={t('filter.title')}
      width={isMobile ? '100%' : 720}
      destroyOnHidden
      data-testid="filter-builder"
      footer={
        <div style={{ display: 'flex', justifyContent: 'space-between' }}>
          <Button
            onClick={() => {
              onApply(null);
              onClose();
            }}
            data-testid="filter-clear"
          >
            {t('filter.clear')}
          </Button>
          <Space>
            <Button onClick={onClose}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              onClick={() => {
                onApply(toFilter(draft));
                onClose();
              }}
              data-testid="filter-apply"
            >
              {t('filter.apply')}
            </Button>
          </Space>
        </div>
      }
    >
      {filterable.length === 0 ? (
        <Empty description={t('filter.noFields')} />
      ) : (
        <GroupEditor group={draft} fields={filterable} depth={0} onChange={setDraft} />
      )}
    </Drawer>
  );
}
