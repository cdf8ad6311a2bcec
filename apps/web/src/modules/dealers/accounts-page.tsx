import {
  Alert,
  App,
  Button,
  Card,
  Empty,
  Form,
  Input,
  InputNumber,
  Modal,
  Select,
  Space,
  Table,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import {
  type Account,
  problemLines,
  recordEntry,
  updateAccount,
  useAccounts,
  useDealersMutation,
  yuan,
} from './dealers-api';

/** 经销商账户 (HQ): credit limits and tiers, balances, and payments / rebates recorded against them. */
export function AccountsPage() {
  const { t, i18n } = useTranslation();
  const q = useAccounts();
  const money = (v: number) => yuan(v, i18n.language);
  const [editing, setEditing] = useState<{ a: Account; mode: 'edit' | 'entry' } | null>(null);
  const items = q.data?.items ?? [];
  return (
    <div className="kehu-page" data-testid="dms-accounts-page">
      <Typography.Title level={4}>{t('dms.accounts.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('dms.accounts.intro')}</Typography.Paragraph>
      {q.error && <Alert type="error" showIcon message={problemLines(q.error).join('；')} />}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('dms.accounts.empty')} />
        </Card>
      ) : (
        <div style={{ overflowX: 'auto' }}>
          <Table
            rowKey="dealerUnitId"
            size="small"
            loading={q.isLoading}
            dataSource={items}
            pagination={false}
            columns={[
              { title: t('dms.accounts.dealer'), dataIndex: 'dealerName' },
              { title: t('dms.accounts.tier'), dataIndex: 'tier', responsive: ['sm'] },
              {
                title: t('dms.accounts.creditLimit'),
                dataIndex: 'creditLimit',
                align: 'right',
                render: money,
              },
              { title: t('dms.accounts.balance'), dataIndex: 'balance', align: 'right', render: money },
              {
                title: t('dms.accounts.available'),
                dataIndex: 'available',
                align: 'right',
                render: money,
                responsive: ['md'],
              },
              {
                title: t('dms.accounts.pool'),
                dataIndex: 'poolBalance',
                align: 'right',
                render: money,
                responsive: ['md'],
              },
              {
                key: 'actions',
                render: (_, a) => (
                  <Space wrap>
                    <Button size="small" onClick={() => setEditing({ a, mode: 'edit' })}>
                      {t('dms.accounts.edit')}
                    </Button>
                    <Button size="small" onClick={() => setEditing({ a, mode: 'entry' })}>
                      {t('dms.accounts.entry')}
                    </Button>
                  </Space>
                ),
              },
            ]}
          />
        </div>
      )}
      {editing && <AccountModal {...editing} onClose={() => setEditing(null)} />}
    </div>
  );
}

function AccountModal({ a, mode, onClose }: { a: Account; mode: 'edit' | 'entry'; onClose: () => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  // One key per dialog: a double click records one payment.
  const [key] = useState(() => crypto.randomUUID());
  const save = useDealersMutation(async (v: any) =>
    mode === 'edit'
      ? updateAccount(a.dealerUnitId, { creditLimit: Math.round(v.creditLimit * 100), tier: v.tier || null })
      : recordEntry(a.dealerUnitId, {
          kind: v.kind,
          amount: Math.round(v.amount * 100),
          ref: v.ref,
          idempotencyKey: key,
        }),
  );
  return (
    <Modal
      open
      title={`${a.dealerName ?? ''} · ${mode === 'edit' ? t('dms.accounts.edit') : t('dms.accounts.entry')}`}
      onCancel={onClose}
      okText={t('dms.accounts.save')}
      okButtonProps={{ loading: save.isPending }}
      onOk={async () =>
        save.mutate(await form.validateFields(), {
          onSuccess: onClose,
          onError: (e) => message.error(problemLines(e).join('；')),
        })
      }
    >
      <Form
        form={form}
        layout="vertical"
        initialValues={
          mode === 'edit' ? { creditLimit: a.creditLimit / 100, tier: a.tier } : { kind: 'payment' }
        }
      >
        {mode === 'edit' ? (
          <>
            <Form.Item name="creditLimit" label={t('dms.accounts.creditLimit')} rules={[{ required: true }]}>
              <InputNumber min={0} precision={2} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="tier" label={t('dms.accounts.tier')}>
              <Input maxLength={40} />
            </Form.Item>
          </>
        ) : (
          <>
            <Form.Item name="kind" label={t('dms.accounts.kind')}>
              <Select
                options={['payment', 'rebate', 'credit'].map((k) => ({
                  value: k,
                  label: t(`dms.kinds.${k}`),
                }))}
              />
            </Form.Item>
            <Form.Item name="amount" label={t('dms.accounts.amount')} rules={[{ required: true }]}>
              <InputNumber min={0.01} precision={2} style={{ width: '100%' }} />
            </Form.Item>
            <Form.Item name="ref" label={t('dms.accounts.ref')} rules={[{ required: true }]}>
              <Input maxLength={200} />
            </Form.Item>
          </>
        )}
      </Form>
    </Modal>
  );
}
