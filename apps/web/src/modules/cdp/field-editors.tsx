import { Select } from 'antd';
import { useTranslation } from 'react-i18next';
import { useObjectMeta } from '../../app/meta';
import type { Rule } from './cdp-api';
import { MetaFieldCondition } from './rule-inputs';
import { CRM_FIELD_TYPES, RECORD_FIELD_TYPES } from './rule-model';

// Conditions on CRM fields (a person's contact or customer) and on another object's records.

export function CrmEditor({
  rule,
  onChange,
}: {
  rule: Extract<Rule, { crm: string }>;
  onChange: (r: Extract<Rule, { crm: string }>) => void;
}) {
  const { t } = useTranslation();
  // Fields from metadata when the viewer may read the object; free text otherwise. Only fields the
  // viewer reads in full: the server refuses a rule on a masked or hidden one (it would be an oracle).
  const meta = useObjectMeta(rule.crm);
  const fields = (meta.data?.fields ?? []).filter(
    (f) => !f.isCustom && f.access === 'full' && CRM_FIELD_TYPES.has(f.type),
  );
  return (
    <>
      <Select
        style={{ width: 92 }}
        value={rule.crm}
        onChange={(crm) => onChange({ ...rule, crm, field: 'name' })}
        options={[
          { value: 'contact', label: t('cdp.rule.contact') },
          { value: 'customer', label: t('cdp.rule.customer') },
        ]}
      />
      <MetaFieldCondition
        rule={rule}
        onChange={onChange}
        fields={fields}
        name="field"
        width={130}
        testId="rule-crm-field"
        typed={['number', 'percent', 'boolean']}
      />
    </>
  );
}

/** A field condition on records of another object (R2.2): fields offered from its metadata. */
export function RecordFieldEditor({
  object,
  rule,
  onChange,
}: {
  object: string;
  rule: Extract<Rule, { trait: string }>;
  onChange: (r: Extract<Rule, { trait: string }>) => void;
}) {
  const { t } = useTranslation();
  const meta = useObjectMeta(object);
  const fields = (meta.data?.fields ?? []).filter(
    (f) => f.access === 'full' && RECORD_FIELD_TYPES.has(f.type),
  );
  return (
    <MetaFieldCondition
      rule={rule}
      onChange={onChange}
      fields={fields}
      name="trait"
      width={140}
      placeholder={t('cdp.rule.field')}
      testId="rule-trait"
      typed={['number', 'percent', 'currency', 'boolean']}
    />
  );
}
