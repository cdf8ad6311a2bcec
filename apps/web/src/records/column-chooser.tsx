import { ArrowDownOutlined, ArrowUpOutlined, TableOutlined } from '@ant-design/icons';
import { Button, Checkbox, Divider, Input, Popover, Space, Tooltip } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type FieldMeta, useLabel } from '../app/meta';

interface Props {
  fields: FieldMeta[];
  columns: string[];
  defaultColumns: string[];
  onChange: (cols: string[]) => void;
}

export function ColumnChooser({ fields, columns, defaultColumns, onChange }: Props) {
  const { t } = useTranslation();
  const label = useLabel();
  const [search, setSearch] = useState('');
  const visible = fields.filter((f) => f.access !== 'hidden' && f.type !== 'json');
  // Selected columns first in their order, then the rest in metadata order.
  const ordered = [
    ...columns.map((c) => visible.find((f) => f.apiName === c)).filter((f): f is FieldMeta => !!f),
    ...visible.filter((f) => !columns.includes(f.apiName)),
  ].filter((f) => !search || label(f.label, f.apiName).toLowerCase().includes(search.toLowerCase()));

  const move = (name: string, delta: number) => {
    const i = columns.indexOf(name);
    const j = i + delta;
    if (i < 0 || j < 0 || j >= columns.length) return;
    const next = [...columns];
    [next[i], next[j]] = [next[j], next[i]];
    onChange(next);
  };

  const content = (
    <div style={{ width: 260 }} data-testid="column-chooser-panel">
      <Input.Search
        size="small"
        allowClear
        placeholder={t('columns.search')}
        onChange={(e) => setSearch(e.target.value)}
      />
      <div style={{ maxHeight: 320, overflow: 'auto', marginTop: 8 }}>
        {ordered.map((f) => {
          const checked = columns.includes(f.apiName);
          return (
            <div key={f.apiName} style={{ display: 'flex', alignItems: 'center', padding: '2px 0' }}>
              <Checkbox
                checked={checked}
                style={{ flex: 1 }}
                onChange={(e) =>
                  onChange(
                    e.target.checked ? [...columns, f.apiName] : columns.filter((c) => c !== f.apiName),
                  )
                }
                data-testid={`column-${f.apiName}`}
              >
                {label(f.label, f.apiName)}
              </Checkbox>
              {checked && (
                <Space size={0}>
                  <Button
                    size="small"
                    type="text"
                    icon={<ArrowUpOutlined />}
                    onClick={() => move(f.apiName, -1)}
                    aria-label={t('columns.up')}
                  />
                  <Button
                    size="small"
                    type="text"
                    icon={<ArrowDownOutlined />}
                    onClick={() => move(f.apiName, 1)}
                    aria-label={t('columns.down')}
                  />
                </Space>
              )}
            </div>
          );
        })}
      </div>
      <Divider style={{ margin: '8px 0' }} />
      <Button size="small" type="link" onClick={() => onChange(defaultColumns)} style={{ padding: 0 }}>
        {t('columns.reset')}
      </Button>
    </div>
  );
  return (
    <Popover trigger="click" placement="bottomRight" content={content} title={t('columns.title')}>
      <Tooltip title={t('columns.title')}>
        <Button icon={<TableOutlined />} data-testid="column-chooser" aria-label={t('columns.title')} />
      </Tooltip>
    </Popover>
  );
}
