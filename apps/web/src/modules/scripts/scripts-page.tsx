import { DeleteOutlined, EditOutlined, FolderAddOutlined, PlusOutlined } from '@ant-design/icons';
import {
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  List,
  Modal,
  Popconfirm,
  Select,
  Space,
  Table,
  Tag,
  Tree,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { EChart } from '../../shared/ui/echart';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { categoryTree } from './category-tree';
import { ScriptEditor } from './script-editor';
import { type Script, useCategories, useCreateCategory, useDeleteScript, useScripts } from './scripts-api';

const SCOPE_COLOR: Record<Script['scope'], string> = { company: 'blue', team: 'green', personal: 'default' };

/** 话术库: categories, search in Chinese, the list with usage, and the editor drawer. */
export function ScriptsPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const mobile = useIsMobile();
  const canManage = can('scripts:manage');
  const [q, setQ] = useState('');
  const [categoryId, setCategoryId] = useState<string | null>(null);
  const [editing, setEditing] = useState<Script | null>(null);
  const [editorOpen, setEditorOpen] = useState(false);
  const [categoryOpen, setCategoryOpen] = useState(false);
  const scripts = useScripts({ q, categoryId });
  const categories = useCategories();
  const cats = categories.data?.items ?? [];
  const openEditor = (s: Script | null) => {
    setEditing(s);
    setEditorOpen(true);
  };
  const items = scripts.data?.items ?? [];
  const empty = q ? t('scripts.emptySearch', { q }) : t('scripts.empty');
  return (
    <div className="kehu-page" data-testid="scripts-page">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('scripts.title')}
        </Typography.Title>
        <Space wrap>
          {canManage && (
            <Button icon={<FolderAddOutlined />} onClick={() => setCategoryOpen(true)}>
              {t('scripts.newCategory')}
            </Button>
          )}
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => openEditor(null)}
            data-testid="script-new"
          >
            {t('scripts.new')}
          </Button>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('scripts.intro')}</Typography.Paragraph>
      <div
        style={{
          display: 'flex',
          gap: 16,
          alignItems: 'flex-start',
          flexDirection: mobile ? 'column' : 'row',
        }}
      >
        {mobile ? (
          <Select
            style={{ width: '100%' }}
            value={categoryId ?? ''}
            onChange={(v) => setCategoryId(v || null)}
            options={[
              { value: '', label: t('scripts.allCategories') },
              ...cats.map((c) => ({
                value: c.id,
                label: `${c.parentId ? '　' : ''}${c.name} (${c.count})`,
              })),
            ]}
            aria-label={t('scripts.fields.category')}
          />
        ) : (
          <Card size="small" style={{ width: 240, flex: 'none' }} data-testid="script-categories">
            <Button
              type={categoryId ? 'text' : 'link'}
              onClick={() => setCategoryId(null)}
              style={{ padding: 0 }}
            >
              {t('scripts.allCategories')}
            </Button>
            <Tree
              blockNode
              defaultExpandAll
              key={cats.length}
              selectedKeys={categoryId ? [categoryId] : []}
              onSelect={(keys) => setCategoryId((keys[0] as string) ?? null)}
              treeData={categoryTree(cats)}
            />
          </Card>
        )}
        <div style={{ flex: 1, minWidth: 0, width: '100%' }}>
          <Input.Search
            allowClear
            placeholder={t('scripts.search')}
            onSearch={setQ}
            style={{ marginBottom: 12 }}
            data-testid="script-search"
            enterButton
          />
          {scripts.error ? (
            <ErrorResult error={scripts.error} onRetry={() => scripts.refetch()} />
          ) : mobile ? (
            <List
              loading={scripts.isPending}
              dataSource={items}
              locale={{ emptyText: <Empty description={empty} /> }}
              renderItem={(s) => <ScriptCard script={s} onEdit={() => openEditor(s)} />}
              data-testid="script-list"
            />
          ) : (
            <>
              <ScriptTable items={items} loading={scripts.isPending} empty={empty} onEdit={openEditor} />
              {!q && <TopUsed items={items} />}
            </>
          )}
        </div>
      </div>
      <ScriptEditor
        open={editorOpen}
        script={editing}
        categories={cats}
        canManage={canManage}
        onClose={() => setEditorOpen(false)}
      />
      <NewCategory open={categoryOpen} onClose={() => setCategoryOpen(false)} />
    </div>
  );
}

function ScriptTable(props: {
  items: Script[];
  loading: boolean;
  empty: string;
  onEdit: (s: Script) => void;
}) {
  const { t } = useTranslation();
  return (
    <Card size="small">
      <Table<Script>
        rowKey="id"
        size="small"
        loading={props.loading}
        dataSource={props.items}
        pagination={{ pageSize: 20, hideOnSinglePage: true }}
        locale={{ emptyText: <Empty description={props.empty} /> }}
        data-testid="script-table"
        columns={[
          {
            title: t('scripts.columns.title'),
            render: (_: unknown, s) => (
              <div>
                <Typography.Text strong>{s.title}</Typography.Text>
                <Typography.Paragraph
                  type="secondary"
                  ellipsis={{ rows: 2 }}
                  style={{ margin: 0, whiteSpace: 'pre-line' }}
                >
                  {s.body}
                </Typography.Paragraph>
              </div>
            ),
          },
          {
            title: t('scripts.columns.category'),
            render: (_: unknown, s) => s.categoryPath ?? t('scripts.uncategorised'),
            width: 160,
          },
          {
            title: t('scripts.columns.scope'),
            width: 90,
            render: (_: unknown, s) => (
              <Tag color={SCOPE_COLOR[s.scope]}>{t(`scripts.scope.${s.scope}`)}</Tag>
            ),
          },
          {
            title: t('scripts.columns.uses'),
            dataIndex: 'useCount',
            width: 90,
            sorter: (a, b) => a.useCount - b.useCount,
          },
          {
            title: t('scripts.columns.enabled'),
            width: 80,
            render: (_: unknown, s) =>
              s.enabled ? (
                <Tag color="green">{t('scripts.enabled')}</Tag>
              ) : (
                <Tag>{t('scripts.disabled')}</Tag>
              ),
          },
          {
            title: t('scripts.columns.actions'),
            width: 110,
            render: (_: unknown, s) => <Actions script={s} onEdit={() => props.onEdit(s)} />,
          },
        ]}
      />
    </Card>
  );
}

function Actions({ script, onEdit }: { script: Script; onEdit: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const del = useDeleteScript();
  if (!script.canEdit) return null;
  return (
    <Space size={4}>
      <Button
        size="small"
        type="text"
        icon={<EditOutlined />}
        aria-label={t('scripts.edit')}
        onClick={onEdit}
      />
      <Popconfirm
        title={t('scripts.confirmDelete')}
        onConfirm={() =>
          del.mutate(script.id, {
            onSuccess: () => message.success(t('scripts.deleted')),
            onError: (e) => message.error(errorMessage(e)),
          })
        }
      >
        <Button size="small" type="text" danger icon={<DeleteOutlined />} aria-label={t('scripts.delete')} />
      </Popconfirm>
    </Space>
  );
}

function ScriptCard({ script: s, onEdit }: { script: Script; onEdit: () => void }) {
  const { t } = useTranslation();
  return (
    <List.Item style={{ display: 'block' }} data-testid="script-item">
      <Space style={{ justifyContent: 'space-between', width: '100%' }}>
        <Typography.Text strong>{s.title}</Typography.Text>
        <Actions script={s} onEdit={onEdit} />
      </Space>
      <Typography.Paragraph style={{ whiteSpace: 'pre-line', margin: '4px 0' }}>
        {s.body}
      </Typography.Paragraph>
      <Space size={4} wrap>
        <Tag color={SCOPE_COLOR[s.scope]}>{t(`scripts.scope.${s.scope}`)}</Tag>
        {s.categoryPath && <Tag>{s.categoryPath}</Tag>}
        <Typography.Text type="secondary">{t('scripts.uses', { count: s.useCount })}</Typography.Text>
      </Space>
    </List.Item>
  );
}

/** The ten most used scripts as bars: which ones the team reaches for is seen at a glance. */
function TopUsed({ items }: { items: Script[] }) {
  const { t } = useTranslation();
  const top = useMemo(
    () =>
      [...items]
        .filter((s) => s.useCount > 0)
        .sort((a, b) => b.useCount - a.useCount)
        .slice(0, 10)
        .reverse(),
    [items],
  );
  if (top.length === 0) return null;
  return (
    <Card size="small" title={t('scripts.topUsed')} style={{ marginTop: 16 }}>
      <EChart
        height={Math.max(160, top.length * 28)}
        testId="scripts-top-used"
        option={{
          grid: { left: 8, right: 24, top: 8, bottom: 8, containLabel: true },
          xAxis: { type: 'value', minInterval: 1 },
          yAxis: { type: 'category', data: top.map((s) => s.title) },
          tooltip: { trigger: 'axis' },
          series: [{ type: 'bar', data: top.map((s) => s.useCount), barMaxWidth: 18 }],
        }}
      />
    </Card>
  );
}

function NewCategory({ open, onClose }: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<{ name: string; parentId?: string }>();
  const create = useCreateCategory();
  const categories = useCategories();
  return (
    <Modal
      open={open}
      title={t('scripts.newCategory')}
      onCancel={onClose}
      onOk={() => form.submit()}
      confirmLoading={create.isPending}
      destroyOnHidden
    >
      <Form
        form={form}
        layout="vertical"
        onFinish={(v) =>
          create.mutate(
            { name: v.name, parentId: v.parentId ?? null },
            {
              onSuccess: () => {
                message.success(t('scripts.saved'));
                form.resetFields();
                onClose();
              },
              onError: (e) => message.error(errorMessage(e)),
            },
          )
        }
      >
        <Form.Item name="name" label={t('scripts.categoryName')} rules={[{ required: true, max: 40 }]}>
          <Input maxLength={40} />
        </Form.Item>
        <Form.Item name="parentId" label={t('scripts.parentCategory')}>
          <Select
            allowClear
            options={(categories.data?.items ?? [])
              .filter((c) => !c.parentId)
              .map((c) => ({ value: c.id, label: c.name }))}
          />
        </Form.Item>
      </Form>
    </Modal>
  );
}
