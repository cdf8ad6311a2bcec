import { PlusOutlined, SyncOutlined } from '@ant-design/icons';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Descriptions,
  Drawer,
  Form,
  Input,
  InputNumber,
  Modal,
  Space,
  Table,
  Tag,
  TreeSelect,
  Typography,
} from 'antd';
import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { buildUnitTree } from '../../app/unit-tree';
import { http } from '../../shared/api-client';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { SyncLine } from './sync-panel';
import { type Corp, type CreatedCorp, useCorps, useStaff, wecomKeys } from './wecom-api';

function StaffDrawer({ corp, onClose }: { corp: Corp | null; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { can } = useSession();
  const qc = useQueryClient();
  const isMobile = useIsMobile();
  const staff = useStaff(corp?.id ?? null);
  const sync = useMutation({
    mutationFn: () => http.post<{ staff: number; mapped: number }>(`/wecom/corps/${corp!.id}/staff/sync`),
    onSuccess: (r) => {
      message.success(t('wecom.corps.synced', r));
      void qc.invalidateQueries({ queryKey: wecomKeys.staff(corp!.id) });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  return (
    <Drawer
      open={!!corp}
      onClose={onClose}
      width={isMobile ? '100%' : 640}
      title={`${corp?.name ?? ''} · ${t('wecom.corps.staff')}`}
      extra={
        can('wecom:manage') && (
          <Button
            icon={<SyncOutlined />}
            loading={sync.isPending}
            onClick={() => sync.mutate()}
            data-testid="staff-sync"
          >
            {t('wecom.corps.sync')}
          </Button>
        )
      }
    >
      <Table
        rowKey="userid"
        size="small"
        loading={staff.isPending}
        dataSource={staff.data?.items ?? []}
        pagination={false}
        columns={[
          { title: t('wecom.corps.userid'), dataIndex: 'userid' },
          { title: t('wecom.corps.name'), dataIndex: 'name' },
          { title: t('wecom.corps.user'), dataIndex: 'userName', render: (v: string | null) => v ?? '—' },
          {
            title: t('wecom.corps.mappedBy'),
            dataIndex: 'mappedBy',
            responsive: ['md'],
            render: (v: string | null) => (v ? t(`wecom.corps.mapped_${v}`) : '—'),
          },
        ]}
      />
    </Drawer>
  );
}

export function CorpsPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const { me, can } = useSession();
  const qc = useQueryClient();
  const corps = useCorps();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<CreatedCorp | null>(null);
  const [staffOf, setStaffOf] = useState<Corp | null>(null);
  const [form] = Form.useForm();
  const tree = useMemo(() => buildUnitTree(me.units), [me.units]);
  const create = useMutation({
    mutationFn: (v: Record<string, unknown>) => http.post<CreatedCorp>('/wecom/corps', v),
    onSuccess: (c) => {
      setCreating(false);
      form.resetFields();
      setCreated(c);
      void qc.invalidateQueries({ queryKey: wecomKeys.corps() });
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const origin = window.location.origin;
  return (
    <div className="kehu-page" data-testid="wecom-corps">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('wecom.corps.title')}
        </Typography.Title>
        {can('wecom:manage') && (
          <Button
            type="primary"
            icon={<PlusOutlined />}
            onClick={() => setCreating(true)}
            data-testid="corp-new"
          >
            {t('wecom.corps.new')}
          </Button>
        )}
      </div>
      {corps.error ? (
        <ErrorResult error={corps.error} onRetry={() => corps.refetch()} />
      ) : (
        <Card size="small" styles={{ body: { padding: 0, overflowX: 'auto' } }}>
          <Table
            rowKey="id"
            size="small"
            loading={corps.isPending}
            dataSource={corps.data?.items ?? []}
            pagination={false}
            locale={{ emptyText: t('wecom.corps.empty') }}
            scroll={{ x: 'max-content' }}
            columns={[
              {
                title: t('wecom.corps.name'),
                dataIndex: 'name',
                render: (v: string, c: Corp) => (
                  <Typography.Link onClick={() => setStaffOf(c)}>{v}</Typography.Link>
                ),
              },
              { title: t('wecom.corps.unit'), dataIndex: 'unitName', responsive: ['sm'] },
              { title: t('wecom.corps.corpId'), dataIndex: 'corpId', responsive: ['md'] },
              {
                title: t('wecom.corps.secrets'),
                responsive: ['lg'],
                // One tag under the other: side by side they pushed the table past 1366 px.
                render: (_: unknown, c: Corp) => (
                  <Space direction="vertical" size={4}>
                    <Tag color={c.secretsSet.contactSecret ? 'green' : 'default'} style={{ margin: 0 }}>
                      {t('wecom.corps.contactSecret')} ·{' '}
                      {t(c.secretsSet.contactSecret ? 'wecom.corps.set' : 'wecom.corps.unset')}
                    </Tag>
                    <Tag color={c.secretsSet.appSecret ? 'green' : 'default'} style={{ margin: 0 }}>
                      {t('wecom.corps.appSecret')} ·{' '}
                      {t(c.secretsSet.appSecret ? 'wecom.corps.set' : 'wecom.corps.unset')}
                    </Tag>
                  </Space>
                ),
              },
              {
                title: t('wecom.sync.status'),
                dataIndex: 'id',
                // Wraps rather than widening the table: with the name it fits a 390 px phone.
                render: (id: string) => (
                  <div style={{ maxWidth: 200 }}>
                    <SyncLine corpRef={id} />
                  </div>
                ),
              },
              {
                title: t('wecom.corps.callback'),
                dataIndex: 'callbackPath',
                responsive: ['lg'],
                // The address is long and only ever copied: shortened on the page, copied whole.
                render: (p: string) => (
                  <Typography.Text
                    copyable={{ text: origin + p }}
                    ellipsis={{ tooltip: origin + p }}
                    style={{ fontSize: 12, maxWidth: 240 }}
                    data-testid="corp-callback"
                  >
                    {origin + p}
                  </Typography.Text>
                ),
              },
            ]}
          />
        </Card>
      )}
      <Modal
        open={creating}
        title={t('wecom.corps.new')}
        onCancel={() => setCreating(false)}
        onOk={() => form.submit()}
        confirmLoading={create.isPending}
        destroyOnHidden
      >
        <Form
          form={form}
          layout="vertical"
          onFinish={(v) =>
            create.mutate({ ...v, baseUrl: v.baseUrl || undefined, appSecret: v.appSecret || undefined })
          }
        >
          <Form.Item name="name" label={t('wecom.corps.name')} rules={[{ required: true }]}>
            <Input maxLength={100} />
          </Form.Item>
          <Form.Item name="unitId" label={t('wecom.corps.unit')} rules={[{ required: true }]}>
            <TreeSelect treeData={tree} treeDefaultExpandAll showSearch treeNodeFilterProp="title" />
          </Form.Item>
          <Form.Item name="corpId" label={t('wecom.corps.corpId')} rules={[{ required: true }]}>
            <Input maxLength={64} />
          </Form.Item>
          <Form.Item name="contactSecret" label={t('wecom.corps.contactSecret')} rules={[{ required: true }]}>
            <Input.Password autoComplete="off" />
          </Form.Item>
          <Form.Item name="appSecret" label={t('wecom.corps.appSecret')}>
            <Input.Password autoComplete="off" />
          </Form.Item>
          <Form.Item name="agentId" label={t('wecom.corps.agentId')}>
            <InputNumber min={0} style={{ width: '100%' }} />
          </Form.Item>
          <Form.Item name="baseUrl" label={t('wecom.corps.baseUrl')}>
            <Input placeholder="https://qyapi.weixin.qq.com" />
          </Form.Item>
        </Form>
      </Modal>
      <Modal
        open={!!created}
        title={t('wecom.corps.keysTitle')}
        onCancel={() => setCreated(null)}
        onOk={() => setCreated(null)}
        cancelButtonProps={{ style: { display: 'none' } }}
      >
        <Alert type="warning" showIcon message={t('wecom.corps.keysOnce')} style={{ marginBottom: 12 }} />
        <Descriptions column={1} size="small" bordered>
          <Descriptions.Item label={t('wecom.corps.callback')}>
            <Typography.Text copyable>{origin + (created?.callbackPath ?? '')}</Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('wecom.corps.token')}>
            <Typography.Text copyable data-testid="corp-token">
              {created?.callbackToken}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('wecom.corps.aesKey')}>
            <Typography.Text copyable style={{ wordBreak: 'break-all' }}>
              {created?.encodingAESKey}
            </Typography.Text>
          </Descriptions.Item>
        </Descriptions>
      </Modal>
      <StaffDrawer corp={staffOf} onClose={() => setStaffOf(null)} />
    </div>
  );
}
