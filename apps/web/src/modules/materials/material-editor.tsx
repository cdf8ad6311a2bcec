import { UploadOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import { App, Button, Form, Input, InputNumber, Modal, Select, Space, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { apiFetch, http } from '../../shared/api-client';
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

/** Create or edit a material; PDFs and posters take their file once saved. */
export function MaterialEditor({ material, onClose }: { material: Material | 'new'; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [saved, setSaved] = useState<Material | null>(material === 'new' ? null : material);
  const [kind, setKind] = useState<MaterialKind>(material === 'new' ? 'article' : material.kind);
  const [busy, setBusy] = useState(false);
  const initial =
    material === 'new'
      ? { kind: 'article', tags: [] }
      : {
          ...material,
          appid: material.mini?.appid,
          pagepath: material.mini?.pagepath,
          qrX: material.qrSlot?.x,
          qrY: material.qrSlot?.y,
          qrSize: material.qrSlot?.size,
        };

  const save = async () => {
    const v = await form.validateFields();
    setBusy(true);
    try {
      const body = toBody(kind, v);
      const m = saved
        ? await http.put<Material>(`/materials/${saved.id}`, body)
        : await http.post<Material>('/materials', body);
      setSaved(m);
      await qc.invalidateQueries({ queryKey: materialKeys.all });
      message.success(t('materials.saved'));
      if (kind !== 'pdf' && kind !== 'poster') onClose();
    } catch (e) {
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
        query: { filename: file.name },
        rawBody: file,
        headers: { 'content-type': 'application/octet-stream' },
      });
      setSaved((await res.json()) as Material);
      await qc.invalidateQueries({ queryKey: materialKeys.all });
      message.success(t('materials.saved'));
    } catch (e) {
      message.error(errorMessage(e));
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
