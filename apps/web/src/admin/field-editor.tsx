import { DeleteOutlined, PlusOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Checkbox,
  Col,
  Divider,
  Form,
  Input,
  InputNumber,
  Modal,
  Row,
  Select,
  Space,
  Switch,
} from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  FIELD_TYPES,
  type FieldMeta,
  type FieldType,
  localize,
  normalizeOptions,
  type ObjectMeta,
  useLabel,
  useObjects,
} from '../app/meta';
import { ApiError, http } from '../shared/api-client';
import { errorMessage } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';

const CLASSIFICATIONS = ['public', 'internal', 'confidential', 'secret'];
const PERSONAL_KINDS = ['name', 'phone', 'email', 'id_number', 'address', 'birthday', 'wechat', 'other'];

interface OptionRow {
  value: string;
  /** The code the server proposes for a blank value (shown as placeholder). */
  suggested?: string;
  zh: string;
  en?: string;
}

interface Values {
  apiName: string;
  labelZh: string;
  labelEn?: string;
  type: FieldType;
  required: boolean;
  unique: boolean;
  classification?: string;
  personalKind?: string | null;
  lookupObject?: string;
  options?: OptionRow[];
  maxLength?: number | null;
  min?: number | null;
  max?: number | null;
  pattern?: string | null;
  section?: string;
  after?: string | null;
  addToListColumns?: boolean;
}

const FIRST = '__first__';

export function FieldEditor({
  object,
  field,
  meta,
  onClose,
}: {
  object: string;
  field: FieldMeta | null;
  /** The object as described: its form sections give the position choices of a new field. */
  meta?: ObjectMeta;
  onClose: () => void;
}) {
  const { t, i18n } = useTranslation();
  const label = useLabel();
  const isMobile = useIsMobile();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const objects = useObjects();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const type = Form.useWatch('type', form) ?? field?.type ?? 'text';
  const isNew = !field;
  const labelZh = Form.useWatch('labelZh', form);
  const optionRows = Form.useWatch('options', form) as OptionRow[] | undefined;
  const section = Form.useWatch('section', form);
  // The API name follows the label (pinyin, proposed by the server) until the admin edits it.
  const apiNameEdited = useRef(false);
  const optionKey = (optionRows ?? []).map((o) => o?.zh?.trim() ?? '').join('\u0001');
  useEffect(() => {
    if (!isNew || !labelZh?.trim()) return;
    const timer = setTimeout(() => {
      http
        .post<{ apiName: string; optionCodes: string[] }>(`/meta/objects/${object}/field-name`, {
          label: labelZh.trim(),
          options: optionKey.split('\u0001').filter(Boolean),
        })
        .then((s) => {
          if (!apiNameEdited.current) form.setFieldValue('apiName', s.apiName);
          const codes = [...s.optionCodes];
          const rows = (form.getFieldValue('options') as OptionRow[] | undefined) ?? [];
          rows.forEach((row, i) => {
            if (!row?.zh?.trim()) return;
            const code = codes.shift();
            if (code) form.setFieldValue(['options', i, 'suggested'], code);
          });
        })
        .catch(() => undefined);
    }, 250);
    return () => clearTimeout(timer);
  }, [isNew, labelZh, optionKey, object, form]);
  const sections = meta?.layout?.sections ?? [];
  const sectionFields = sections.find((s) => s.key === section)?.fields ?? [];
  const fieldLabel = (apiName: string) => {
    const f = meta?.fields.find((x) => x.apiName === apiName);
    return f ? label(f.label, apiName) : apiName;
  };

  const initial: Partial<Values> = field
    ? {
        apiName: field.apiName,
        labelZh: localize(field.label, 'zh-CN'),
        labelEn: localize(field.label, 'en-US'),
        type: field.type,
        required: field.required,
        unique: field.unique,
        classification: field.classification ?? 'internal',
        personalKind: field.personalKind ?? null,
        lookupObject: field.lookupObject ?? undefined,
        options: normalizeOptions(field.options).map((o) => ({
          value: o.value,
          zh: localize(o.label, 'zh-CN', o.value),
          en: localize(o.label, 'en-US', o.value),
        })),
        maxLength: field.validation?.maxLength ?? null,
        min: field.validation?.min ?? null,
        max: field.validation?.max ?? null,
        pattern: field.validation?.pattern ?? null,
      }
    : {
        type: 'text',
        required: false,
        unique: false,
        classification: 'internal',
        options: [],
        addToListColumns: false,
      };

  const submit = async (v: Values) => {
    setSaving(true);
    setError(null);
    const hasOptions = v.type === 'picklist' || v.type === 'multipicklist';
    const body: Record<string, unknown> = {
      label: { 'zh-CN': v.labelZh, 'en-US': v.labelEn || v.labelZh },
      required: !!v.required,
      classification: v.classification,
      personalKind: v.personalKind || null,
      validation: {
        maxLength: v.maxLength ?? null,
        min: v.min ?? null,
        max: v.max ?? null,
        pattern: v.pattern || null,
      },
    };
    if (hasOptions)
      body.options = (v.options ?? []).map((o) => ({
        // A blank code is generated by the server from the Chinese label.
        value: o.value?.trim() || (isNew ? undefined : o.value),
        label: { 'zh-CN': o.zh, 'en-US': o.en || o.zh },
      }));
    try {
      if (isNew) {
        await http.post(`/meta/objects/${object}/fields`, {
          ...body,
          apiName: v.apiName || undefined,
          type: v.type,
          unique: !!v.unique,
          lookupObject: v.type === 'lookup' ? v.lookupObject : undefined,
          position: v.section
            ? { section: v.section, after: v.after && v.after !== FIRST ? v.after : null }
            : undefined,
          addToListColumns: !!v.addToListColumns,
        });
      } else {
        await http.patch(`/meta/objects/${object}/fields/${field.apiName}`, body);
      }
      qc.invalidateQueries({ queryKey: ['meta'] });
      message.success(t('common.savedToast'));
      onClose();
    } catch (e) {
      if (e instanceof ApiError && e.problem.errors?.length) {
        const map: Record<string, string> = {
          label: 'labelZh',
          'validation.maxLength': 'maxLength',
          'validation.pattern': 'pattern',
          'validation.min': 'min',
          'validation.max': 'max',
        };
        form.setFields(
          e.problem.errors.map((fe) => ({
            name: (map[fe.field] ?? fe.field) as keyof Values,
            errors: [fe.message],
          })),
        );
      }
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };

  return (
    <Modal
      open
      title={
        isNew
          ? t('admin.fields.create')
          : t('admin.fields.editTitle', { name: label(field.label, field.apiName) })
      }
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={saving}
      width={isMobile ? '100%' : 720}
      okButtonProps={{ 'data-testid': 'save-button' }}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={initial}
        onFinish={submit}
        data-testid="field-editor"
      >
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item
              name="labelZh"
              label={`${t('admin.fields.label')} (中文)`}
              rules={[{ required: true, whitespace: true }]}
            >
              <Input autoFocus data-testid="field-label-zh" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="labelEn" label={`${t('admin.fields.label')} (English)`}>
              <Input data-testid="field-label-en" />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="apiName"
              label={t('admin.fields.apiName')}
              extra={isNew ? t('admin.fields.apiNameAuto') : undefined}
              rules={[{ pattern: /^[a-z][a-z0-9_]{1,40}$/, message: t('admin.objects.apiNamePattern') }]}
            >
              <Input
                className="kehu-mono"
                disabled={!isNew}
                addonBefore={isNew ? 'c_' : undefined}
                onChange={() => {
                  apiNameEdited.current = true;
                }}
                data-testid="field-api-name"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item name="type" label={t('admin.fields.type')} rules={[{ required: true }]}>
              <Select
                disabled={!isNew}
                showSearch
                optionFilterProp="label"
                options={FIELD_TYPES.map((ft) => ({ value: ft, label: t(`admin.fields.types.${ft}`) }))}
                data-testid="field-type"
              />
            </Form.Item>
          </Col>
        </Row>

        {type === 'lookup' && (
          <Form.Item name="lookupObject" label={t('admin.fields.lookupObject')} rules={[{ required: true }]}>
            <Select
              disabled={!isNew}
              options={(objects.data ?? []).map((o) => ({
                value: o.apiName,
                label: localize(o.label, i18n.language, o.apiName),
              }))}
              data-testid="field-lookup-object"
            />
          </Form.Item>
        )}

        {(type === 'picklist' || type === 'multipicklist') && (
          <>
            <Divider orientation="left" plain>
              {t('admin.fields.options')}
            </Divider>
            <Form.List
              name="options"
              rules={[
                {
                  validator: (_, v) =>
                    (v ?? []).length
                      ? Promise.resolve()
                      : Promise.reject(new Error(t('admin.fields.optionsRequired'))),
                },
              ]}
            >
              {(rows, { add, remove, move }, { errors }) => (
                <div data-testid="options-editor">
                  {rows.map((r, i) => (
                    <Space key={r.key} align="start" wrap style={{ display: 'flex', marginBottom: 4 }}>
                      <Form.Item
                        name={[r.name, 'value']}
                        rules={isNew ? [] : [{ required: true, message: t('admin.fields.optionValue') }]}
                        style={{ marginBottom: 4 }}
                      >
                        <Input
                          placeholder={
                            (isNew && optionRows?.[i]?.suggested) ||
                            (isNew ? t('admin.fields.optionValueAuto') : t('admin.fields.optionValue'))
                          }
                          className="kehu-mono"
                          style={{ width: 140 }}
                          data-testid={`option-value-${i}`}
                        />
                      </Form.Item>
                      <Form.Item
                        name={[r.name, 'zh']}
                        rules={[{ required: true, message: t('admin.fields.optionLabel') }]}
                        style={{ marginBottom: 4 }}
                      >
                        <Input
                          placeholder={`${t('admin.fields.optionLabel')} (中文)`}
                          style={{ width: 160 }}
                        />
                      </Form.Item>
                      <Form.Item name={[r.name, 'en']} style={{ marginBottom: 4 }}>
                        <Input placeholder={`${t('admin.fields.optionLabel')} (EN)`} style={{ width: 160 }} />
                      </Form.Item>
                      <Button
                        type="text"
                        disabled={i === 0}
                        onClick={() => move(i, i - 1)}
                        aria-label={t('columns.up')}
                      >
                        ↑
                      </Button>
                      <Button
                        type="text"
                        danger
                        icon={<DeleteOutlined />}
                        onClick={() => remove(r.name)}
                        aria-label={t('common.delete')}
                      />
                    </Space>
                  ))}
                  <Button
                    type="dashed"
                    icon={<PlusOutlined />}
                    onClick={() => add({ value: '', zh: '', en: '' })}
                    data-testid="option-add"
                  >
                    {t('admin.fields.addOption')}
                  </Button>
                  <Form.ErrorList errors={errors} />
                </div>
              )}
            </Form.List>
          </>
        )}

        {isNew && sections.length > 0 && (
          <>
            <Divider orientation="left" plain>
              {t('admin.fields.position')}
            </Divider>
            <Row gutter={16}>
              <Col xs={24} md={12}>
                <Form.Item name="section" label={t('admin.fields.positionSection')}>
                  <Select
                    allowClear
                    options={sections.map((s) => ({ value: s.key, label: label(s.label, s.key) }))}
                    onChange={() => form.setFieldValue('after', undefined)}
                    data-testid="field-section"
                  />
                </Form.Item>
              </Col>
              <Col xs={24} md={12}>
                <Form.Item name="after" label={t('admin.fields.positionAfter')}>
                  <Select
                    disabled={!section}
                    allowClear
                    options={[
                      { value: FIRST, label: t('admin.fields.positionFirst') },
                      ...sectionFields.map((f) => ({ value: f, label: fieldLabel(f) })),
                    ]}
                    data-testid="field-after"
                  />
                </Form.Item>
              </Col>
            </Row>
            <Form.Item name="addToListColumns" valuePropName="checked" style={{ marginBottom: 8 }}>
              <Checkbox data-testid="field-add-to-list">{t('admin.fields.addToListColumns')}</Checkbox>
            </Form.Item>
          </>
        )}

        <Divider orientation="left" plain>
          {t('admin.fields.rules')}
        </Divider>
        <Row gutter={16}>
          <Col xs={12} md={6}>
            <Form.Item name="required" label={t('admin.fields.required')} valuePropName="checked">
              <Switch data-testid="field-required" />
            </Form.Item>
          </Col>
          <Col xs={12} md={6}>
            <Form.Item
              name="unique"
              label={t('admin.fields.unique')}
              valuePropName="checked"
              extra={!isNew ? t('admin.fields.uniqueFixed') : undefined}
            >
              <Switch disabled={!isNew} data-testid="field-unique" />
            </Form.Item>
          </Col>
          {['text', 'longtext', 'phone', 'email', 'url'].includes(type) && (
            <Col xs={24} md={12}>
              <Form.Item name="maxLength" label={t('admin.fields.maxLength')}>
                <InputNumber min={1} max={100000} style={{ width: '100%' }} />
              </Form.Item>
            </Col>
          )}
          {['number', 'currency', 'percent'].includes(type) && (
            <>
              <Col xs={12} md={6}>
                <Form.Item name="min" label={t('admin.fields.min')}>
                  <InputNumber style={{ width: '100%' }} />
                </Form.Item>
              </Col>
              <Col xs={12} md={6}>
                <Form.Item name="max" label={t('admin.fields.max')}>
                  <InputNumber style={{ width: '100%' }} />
                </Form.Item>
              </Col>
            </>
          )}
          {['text', 'phone', 'email', 'url'].includes(type) && (
            <Col xs={24}>
              <Form.Item
                name="pattern"
                label={t('admin.fields.pattern')}
                rules={[
                  {
                    validator: (_, v) => {
                      try {
                        if (v) new RegExp(v);
                        return Promise.resolve();
                      } catch {
                        return Promise.reject(new Error(t('admin.fields.badPattern')));
                      }
                    },
                  },
                ]}
              >
                <Input className="kehu-mono" placeholder="^[A-Z]{2}\d{6}$" />
              </Form.Item>
            </Col>
          )}
        </Row>

        <Divider orientation="left" plain>
          {t('admin.fields.privacy')}
        </Divider>
        <Row gutter={16}>
          <Col xs={24} md={12}>
            <Form.Item name="classification" label={t('admin.fields.classification')}>
              <Select
                options={CLASSIFICATIONS.map((c) => ({
                  value: c,
                  label: t(`admin.fields.classifications.${c}`),
                }))}
                data-testid="field-classification"
              />
            </Form.Item>
          </Col>
          <Col xs={24} md={12}>
            <Form.Item
              name="personalKind"
              label={t('admin.fields.personalKind')}
              extra={t('admin.fields.personalKindHint')}
            >
              <Select
                allowClear
                options={PERSONAL_KINDS.map((k) => ({
                  value: k,
                  label: t(`admin.fields.personalKinds.${k}`),
                }))}
                data-testid="field-personal-kind"
              />
            </Form.Item>
          </Col>
        </Row>
        <button type="submit" hidden />
      </Form>
    </Modal>
  );
}
