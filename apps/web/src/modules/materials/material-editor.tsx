import { ReloadOutlined, UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError, apiFetch, http } from '../../shared/api-client';
import { errorMessage } from '../../shared/error-message';
import { RichEditor } from '../../shared/ui/rich-editor';
import { MATERIAL_KINDS, type Material, type MaterialKind, materialKeys } from './materials-api';

type Values = Record<string, any>;

function toBody(kind: MaterialKind, v: Values) {
  const base = {
    kind,
    title: v.title,
    summary: v.summary || null,
    category: v.category || null,
    tags: v.tags ?? [],
    coverUrl: v.coverUrl || null,
  };
  if (kind === 'article') return { ...base, bodyHtml: v.bodyHtml ?? '' };
  if (kind === 'video' || kind === 'link') return { ...base, linkUrl: v.linkUrl };
  if (kind === 'miniprogram') return { ...base, mini: { appid: v.appid, pagepath: v.pagepath } };
  if (kind === 'poster')
    return { ...base, qrSlot: { x: v.qrX ?? 0.7, y: v.qrY ?? 0.78, size: v.qrSize ?? 0.22 } };
  return base;
}

const formValues = (m: Material) => ({
  ...m,
  appid: m.mini?.appid,
  pagepath: m.mini?.pagepath,
  qrX: m.qrSlot?.x,
  qrY: m.qrSlot?.y,
  qrSize: m.qrSlot?.size,
});

/** Someone else's save since this editor loaded the material: the server's 409 (its words). */
const staleDetail = (e: unknown) =>
  e instanceof ApiError && e.status === 409 ? e.problem.detail || e.message : null;

/**
 * Create or edit a material; PDFs and posters take their file once saved. Edits and uploads send the
 * version loaded; on a 409 the editor says so and offers the latest version (decision 0074).
 */
export function MaterialEditor({ material, onClose }: { material: Material | 'new'; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [saved, setSaved] = useState<Material | null>(material === 'new' ? null : material);
  const [kind, setKind] = useState<MaterialKind>(material === 'new' ? 'article' : material.kind);
  const [busy, setBusy] = useState(false);
  const [stale, setStale] = useState<string | null>(null);
  const initial = material === 'new' ? { kind: 'article', tags: [] } : formValues(material);

  const reload = async () => {
    if (!saved) return;
    setBusy(true);
    try {
      const fresh = await http.get<Material>(`/materials/${saved.id}`);
      setSaved(fresh);
      form.resetFields();
      form.setFieldsValue(formValues(fresh));
      setStale(null);
      await qc.invalidateQueries({ queryKey: materialKeys.all });
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const save = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const body = toBody(kind, v);
      const m = saved
        ? await http.put<Material>(`/materials/${saved.id}`, { ...body, version: saved.version })
        : await http.post<Material>('/materials', body);
      setSaved(m);
      await qc.invalidateQueries({ queryKey: materialKeys.all });
      message.success(t('materials.saved'));
      if (kind !== 'pdf' && kind !== 'poster') onClose();
    } catch (e) {
      const conflict = staleDetail(e);
      if (conflict) return setStale(conflict);
      const fields = (e as { problem?: { errors?: Array<{ field: string; message?: string }> } }).problem
        ?.errors;
      if (fields?.length)
        form.setFields(fields.map((f) => ({ name: f.field.split('.').at(-1)!, errors: [f.message ?? ''] })));
      else message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  const upload = async (file: File) => {
    if (!saved) return;
    setBusy(true);
    try {
      const res = await apiFetch(`/materials/${saved.id}/file`, {
        method: 'PUT',
        query: { filename: file.name, version: saved.version },
        rawBody: file,
        headers: { 'content-type': 'application/octet-stream' },
      });
      setSaved((await res.json()) as Material);
      await qc.invalidateQueries({ queryKey: materialKeys.all });
      message.success(t('materials.saved'));
    } catch (e) {
      const conflict = staleDetail(e);
      if (conflict) setStale(conflict);
      else message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      open
      width={760}
      title={material === 'new' ? t('materials.new') : t('materials.edit')}
      onCancel={onClose}
      onOk={save}
      okButtonProps={{ loading: busy, ...({ 'data-testid': 'material-save' } as Record<string, string>) }}
      destroyOnHidden
    >
      {stale && (
        <Alert
          type="error"
          showIcon
          style={{ marginBottom: 16 }}
          message={stale}
          description={t('form.conflictHint')}
          action={
            <Button icon={<ReloadOutlined />} onClick={reload} data-testid="material-conflict-reload">
              {t('form.reload')}
            </Button>
          }
          data-testid="material-conflict"
        />
      )}
      <Form form={form} layout="vertical" initialValues={initial}>
        <Form.Item name="kind" label={t('materials.fields.kind')}>
          <Select
            disabled={!!saved}
            onChange={(k) => setKind(k)}
            options={MATERIAL_KINDS.map((k) => ({ value: k, label: t(`materials.kinds.${k}`) }))}
            data-testid="material-kind"
          />
        </Form.Item>
        <Form.Item name="title" label={t('materials.fields.title')} rules={[{ required: true, max: 120 }]}>
          <Input data-testid="material-title" />
        </Form.Item>
        <Form.Item name="summary" label={t('materials.fields.summary')} rules={[{ max: 500 }]}>
          <Input.TextArea rows={2} />
        </Form.Item>
        <Space wrap style={{ width: '100%' }}>
          <Form.Item name="category" label={t('materials.fields.category')}>
            <Input style={{ width: 200 }} />
          </Form.Item>
          <Form.Item name="tags" label={t('materials.fields.tags')}>
            <Select mode="tags" style={{ minWidth: 240 }} />
          </Form.Item>
        </Space>
        <Form.Item name="coverUrl" label={t('materials.fields.coverUrl')}>
          <Input placeholder="https://" />
        </Form.Item>
        {kind === 'article' && (
          <Form.Item name="bodyHtml" label={t('materials.fields.bodyHtml')} rules={[{ required: true }]}>
            <RichEditor
              keyPrefix="materials.editor"
              label={t('materials.fields.bodyHtml')}
              testId="material-body-editor"
            />
          </Form.Item>
        )}
        {(kind === 'video' || kind === 'link') && (
          <Form.Item
            name="linkUrl"
            label={t('materials.fields.linkUrl')}
            rules={[{ required: true, type: 'url' }]}
          >
            <Input placeholder="https://" />
          </Form.Item>
        )}
        {kind === 'miniprogram' && (
          <Space wrap>
            <Form.Item name="appid" label={t('materials.fields.appid')} rules={[{ required: true }]}>
              <Input placeholder="wx…" />
            </Form.Item>
            <Form.Item name="pagepath" label={t('materials.fields.pagepath')} rules={[{ required: true }]}>
              <Input placeholder="pages/index/index" />
            </Form.Item>
          </Space>
        )}
        {kind === 'poster' && (
          <Space wrap>
            {(['qrX', 'qrY', 'qrSize'] as const).map((k) => (
              <Form.Item
                key={k}
                name={k}
                label={t(`materials.fields.${k}`)}
                initialValue={k === 'qrSize' ? 0.22 : k === 'qrX' ? 0.7 : 0.78}
              >
                <InputNumber min={k === 'qrSize' ? 0.05 : 0} max={1} step={0.01} />
              </Form.Item>
            ))}
          </Space>
        )}
        {(kind === 'pdf' || kind === 'poster') && saved && (
          <Space direction="vertical">
            <Button
              icon={<UploadOutlined />}
              onClick={() => document.getElementById('material-file')?.click()}
            >
              {t(kind === 'pdf' ? 'materials.uploadPdf' : 'materials.uploadPoster')}
            </Button>
            <input
              id="material-file"
              type="file"
              hidden
              accept={kind === 'pdf' ? 'application/pdf' : 'image/png,image/jpeg'}
              onChange={(e) => e.target.files?.[0] && upload(e.target.files[0])}
            />
            {saved.file && (
              <Typography.Text type="secondary">
                {t('materials.uploaded', { size: `${Math.max(1, Math.round(saved.file.size / 1024))} KB` })}
              </Typography.Text>
            )}
          </Space>
        )}
      </Form>
    </Modal>
  );
}
