import { PaperClipOutlined, SettingOutlined } from '@ant-design/icons';
import {
  Button,
  Card,
  DatePicker,
  Drawer,
  Form,
  Input,
  Modal,
  Progress,
  Segmented,
  Select,
  Space,
  Table,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate } from 'react-router';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import { type Material, MaterialPicker } from '../materials';
import { useCorps, useMessages, usePlan, useSegments, useTags } from './outreach-api';
import { SettingsDrawer } from './settings-drawer';

const STATUS_COLOR: Record<string, string> = {
  planned: 'default',
  scheduled: 'blue',
  sending: 'orange',
  sent: 'green',
  cancelled: 'default',
};

/** 群发 list: each message with its status and delivery so far. */
export function MessagesPage() {
  const { t } = useTranslation();
  const { can } = useSession();
  const list = useMessages();
  const [open, setOpen] = useState(false);
  const [settings, setSettings] = useState(false);
  return (
    <div className="kehu-page" data-testid="outreach-messages">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('outreach.list.title')}
        </Typography.Title>
        <Space wrap>
          <Button
            icon={<SettingOutlined />}
            onClick={() => setSettings(true)}
            data-testid="outreach-settings"
          >
            {t('outreach.settings.title')}
          </Button>
          {can('outreach:send') && (
            <Button type="primary" onClick={() => setOpen(true)} data-testid="outreach-new">
              {t('outreach.list.new')}
            </Button>
          )}
        </Space>
      </div>
      {list.error ? (
        <ErrorResult error={list.error} onRetry={() => list.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={list.isPending}
            dataSource={list.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('outreach.list.empty') }}
            columns={[
              {
                title: t('outreach.compose.name'),
                dataIndex: 'title',
                render: (v, m) => <Link to={`/outreach/messages/${m.id}`}>{v}</Link>,
              },
              {
                title: t('outreach.list.status'),
                dataIndex: 'status',
                render: (s: string) => <Tag color={STATUS_COLOR[s]}>{t(`outreach.status.${s}`)}</Tag>,
              },
              {
                title: t('outreach.detail.delivery'),
                key: 'progress',
                render: (_, m) => {
                  const total =
                    m.counts.planned +
                    m.counts.waiting +
                    m.counts.sent +
                    m.counts.failed +
                    m.counts.notFriend +
                    m.counts.overLimit;
                  return (
                    <div style={{ minWidth: 120 }}>
                      <Progress
                        percent={total ? Math.round((m.counts.sent / total) * 100) : 0}
                        size="small"
                      />
                      <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                        {t('outreach.list.sentOf', { sent: m.counts.sent, total })}
                      </Typography.Text>
                    </div>
                  );
                },
              },
              {
                title: t('outreach.detail.excluded'),
                dataIndex: ['counts', 'excluded'],
                align: 'right',
                responsive: ['sm'],
              },
            ]}
          />
        </Card>
      )}
      <ComposeDrawer open={open} onClose={() => setOpen(false)} />
      <SettingsDrawer open={settings} onClose={() => setSettings(false)} />
    </div>
  );
}

function ComposeDrawer(props: { open: boolean; onClose: () => void }) {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const corps = useCorps();
  const segments = useSegments();
  const tags = useTags();
  const plan = usePlan();
  const [form] = Form.useForm();
  const [kind, setKind] = useState<'segment' | 'tag' | 'filter'>('segment');
  const [chatType, setChatType] = useState<'single' | 'group'>('single');
  const [attached, setAttached] = useState<Material[]>([]);
  const [picking, setPicking] = useState(false);
  const submit = async () => {
    const v = await form.validateFields();
    const audience =
      chatType === 'group'
        ? { kind: 'filter' as const }
        : kind === 'segment'
          ? { kind, segmentId: v.segmentId }
          : kind === 'tag'
            ? { kind, tagId: v.tagId }
            : { kind };
    try {
      const m = await plan.mutateAsync({
        corpRef: v.corpRef,
        title: v.title,
        text: v.text || undefined,
        chatType,
        materials: attached.map((m) => m.id),
        attachments: v.linkUrl
          ? [{ msgtype: 'link', link: { title: v.linkTitle || v.title, url: v.linkUrl } }]
          : [],
        audience,
        ...(v.sendAt ? { sendAt: v.sendAt.toDate().toISOString() } : {}),
      } as any);
      form.resetFields();
      setAttached([]);
      props.onClose();
      navigate(`/outreach/messages/${m.id}`);
    } catch (e) {
      const errors = (e as any)?.problem?.errors as Array<{ field: string; message: string }> | undefined;
      if (errors?.length)
        form.setFields(
          errors.map((x) => ({
            // Material errors (materials / materials.N) show under the picker.
            name: x.field.startsWith('materials') ? 'materials' : (x.field.split('.')[0] as string),
            errors: [x.message],
          })),
        );
      else form.setFields([{ name: 'title', errors: [errorMessage(e)] }]);
    }
  };
  const corpItems = corps.data?.items ?? [];
  return (
    <Drawer
      open={props.open}
      onClose={props.onClose}
      title={t('outreach.compose.title')}
      width="min(560px, 100vw)"
      destroyOnHidden
      extra={
        <Button type="primary" loading={plan.isPending} onClick={submit} data-testid="outreach-plan">
          {t('outreach.compose.plan')}
        </Button>
      }
    >
      {plan.isPending && (
        <Progress percent={99} status="active" showInfo={false} style={{ marginBottom: 12 }} />
      )}
      <Form form={form} layout="vertical" initialValues={{ corpRef: corpItems[0]?.id }}>
        <Form.Item
          name="corpRef"
          label={t('outreach.compose.corp')}
          rules={[{ required: true }]}
          extra={corpItems.length ? undefined : t('outreach.compose.noCorp')}
        >
          <Select
            options={corpItems.map((c) => ({ value: c.id, label: c.name }))}
            data-testid="outreach-corp"
          />
        </Form.Item>
        <Form.Item name="title" label={t('outreach.compose.name')} rules={[{ required: true, max: 100 }]}>
          <Input data-testid="outreach-title" />
        </Form.Item>
        <Form.Item name="text" label={t('outreach.compose.text')} rules={[{ max: 4000 }]}>
          <Input.TextArea rows={4} showCount maxLength={4000} data-testid="outreach-text" />
        </Form.Item>
        <Form.Item label={t('outreach.compose.chatType')}>
          <Segmented
            value={chatType}
            onChange={(v) => setChatType(v as typeof chatType)}
            data-testid="outreach-chat-type"
            options={(['single', 'group'] as const).map((k) => ({
              value: k,
              label: t(`outreach.compose.chat_${k}`),
            }))}
          />
        </Form.Item>
        {chatType === 'group' && (
          <Typography.Paragraph type="secondary">{t('outreach.compose.groupHint')}</Typography.Paragraph>
        )}
        <Form.Item label={t('outreach.compose.audience')} hidden={chatType === 'group'}>
          <Segmented
            value={kind}
            onChange={(v) => setKind(v as typeof kind)}
            options={(['segment', 'tag', 'filter'] as const).map((k) => ({
              value: k,
              label: t(`outreach.compose.kind_${k}`),
            }))}
          />
        </Form.Item>
        {chatType === 'single' && kind === 'segment' && (
          <Form.Item name="segmentId" label={t('outreach.compose.segment')} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              data-testid="outreach-segment"
              options={(segments.data?.items ?? [])
                .filter((s) => !s.object || s.object === 'profile')
                .map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
        )}
        {chatType === 'single' && kind === 'tag' && (
          <Form.Item name="tagId" label={t('outreach.compose.tag')} rules={[{ required: true }]}>
            <Select
              showSearch
              optionFilterProp="label"
              options={(tags.data?.items ?? [])
                .filter((s) => !s.object || s.object === 'profile')
                .map((s) => ({ value: s.id, label: s.name }))}
            />
          </Form.Item>
        )}
        <Form.Item
          name="materials"
          label={t('outreach.compose.materials')}
          extra={t('outreach.compose.materialsHint')}
        >
          <Space direction="vertical" style={{ width: '100%' }}>
            {attached.map((a, i) => (
              <Tag
                key={a.id}
                closable
                onClose={() => setAttached(attached.filter((_, j) => j !== i))}
                data-testid="outreach-attachment"
                style={{ whiteSpace: 'normal' }}
              >
                {t(`materials.kinds.${a.kind}`)} · {a.title}
              </Tag>
            ))}
            <Button
              icon={<PaperClipOutlined />}
              onClick={() => setPicking(true)}
              disabled={attached.length >= 9}
              data-testid="outreach-attach-material"
            >
              {t('outreach.compose.attachMaterial')}
            </Button>
          </Space>
        </Form.Item>
        <Form.Item name="linkUrl" label={t('outreach.compose.link')} rules={[{ type: 'url' }]}>
          <Input placeholder="https://" />
        </Form.Item>
        <Form.Item name="linkTitle" label={t('outreach.compose.linkTitle')}>
          <Input />
        </Form.Item>
        <Form.Item name="sendAt" label={t('outreach.compose.sendAt')}>
          <DatePicker showTime style={{ width: '100%' }} />
        </Form.Item>
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('outreach.detail.capRule')}
        </Typography.Paragraph>
      </Form>
      <Modal
        open={picking}
        onCancel={() => setPicking(false)}
        footer={null}
        title={t('outreach.compose.attachMaterial')}
        destroyOnHidden
        width="min(640px, 100vw)"
      >
        <MaterialPicker
          onPick={(m) => {
            setAttached((a) => (a.some((x) => x.id === m.id) ? a : [...a, m]));
            setPicking(false);
          }}
        />
      </Modal>
    </Drawer>
  );
}
