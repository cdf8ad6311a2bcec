import { ArrowLeftOutlined, ReloadOutlined, SaveOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Card, Col, Form, Input, Row, Skeleton, Space, Typography } from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { type FieldMeta, type ObjectMeta, useLabel, useObjectMeta } from '../app/meta';
import { useSession } from '../app/session';
import { ApiError } from '../shared/api-client';
import { errorMessage, PageError } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';
import { layoutSections } from './detail-page';
import { FieldInput, rulesFor } from './field-input';
import { type RecordData, recordApi } from './record-api';

type Values = Record<string, unknown>;

const WRITABLE_SYSTEM = ['ownerId', 'unitId'];

function isEditable(f: FieldMeta): boolean {
  if (WRITABLE_SYSTEM.includes(f.apiName)) return f.access !== 'hidden';
  return !f.readOnly && !f.system && f.access !== 'hidden';
}

function toFormValue(f: FieldMeta, v: unknown): unknown {
  if (f.type === 'json') return v == null ? '' : JSON.stringify(v, null, 2);
  return v;
}

function fromFormValue(f: FieldMeta, v: unknown): unknown {
  if (f.type === 'json') return v === '' || v == null ? null : JSON.parse(String(v));
  if (v === undefined || v === '') return null;
  if (f.type === 'currency' && v && typeof v === 'object' && (v as { amount: unknown }).amount == null)
    return null;
  return v;
}

export function RecordFormPage() {
  const { object, id } = useParams();
  const meta = useObjectMeta(object);
  const record = useQuery({
    queryKey: ['records', object, 'one', id],
    queryFn: () => recordApi.get(object!, id!),
    enabled: !!object && !!id,
  });
  if (meta.isPending || (id && record.isPending))
    return (
      <div className="kehu-page">
        <Skeleton active paragraph={{ rows: 12 }} />
      </div>
    );
  if (meta.error)
    return (
      <div className="kehu-page">
        <PageError error={meta.error} onRetry={() => meta.refetch()} />
      </div>
    );
  if (id && record.error)
    return (
      <div className="kehu-page">
        <PageError error={record.error} onRetry={() => record.refetch()} />
      </div>
    );
  return (
    <RecordForm
      key={`${id ?? 'new'}:${record.data?.version ?? 0}`}
      meta={meta.data}
      record={id ? record.data : undefined}
    />
  );
}

function RecordForm({ meta, record }: { meta: ObjectMeta; record?: RecordData }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const [search] = useSearchParams();
  const { me, unitId } = useSession();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm<Values>();
  const [saving, setSaving] = useState(false);
  const [conflict, setConflict] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const object = meta.apiName;
  const isEdit = !!record;

  const sections = useMemo(() => {
    const secs = layoutSections(meta).map((s) => ({ ...s, fields: s.fields.filter(isEditable) }));
    const placed = new Set(secs.flatMap((s) => s.fields.map((f) => f.apiName)));
    const owner = meta.fields.filter(
      (f) => WRITABLE_SYSTEM.includes(f.apiName) && isEditable(f) && !placed.has(f.apiName),
    );
    if (owner.length) secs.push({ key: '__ownership', label: null, fields: owner });
    return secs.filter((s) => s.fields.length > 0);
  }, [meta]);
  const formFields = sections.flatMap((s) => s.fields);

  const initialValues = useMemo(() => {
    const vals: Values = {};
    for (const f of formFields) {
      if (record) vals[f.apiName] = toFormValue(f, record[f.apiName]);
      else if (search.has(f.apiName)) vals[f.apiName] = search.get(f.apiName);
      else if (f.apiName === 'ownerId') vals[f.apiName] = me.user.id;
      else if (f.apiName === 'unitId') vals[f.apiName] = unitId ?? me.user.unitId ?? undefined;
      else if (f.defaultValue != null) vals[f.apiName] = toFormValue(f, f.defaultValue);
    }
    return vals;
  }, [formFields, record, search, me.user, unitId]);

  const displayFor = (f: FieldMeta): string | null => {
    if (record?._display?.[f.apiName]) return record._display[f.apiName] ?? null;
    if (!record && f.apiName === 'ownerId') return me.user.name;
    return null;
  };

  const onFinish = async (values: Values) => {
    setSaving(true);
    setConflict(false);
    setFormError(null);
    try {
      const body: Values = {};
      for (const f of formFields) {
        if (record?._masked?.includes(f.apiName)) continue;
        const next = fromFormValue(f, values[f.apiName]);
        if (isEdit) {
          const before = record![f.apiName] ?? null;
          if (JSON.stringify(before) === JSON.stringify(next)) continue;
        } else if (next === null) continue;
        body[f.apiName] = next;
      }
      let saved: RecordData;
      if (isEdit) {
        if (Object.keys(body).length === 0) {
          message.info(t('form.noChanges'));
          navigate(`/o/${object}/${record!.id}`);
          return;
        }
        saved = await recordApi.update(object, record!.id, { version: record!.version, ...body });
      } else {
        saved = await recordApi.create(object, body);
      }
      message.success(isEdit ? t('form.saved') : t('form.created'));
      qc.invalidateQueries({ queryKey: ['records', object] });
      navigate(`/o/${object}/${saved?.id ?? record?.id ?? ''}`, { replace: true });
    } catch (e) {
      if (
        e instanceof ApiError &&
        e.status === 409 &&
        !e.problem.field &&
        (e.problem.errors ?? []).every((fe) => fe.field === 'version')
      ) {
        setConflict(true);
        window.scrollTo({ top: 0, behavior: 'smooth' });
      } else if (e instanceof ApiError && (e.problem.errors?.length || e.problem.field)) {
        const names = new Set(formFields.map((f) => f.apiName));
        const errs = e.problem.errors?.length
          ? e.problem.errors
          : [{ field: e.problem.field!, message: e.message }];
        const onForm = errs.filter((fe) => names.has(fe.field));
        form.setFields(onForm.map((fe) => ({ name: fe.field, errors: [fe.message] })));
        if (onForm[0]) form.scrollToField(onForm[0].field, { block: 'center' });
        const off = errs.filter((fe) => !names.has(fe.field));
        setFormError(
          off.length
            ? off.map((fe) => `${fe.field}: ${fe.message}`).join('; ')
            : onForm.length
              ? null
              : errorMessage(e),
        );
        if (onForm.length) message.error(e.problem.detail || t('form.fixErrors'));
      } else {
        setFormError(errorMessage(e));
        window.scrollTo({ top: 0, behavior: 'smooth' });
      }
    } finally {
      setSaving(false);
    }
  };

  const reload = async () => {
    setConflict(false);
    await qc.invalidateQueries({ queryKey: ['records', object, 'one', record!.id] });
  };

  const title = isEdit
    ? t('form.editTitle', { name: String(record![meta.nameField] ?? '') || t('records.untitled') })
    : t('form.newTitle', { object: label(meta.label, object) });
  const back = () => navigate(isEdit ? `/o/${object}/${record!.id}` : `/o/${object}`);

  return (
    <div className="kehu-page" style={{ maxWidth: 1100 }}>
      <div className="kehu-page-header">
        <div>
          <Button
            type="link"
            icon={<ArrowLeftOutlined />}
            onClick={back}
            style={{ padding: 0, height: 'auto' }}
          >
            {t('common.back')}
          </Button>
          <Typography.Title level={4} style={{ margin: '4px 0 0' }}>
            {title}
          </Typography.Title>
        </div>
      </div>
      {conflict && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={t('form.conflictTitle')}
          description={t('form.conflictHint')}
          action={
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="conflict-reload">
              {t('form.reload')}
            </Button>
          }
          data-testid="conflict-alert"
        />
      )}
      {formError && (
        <Alert
          type="error"
          showIcon
          message={formError}
          style={{ marginBottom: 16 }}
          closable
          onClose={() => setFormError(null)}
          data-testid="form-error"
        />
      )}
      <Form<Values>
        form={form}
        layout="vertical"
        initialValues={initialValues}
        onFinish={onFinish}
        scrollToFirstError={{ block: 'center' }}
        data-testid="record-form"
      >
        {sections.map((s) => (
          <Card
            key={s.key}
            size="small"
            title={
              s.key === '__ownership'
                ? t('form.ownership')
                : s.key === '__other'
                  ? t('records.otherFields')
                  : label(s.label, s.key)
            }
            style={{ marginBottom: 16 }}
          >
            <Row gutter={16}>
              {s.fields.map((f) => {
                const fl = label(f.label, f.apiName);
                const masked = !!record?._masked?.includes(f.apiName);
                const wide = f.type === 'longtext' || f.type === 'json';
                return (
                  <Col key={f.apiName} xs={24} md={wide ? 24 : 12}>
                    <Form.Item
                      name={f.apiName}
                      label={fl}
                      required={f.required}
                      rules={masked ? [] : rulesFor(f, t, fl)}
                      extra={masked ? t('form.maskedHint') : undefined}
                      valuePropName="value"
                    >
                      {masked ? (
                        <Input
                          disabled
                          value={String(record![f.apiName] ?? '')}
                          data-testid={`field-${f.apiName}`}
                        />
                      ) : (
                        <FieldInput field={f} displayLabel={displayFor(f)} />
                      )}
                    </Form.Item>
                  </Col>
                );
              })}
            </Row>
          </Card>
        ))}
        <div
          style={
            isMobile
              ? {
                  position: 'sticky',
                  bottom: 0,
                  background: '#fff',
                  padding: 12,
                  margin: '0 -12px',
                  borderTop: '1px solid #f0f0f0',
                  zIndex: 5,
                }
              : { display: 'flex', justifyContent: 'flex-end' }
          }
        >
          <Space style={isMobile ? { width: '100%', justifyContent: 'flex-end' } : undefined}>
            <Button onClick={back}>{t('common.cancel')}</Button>
            <Button
              type="primary"
              htmlType="submit"
              icon={<SaveOutlined />}
              loading={saving}
              data-testid="save-button"
            >
              {t('common.save')}
            </Button>
          </Space>
        </div>
      </Form>
    </div>
  );
}
