import { Form, Input, InputNumber, Select, Switch } from 'antd';
import type { Category } from './service-api';

/** A category's own form fields as form items under `form.<key>` (the new-ticket drawer, the sidebar). */
export function CategoryFieldItems({ category }: { category: Category | undefined }) {
  return (
    <>
      {category?.fields.map((f) => (
        <Form.Item
          key={f.key}
          name={['form', f.key]}
          label={f.label}
          rules={f.required ? [{ required: true }] : []}
          valuePropName={f.type === 'boolean' ? 'checked' : 'value'}
        >
          {f.type === 'select' ? (
            <Select options={(f.options ?? []).map((o) => ({ value: o, label: o }))} />
          ) : f.type === 'number' ? (
            <InputNumber style={{ width: '100%' }} />
          ) : f.type === 'boolean' ? (
            <Switch />
          ) : f.type === 'date' ? (
            <Input type="date" />
          ) : (
            <Input maxLength={500} />
          )}
        </Form.Item>
      ))}
    </>
  );
}
