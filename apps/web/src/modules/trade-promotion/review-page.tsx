import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Col,
  Empty,
  Form,
  Input,
  InputNumber,
  List,
  Row,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../shared/error-message';
import { ActivitySummary, ProofGallery } from './activity-detail';
import { type Activity, useQueue, useTpmMutation, verify, yuan } from './tpm-api';

/** 费用核销: the reviewer's queue (sampled first), photos with their flags, the amount to approve. */
export function ReviewPage() {
  const { t, i18n } = useTranslation();
  const q = useQueue();
  const items = q.data?.items ?? [];
  const [openId, setOpenId] = useState<string | null>(null);
  const [doneText, setDoneText] = useState<string | null>(null);
  const open = items.find((a) => a.id === openId) ?? null;
  return (
    <div className="kehu-page" data-testid="tpm-review-page">
      <Typography.Title level={4}>{t('tpm.review.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('tpm.review.intro')}</Typography.Paragraph>
      {q.error && <Alert type="error" showIcon message={errorMessage(q.error)} />}
      {doneText && (
        <Alert
          type="success"
          showIcon
          message={doneText}
          closable
          onClose={() => setDoneText(null)}
          data-testid="tpm-verified"
          style={{ marginBottom: 12 }}
        />
      )}
      {!q.isLoading && items.length === 0 ? (
        <Card>
          <Empty description={t('tpm.review.empty')} />
        </Card>
      ) : (
        <Row gutter={[12, 12]}>
          <Col xs={24} md={8}>
            <Card size="small" styles={{ body: { padding: 0 } }}>
              <List
                loading={q.isLoading}
                dataSource={items}
                renderItem={(a) => (
                  <List.Item
                    onClick={() => setOpenId(a.id)}
                    style={{
                      cursor: 'pointer',
                      padding: '10px 12px',
                      background: a.id === openId ? '#e6f4ff' : undefined,
                    }}
                    data-testid="tpm-queue-item"
                  >
                    <List.Item.Meta
                      title={
                        <Space size={4} wrap>
                          {a.name}
                          {a.sampled && <Tag color="magenta">{t('tpm.activities.sampled')}</Tag>}
                        </Space>
                      }
                      description={
                        <Space size={4} wrap>
                          <span>{a.dealerName}</span>
                          <span>{yuan(a.committed, i18n.language)}</span>
                          {a.flaggedCount > 0 && (
                            <Badge
                              status="warning"
                              text={t('tpm.activities.flagged', { n: a.flaggedCount })}
                            />
                          )}
                        </Space>
                      }
                    />
                  </List.Item>
                )}
              />
            </Card>
          </Col>
          <Col xs={24} md={16}>
            {open ? (
              <VerifyPanel
                key={open.id}
                a={open}
                onDone={(amount) => {
                  setOpenId(null);
                  setDoneText(t('tpm.review.done', { amount: yuan(amount, i18n.language) }));
                }}
              />
            ) : (
              <Card>
                <Empty description={t('tpm.review.pick')} />
              </Card>
            )}
          </Col>
        </Row>
      )}
    </div>
  );
}

function VerifyPanel({ a, onDone }: { a: Activity; onDone: (amount: number) => void }) {
  const { t, i18n } = useTranslation();
  const [form] = Form.useForm();
  const [viewed, setViewed] = useState(new Set<string>());
  const m = useTpmMutation((v: { amount: number; comment?: string; proofsReviewed: boolean }) =>
    verify(a.id, { ...v, version: a.version }),
  );
  return (
    <Space direction="vertical" style={{ width: '100%' }} size={12}>
      <Typography.Title level={5} style={{ margin: 0 }}>
        {a.name}
      </Typography.Title>
      {a.sampled && <Alert type="info" showIcon message={t('tpm.review.sampledHint')} />}
      <ActivitySummary a={a} />
      <Card size="small" title={`${t('tpm.activities.proofs')} (${a.proofCount})`}>
        <ProofGallery activityId={a.id} onView={(id) => setViewed((s) => new Set(s).add(id))} />
      </Card>
      <Card size="small">
        {m.error && (
          <Alert type="error" showIcon message={errorMessage(m.error)} style={{ marginBottom: 12 }} />
        )}
        <Form
          form={form}
          layout="vertical"
          initialValues={{ amount: a.committed / 100, proofsReviewed: false }}
          onFinish={async (v) => {
            const amount = Math.round(v.amount * 100);
            await m.mutateAsync({
              amount,
              comment: v.comment || undefined,
              proofsReviewed: !!v.proofsReviewed,
            });
            onDone(amount);
          }}
        >
          <Form.Item
            name="amount"
            label={t('tpm.review.amount')}
            extra={t('tpm.review.max', { max: yuan(a.committed, i18n.language) })}
            rules={[{ required: true }]}
          >
            <InputNumber
              min={0}
              max={a.committed / 100}
              precision={2}
              style={{ width: '100%' }}
              data-testid="tpm-verify-amount"
            />
          </Form.Item>
          <Form.Item
            name="comment"
            label={t('tpm.activities.comment')}
            rules={[{ required: a.flaggedCount > 0, max: 500 }]}
          >
            <Input.TextArea rows={2} data-testid="tpm-verify-comment" />
          </Form.Item>
          <Form.Item
            name="proofsReviewed"
            valuePropName="checked"
            extra={viewed.size > 0 ? `${viewed.size} / ${a.proofCount}` : undefined}
          >
            <Checkbox data-testid="tpm-verify-reviewed">{t('tpm.review.reviewed')}</Checkbox>
          </Form.Item>
          <Button type="primary" htmlType="submit" loading={m.isPending} data-testid="tpm-verify">
            {t('tpm.review.verify')}
          </Button>
        </Form>
      </Card>
    </Space>
  );
}
