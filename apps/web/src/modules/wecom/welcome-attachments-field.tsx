import { useQuery } from '@tanstack/react-query';
import { Empty, Form, Select, Tag } from 'antd';
import { useTranslation } from 'react-i18next';
import { http } from '../../shared/api-client';

/** The slice of the materials list the picker needs (same endpoint the materials module uses). */
interface MaterialOption {
  id: string;
  kind: string;
  title: string;
}

/** What the server stores on a code: the materials with the kind and title they had when saved. */
export interface WelcomeAttachment {
  materialId: string;
  kind: string;
  title: string;
}

const MAX = 9;

/**
 * The server reports `welcomeAttachments.3`; the picker is one field, so every such error lands on it.
 * Returns the errors for the form's `setFields`.
 */
export const foldAttachmentErrors = (errors: Array<{ field: string; message?: string; code?: string }>) =>
  errors.map((f) => ({
    field: f.field.startsWith('welcomeAttachments.') ? 'welcomeAttachments' : f.field,
    message: f.message ?? f.code ?? f.field,
  }));

/**
 * Up to 9 materials sent with the welcome message. Articles are not offered: WeCom cannot attach
 * them and the server refuses them.
 */
export function WelcomeAttachmentsField({ current }: { current?: WelcomeAttachment[] }) {
  const { t } = useTranslation();
  const list = useQuery({
    queryKey: ['materials', 'list', {}],
    queryFn: () => http.get<{ items: MaterialOption[] }>('/materials', {}),
  });
  const byId = new Map<string, { id: string; kind: string; title: string }>();
  for (const a of current ?? []) byId.set(a.materialId, { id: a.materialId, kind: a.kind, title: a.title });
  for (const m of list.data?.items ?? []) if (m.kind !== 'article') byId.set(m.id, m);
  const kind = (k: string) => t(`wecom.attachments.kinds.${k}`, { defaultValue: k });
  return (
    <Form.Item
      name="welcomeAttachments"
      label={t('wecom.attachments.label')}
      extra={t('wecom.attachments.help')}
    >
      <Select
        mode="multiple"
        maxCount={MAX}
        showSearch
        allowClear
        data-testid="code-attachments"
        loading={list.isPending}
        placeholder={t('wecom.attachments.placeholder')}
        optionFilterProp="title"
        notFoundContent={
          list.isPending ? undefined : (
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('wecom.attachments.empty')} />
          )
        }
        options={[...byId.values()].map((m) => ({
          value: m.id,
          title: m.title,
          label: (
            <span>
              <Tag bordered={false} style={{ marginInlineEnd: 4 }}>
                {kind(m.kind)}
              </Tag>
              {m.title}
            </span>
          ),
        }))}
      />
    </Form.Item>
  );
}
