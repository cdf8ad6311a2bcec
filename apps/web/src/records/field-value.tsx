import { EyeOutlined } from '@ant-design/icons';
import { App, Button, Space, Tag, Tooltip } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { type FieldMeta, localize, normalizeOptions } from '../app/meta';
import { useSession } from '../app/session';
import { formatCurrency } from '../shared/format';
import { errorMessage } from '../shared/ui/error-result';
import { Text } from '../shared/ui/text';
import { type RecordData, recordApi } from './record-api';
import { useRegionName } from './region-api';

export { formatCurrency };

export function RegionText({ code }: { code: string }) {
  const name = useRegionName(code);
  return <span title={code}>{name ?? code}</span>;
}

/** Plain-text rendering of a value (timeline diffs, card titles, exports of the UI). */
export function formatPlain(
  field: FieldMeta | undefined,
  v: unknown,
  lang: string,
  display?: string | null,
): string {
  if (v === null || v === undefined || v === '') return '';
  if (display) return display;
  if (!field) return typeof v === 'object' ? JSON.stringify(v) : String(v);
  switch (field.type) {
    case 'currency':
      return formatCurrency(v, lang);
    case 'percent':
      return `${v}%`;
    case 'boolean':
      return v ? (lang === 'en-US' ? 'Yes' : '是') : lang === 'en-US' ? 'No' : '否';
    case 'datetime':
      return dayjs(String(v)).isValid() ? dayjs(String(v)).format('YYYY-MM-DD HH:mm') : String(v);
    case 'picklist': {
      const o = normalizeOptions(field.options).find((x) => x.value === v);
      return o ? localize(o.label, lang, o.value) : String(v);
    }
    case 'multipicklist': {
      const opts = normalizeOptions(field.options);
      return (Array.isArray(v) ? v : [v])
        .map((x) => {
          const o = opts.find((y) => y.value === x);
          return o ? localize(o.label, lang, o.value) : String(x);
        })
        .join(', ');
    }
    case 'json':
      return JSON.stringify(v);
    default:
      return typeof v === 'object' ? JSON.stringify(v) : String(v);
  }
}

function MaskedValue({ object, record, field }: { object: string; record: RecordData; field: FieldMeta }) {
  const { t } = useTranslation();
  const { can } = useSession();
  const { message } = App.useApp();
  const [revealed, setRevealed] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(false);
  const reveal = async (e: React.MouseEvent) => {
    e.stopPropagation();
    setLoading(true);
    try {
      const res = await recordApi.unmask(object, record.id, field.apiName);
      setRevealed(res.value);
    } catch (err) {
      message.error(errorMessage(err));
    } finally {
      setLoading(false);
    }
  };
  if (revealed !== undefined)
    return (
      <FieldValue
        object={object}
        record={{ ...record, [field.apiName]: revealed, _masked: [] }}
        field={field}
      />
    );
  return (
    <Space size={2}>
      <span>{String(record[field.apiName] ?? '')}</span>
      {can(`${object}:unmask`) && (
        <Tooltip title={t('records.unmask')}>
          <Button
            type="text"
            size="small"
            icon={<EyeOutlined />}
            loading={loading}
            onClick={reveal}
            aria-label={t('records.unmask')}
            data-testid={`unmask-${field.apiName}`}
          />
        </Tooltip>
      )}
    </Space>
  );
}

export function FieldValue({
  object,
  record,
  field,
}: {
  object: string;
  record: RecordData;
  field: FieldMeta;
}) {
  const { i18n } = useTranslation();
  const lang = i18n.language;
  const v = record[field.apiName];
  if (record._masked?.includes(field.apiName))
    return <MaskedValue object={object} record={record} field={field} />;
  if (v === null || v === undefined || v === '' || (Array.isArray(v) && v.length === 0)) {
    return <Text type="secondary">—</Text>;
  }
  const display = record._display?.[field.apiName];
  switch (field.type) {
    case 'lookup':
      return field.lookupObject ? (
        <Link to={`/o/${field.lookupObject}/${v}`} onClick={(e) => e.stopPropagation()}>
          {display ?? String(v)}
        </Link>
      ) : (
        <span>{display ?? String(v)}</span>
      );
    case 'user':
    case 'unit':
      return <span>{display ?? String(v)}</span>;
    case 'picklist': {
      const o = normalizeOptions(field.options).find((x) => x.value === v);
      return (
        <Tag color={o?.color ?? 'blue'} bordered={false}>
          {o ? localize(o.label, lang, o.value) : String(v)}
        </Tag>
      );
    }
    case 'multipicklist': {
      const opts = normalizeOptions(field.options);
      return (
        <span>
          {(Array.isArray(v) ? v : [v]).map((x) => {
            const o = opts.find((y) => y.value === x);
            return (
              <Tag key={String(x)} color={o?.color} bordered={false} style={{ marginBottom: 2 }}>
                {o ? localize(o.label, lang, o.value) : String(x)}
              </Tag>
            );
          })}
        </span>
      );
    }
    case 'boolean':
      return (
        <Tag color={v ? 'green' : 'default'} bordered={false}>
          {formatPlain(field, v, lang)}
        </Tag>
      );
    case 'url':
      return (
        <a href={String(v)} target="_blank" rel="noreferrer noopener" onClick={(e) => e.stopPropagation()}>
          {String(v)}
        </a>
      );
    case 'email':
      return (
        <a href={`mailto:${v}`} onClick={(e) => e.stopPropagation()}>
          {String(v)}
        </a>
      );
    case 'phone':
      return (
        <a href={`tel:${v}`} onClick={(e) => e.stopPropagation()}>
          {String(v)}
        </a>
      );
    case 'region':
      return <RegionText code={String(v)} />;
    case 'longtext':
      return <span style={{ whiteSpace: 'pre-wrap' }}>{String(v)}</span>;
    case 'json':
      return (
        <code className="kehu-mono" style={{ fontSize: 12 }}>
          {JSON.stringify(v)}
        </code>
      );
    case 'currency':
    case 'number':
    case 'percent':
      return (
        <span style={{ fontVariantNumeric: 'tabular-nums' }}>
          {field.type === 'number' ? Number(v).toLocaleString(lang) : formatPlain(field, v, lang)}
        </span>
      );
    default:
      return <span>{formatPlain(field, v, lang, display)}</span>;
  }
}
