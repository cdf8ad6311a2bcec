import { Card, Checkbox, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { type FieldMeta, type ObjectMeta, useLabel } from '../app/meta';
import { FieldValue } from './field-value';
import type { RecordData } from './record-api';

interface Props {
  meta: ObjectMeta;
  records: RecordData[];
  columns: FieldMeta[];
  selectable: boolean;
  selectedIds: string[];
  onToggle: (r: RecordData, checked: boolean) => void;
}

/** Phone layout of the list: one card per record, name as title, other visible columns as key/value. */
export function RecordCards({ meta, records, columns, selectable, selectedIds, onToggle }: Props) {
  const label = useLabel();
  const navigate = useNavigate();
  const nameField = meta.fields.find((f) => f.apiName === meta.nameField);
  const rest = columns.filter((c) => c.apiName !== meta.nameField).slice(0, 5);
  return (
    <div className="kehu-card-list" data-testid="record-cards">
      {records.map((r) => (
        <Card
          key={r.id}
          size="small"
          hoverable
          onClick={() => navigate(`/o/${meta.apiName}/${r.id}`)}
          data-testid="record-card"
          style={r.deletedAt ? { opacity: 0.65 } : undefined}
        >
          <div style={{ display: 'flex', alignItems: 'flex-start', gap: 10 }}>
            {selectable && (
              <Checkbox
                style={{ paddingTop: 2 }}
                checked={selectedIds.includes(r.id)}
                onClick={(e) => e.stopPropagation()}
                onChange={(e) => onToggle(r, e.target.checked)}
                aria-label={String(r.id)}
              />
            )}
            <div style={{ flex: 1, minWidth: 0 }}>
              <Typography.Text strong ellipsis style={{ display: 'block', fontSize: 15, marginBottom: 6 }}>
                {nameField ? String(r[nameField.apiName] ?? r.id) : r.id}
              </Typography.Text>
              <dl className="kehu-kv" style={{ margin: 0 }}>
                {rest.map((c) => (
                  <div key={c.apiName} style={{ display: 'contents' }}>
                    <dt>{label(c.label, c.apiName)}</dt>
                    <dd>
                      <FieldValue object={meta.apiName} record={r} field={c} />
                    </dd>
                  </div>
                ))}
              </dl>
            </div>
          </div>
        </Card>
      ))}
    </div>
  );
}
