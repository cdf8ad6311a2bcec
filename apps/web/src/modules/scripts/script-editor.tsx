import { SCRIPT_SCOPES } from '@kehu/contracts/scripts';
import { App, Button, Drawer, Form, Input, Select, Space, Switch, TreeSelect } from 'antd';
import { useEffect } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../shared/api-client';
import { errorMessage } from '../../shared/ui/error-result';
import { categoryTree } from './category-tree';
import { type Script, type ScriptCategory, useSaveScript } from './scripts-api';

const STAGES = ['discovery', 'solution', 'trust', 'closing'] as const;

interface Values {
  title: string;
  body: string;
  categoryId?: string | null;
  scope: Script['scope'];
  stages: string[];
  tags: string[];
  enabled: boolean;
}

/** The editor drawer: a new script (scope chosen once) or changes to one the caller may edit. */
export function ScriptEditor(props: {
  open: boolean;
  script: Script | null;
  categories: ScriptCategory[];
  canManage: boolean;
  onClose: () => void;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm<Values>();
  const save = useSaveScript();
  const s = props.script;
  useEffect(() => {
    if (!props.open) return;
    form.resetFields();
    form.setFieldsValue(
      s
        ? { ...s, categoryId: s.categoryId }
        : { scope: props.canManage ? 'company' : 'personal', stages: [], tags: [], enabled: true },
    );
  }, [props.open, s, form, props.canManage]);
  const submit = async (v: Values) => {
    try {
      const input = s
        ? {
            title: v.title,
            body: v.body,
            categoryId: v.categoryId ?? null,
            stages: v.stages,
            tags: v.tags,
            enabled: v.enabled,
          }
        : { ...v, categoryId: v.categoryId ?? null };
      await save.mutateAsync({ id: s?.id, input });
      message.success(t('scripts.saved'));
      props.onClose();
    } catch (e) {
      if (e instanceof ApiError && e.problem?.errors?.length) {
        form.setFields(
          e.problem.errors.map((f) => ({ name: f.field as keyof Values, errors: [f.message ?? f.code] })),
        );
      } else message.error(errorMessage(e));
    }
  };
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      title={s ? t('scripts.edit') : t('scripts.new')}
      width={Math.min(520, typeof window === 'undefined' ? 520 : window.innerWidth)}
      destroyOnHidden
      extra={
        <Button
          type="primary"
          loading={save.isPending}
          onClick={() => form.submit()}
          data-testid="script-save"
        >
          {t('scripts.save')}
        </Button>
      }
    >
      <Form form={form} layout="vertical" onFinish={submit} data-testid="script-form">
        <Form.Item name="title" label={t('scripts.fields.title')} rules={[{ required: true, max: 120 }]}>
          <Input maxLength={120} data-testid="script-title" />
        </Form.Item>
        <Form.Item name="body" label={t('scripts.fields.body')} rules={[{ required: true, max: 4000 }]}>
          <Input.TextArea
            autoSize={{ minRows: 4, maxRows: 12 }}
            maxLength={4000}
            showCount
            data-testid="script-body"
          />
        </Form.Item>
        <Form.Item name="categoryId" label={t('scripts.fields.category')}>
          <TreeSelect allowClear treeDefaultExpandAll treeData={categoryTree(props.categories, false)} />
        </Form.Item>
        <Form.Item name="scope" label={t('scripts.fields.scope')} extra={t('scripts.scopeHelp')}>
          <Select
            disabled={!!s}
            data-testid="script-scope"
            options={SCRIPT_SCOPES.filter((x) => props.canManage || x === 'personal').map((x) => ({
              value: x,
              label: t(`scripts.scope.${x}`),
            }))}
          />
        </Form.Item>
        <Form.Item name="stages" label={t('scripts.fields.stages')}>
          <Select mode="tags" options={STAGES.map((x) => ({ value: x, label: t(`scripts.stages.${x}`) }))} />
        </Form.Item>
        <Form.Item name="tags" label={t('scripts.fields.tags')} extra={t('scripts.fields.tagsHelp')}>
          <Select mode="tags" open={false} suffixIcon={null} />
        </Form.Item>
        <Space>
          <Form.Item name="enabled" label={t('scripts.fields.enabled')} valuePropName="checked">
            <Switch />
          </Form.Item>
        </Space>
      </Form>
    </Drawer>
  );
}
