import { Select } from 'antd';
import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import { useLabel, useObjects } from '../../app/meta';

/** Objects listed first, in this order; any other readable object (custom ones too) follows. */
const FIRST = ['customer', 'contact', 'lead', 'opportunity', 'order', 'product'];

/** What tags and segments can apply to: customer profiles, or the records of an object the viewer can read. */
export function useSubjectObjects() {
  const { t } = useTranslation();
  const label = useLabel();
  const objects = useObjects();
  const rank = (o: { apiName: string; isCustom: boolean }) => {
    const i = FIRST.indexOf(o.apiName);
    return i >= 0 ? i : o.isCustom ? FIRST.length : FIRST.length + 1;
  };
  const list = [...(objects.data ?? [])].sort((a, b) => rank(a) - rank(b));
  const objectLabel = useCallback(
    (apiName: string) => {
      if (apiName === 'profile') return t('cdp.objects.profile');
      const o = objects.data?.find((x) => x.apiName === apiName);
      return o ? label(o.label, apiName) : apiName;
    },
    [objects.data, label, t],
  );
  return {
    options: [
      { value: 'profile', label: t('cdp.objects.profile') },
      ...list.map((o) => ({ value: o.apiName, label: label(o.label, o.apiName) })),
    ],
    objectLabel,
    loading: objects.isPending,
  };
}

export function ObjectPicker({
  value,
  onChange,
  disabled,
  testId = 'object-picker',
  width = 200,
}: {
  value: string;
  onChange?: (v: string) => void;
  disabled?: boolean;
  testId?: string;
  width?: number | string;
}) {
  const { options, loading } = useSubjectObjects();
  return (
    <Select
      value={value}
      onChange={onChange}
      disabled={disabled}
      loading={loading}
      showSearch
      optionFilterProp="label"
      style={{ width }}
      options={options}
      data-testid={testId}
    />
  );
}

/** A filter over the objects present in a list ("all objects" first). */
export function ObjectFilter({
  value,
  onChange,
  present,
  testId,
}: {
  value: string;
  onChange: (v: string) => void;
  present: string[];
  testId: string;
}) {
  const { t } = useTranslation();
  const { objectLabel } = useSubjectObjects();
  const objects = [...new Set(present)].sort((a, b) =>
    a === 'profile' ? -1 : b === 'profile' ? 1 : a.localeCompare(b),
  );
  return (
    <Select
      value={value}
      onChange={onChange}
      style={{ minWidth: 140 }}
      popupMatchSelectWidth={false}
      data-testid={testId}
      options={[
        { value: '', label: t('cdp.tags.allObjects') },
        ...objects.map((o) => ({ value: o, label: objectLabel(o) })),
      ]}
    />
  );
}
