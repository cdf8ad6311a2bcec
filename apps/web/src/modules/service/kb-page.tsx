import { LinkOutlined, PlusOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Drawer,
  Empty,
  Form,
  Input,
  Select,
  Space,
  Switch,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSearchParams } from 'react-router';
import { useSession } from '../../app/session';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { RichEditor } from '../../shared/ui/rich-editor';
import { useIsMobile } from '../../shared/use-is-mobile';
import type { KbArticle, KbItem } from './service-api';

/** The knowledge base: search (jieba), the article editor, the link to the public help centre. */
export function KbPage() {
  const { t } = useTranslation();
  const { can, me } = useSession();
  const mobile = useIsMobile();
  const [params, setParams] = useSearchParams();
  const [q, setQ] = useState('');
  const list = useQuery({
    queryKey: ['service', 'kb', q],
    queryFn: () => http.get<{ items: KbItem[] }>('/service/kb', q ? { q } : undefined),
  });
  const open = params.get('open');
  const [editing, setEditing] = useState<string | 'new' | null>(null);
  useEffect(() => {
    if (open) setEditing(open);
  }, [open]);
  const writer = can('service:kb');
  return (
    <div className="kehu-page" data-testid="service-kb-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('service.kb.title')}
        </Typography.Title>
        <Space wrap>
          <Button icon={<LinkOutlined />} href={`/help/${me.tenant.slug}`} target="_blank">
            {t('service.kb.helpCenter')}
          </Button>
          {writer && (
            <Button type="primary" icon={<PlusOutlined />} onClick={() => setEditing('new')}>
              {t('service.kb.new')}
            </Button>
          )}
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('service.kb.intro')}</Typography.Paragraph>
      <Input.Search
        allowClear
        placeholder={t('service.kb.search')}
        aria-label={t('service.kb.search')}
        onSearch={(v) => setQ(v.trim())}
        style={{ maxWidth: 360, marginBottom: 12 }}
      />
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Table<KbItem>
          rowKey="id"
          size={mobile ? 'small' : 'middle'}
          scroll={{ x: true }}
          loading={list.isLoading}
          dataSource={list.data?.items ?? []}
          pagination={{ pageSize: 20, hideOnSinglePage: true }}
          locale={{ emptyText: <Empty description={t('service.kb.empty')} /> }}
          onRow={(r) => ({ onClick: () => setEditing(r.id), style: { cursor: 'pointer' } })}
          columns={[
            {
              title: t('service.kb.titleField'),
              render: (_: unknown, r) => (
                <div style={{ minWidth: 180 }}>
                  <div>{r.title}</div>
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {r.excerpt}
                  </Typography.Text>
                </div>
              ),
            },
            {
              title: t('service.kb.category'),
              dataIndex: 'category',
              render: (v: string) => (v ? <Tag>{v}</Tag> : null),
            },
            {
              title: t('service.kb.status'),
              render: (_: unknown, r) => (
                <Space size={4}>
                  <Tag color={r.status === 'published' ? 'green' : 'default'}>
                    {t(`service.kb.${r.status}`)}
                  </Tag>
                  {r.public && <Tag color="blue">{t('service.kb.public')}</Tag>}
                </Space>
              ),
            },
            ...(mobile ? [] : [{ title: t('service.kb.views'), dataIndex: 'views' }]),
          ]}
        />
      )}
      <ArticleDrawer
        id={editing}
        writer={writer}
        onClose={() => {
          setEditing(null);
          if (open) setParams({});
        }}
      />
    </div>
  );
}

function ArticleDrawer({
  id,
  writer,
  onClose,
}: {
  id: string | 'new' | null;
  writer: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const mobile = useIsMobile();
  const qc = useQueryClient();
  const [form] = Form.useForm();
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const art = useQuery({
    queryKey: ['service', 'kb', 'one', id],
    queryFn: () => http.get<KbArticle>(`/service/kb/${id}`),
    enabled: !!id && id !== 'new',
  });
  useEffect(() => {
    setError(null);
    if (id === 'new')
      form.setFieldsValue({ title: '', category: '', bodyHtml: '', status: 'draft', public: false });
    else if (art.data) form.setFieldsValue(art.data);
  }, [id, art.data, form]);
  const save = async (v: any) => {
    setSaving(true);
    setError(null);
    try {
      const body = { ...v, status: v.status, public: !!v.public };
      if (id === 'new') await http.post('/service/kb', body);
      else await http.patch(`/service/kb/${id}`, { ...body, version: art.data?.version });
      message.success(t('service.kb.saved'));
      qc.invalidateQueries({ queryKey: ['service', 'kb'] });
      onClose();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setSaving(false);
    }
  };
  return (
    <Drawer
      open={!!id}
      onClose={onClose}
      width={mobile ? '100%' : 720}
      title={id === 'new' ? t('service.kb.new') : (art.data?.title ?? '')}
      destroyOnHidden
    >
      {error && <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} />}
      {!writer && art.data ? (
        // biome-ignore lint/security/noDangerouslySetInnerHtml: the server sanitised the article (allow-list) when it was saved
        <div dangerouslySetInnerHTML={{ __html: art.data.bodyHtml }} />
      ) : (
        <Form form={form} layout="vertical" onFinish={save}>
          <Form.Item name="title" label={t('service.kb.titleField')} rules={[{ required: true, max: 200 }]}>
            <Input />
          </Form.Item>
          <Form.Item name="category" label={t('service.kb.category')}>
            <Input maxLength={40} />
          </Form.Item>
          <Form.Item name="bodyHtml" label={t('service.kb.body')}>
            <RichEditor keyPrefix="service.editor" label={t('service.kb.body')} testId="kb-body-editor" />
          </Form.Item>
          <Space wrap>
            <Form.Item name="status" label={t('service.kb.status')}>
              <Select
                style={{ width: 120 }}
                options={[
                  { value: 'draft', label: t('service.kb.draft') },
                  { value: 'published', label: t('service.kb.published') },
                ]}
              />
            </Form.Item>
            <Form.Item name="public" label={t('service.kb.public')} valuePropName="checked">
              <Switch />
            </Form.Item>
          </Space>
          <Button type="primary" htmlType="submit" loading={saving} block>
            {t('service.kb.save')}
          </Button>
        </Form>
      )}
    </Drawer>
  );
}
