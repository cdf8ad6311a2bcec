import { CopyOutlined, ExportOutlined, QrcodeOutlined } from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Col,
  Form,
  Input,
  Row,
  Select,
  Space,
  Statistic,
  Switch,
  Table,
  Typography,
} from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { errorMessage } from '../../shared/error-message';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import {
  type CardInput,
  cardKeys,
  createCode,
  saveCard,
  useMaterialChoices,
  useMyCard,
  useMyVisits,
} from './cards-api';

/** 我的名片: edit the card, create its add-me code, see visits (refreshed while open). */
export function CardPage() {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const qc = useQueryClient();
  const card = useMyCard();
  const visits = useMyVisits();
  const materials = useMaterialChoices();
  const [form] = Form.useForm<CardInput>();
  const [busy, setBusy] = useState(false);
  const updatedAt = card.data?.updatedAt;
  // Reset the form when the card was saved, not when visit figures refresh.
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the saved version only
  useEffect(() => {
    if (card.data)
      form.setFieldsValue({
        title: card.data.title,
        photoUrl: card.data.photoUrl,
        bio: card.data.bio,
        showPhone: card.data.showPhone,
        featuredMaterialIds: card.data.featured.map((f) => f.materialId),
      });
  }, [updatedAt, form]);
  if (card.isLoading) return <PageSkeleton />;
  if (card.error || !card.data) return <ErrorResult error={card.error} onRetry={() => card.refetch()} />;
  const c = card.data;
  const save = async (v: CardInput) => {
    setBusy(true);
    try {
      const body = { ...v, title: v.title || null, photoUrl: v.photoUrl || null, bio: v.bio || null };
      qc.setQueryData(cardKeys.me, await saveCard(body));
      message.success(t('cards.saved'));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const makeCode = async () => {
    setBusy(true);
    try {
      qc.setQueryData(cardKeys.me, await createCode());
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const stats = [
    ['views', c.visits.views],
    ['visitors', c.visits.visitors],
    ['today', c.visits.today],
    ['added', c.visits.added],
  ] as const;
  return (
    <div className="kehu-page" data-testid="card-editor">
      <div className="kehu-page-header">
        <Typography.Title level={4} style={{ margin: 0 }}>
          {t('cards.title')}
        </Typography.Title>
        <Space wrap>
          <Button icon={<ExportOutlined />} href={c.url} target="_blank" data-testid="card-open">
            {t('cards.open')}
          </Button>
          <Button
            icon={<CopyOutlined />}
            onClick={() =>
              navigator.clipboard?.writeText(c.url).then(() => message.success(t('cards.copied')))
            }
          >
            {t('cards.copy')}
          </Button>
        </Space>
      </div>
      <Typography.Paragraph type="secondary">{t('cards.intro')}</Typography.Paragraph>
      <Row gutter={[12, 12]} style={{ marginBottom: 12 }}>
        {stats.map(([k, v]) => (
          <Col key={k} xs={12} md={6}>
            <Card size="small">
              <Statistic title={t(`cards.stats.${k}`)} value={v} data-testid={`card-stat-${k}`} />
            </Card>
          </Col>
        ))}
      </Row>
      <Row gutter={[12, 12]}>
        <Col xs={24} lg={14}>
          <Card size="small">
            <Form form={form} layout="vertical" onFinish={save} disabled={busy}>
              <Form.Item name="title" label={t('cards.form.title')}>
                <Input maxLength={60} placeholder={t('cards.form.titlePh')} />
              </Form.Item>
              <Form.Item
                name="photoUrl"
                label={t('cards.form.photoUrl')}
                rules={[{ pattern: /^https:\/\/\S+$/, message: 'https://…' }]}
              >
                <Input maxLength={1000} inputMode="url" />
              </Form.Item>
              <Form.Item name="bio" label={t('cards.form.bio')}>
                <Input.TextArea maxLength={300} showCount autoSize={{ minRows: 2, maxRows: 5 }} />
              </Form.Item>
              <Form.Item name="showPhone" label={t('cards.form.showPhone')} valuePropName="checked">
                <Switch data-testid="card-show-phone" />
              </Form.Item>
              <Form.Item name="featuredMaterialIds" label={t('cards.form.featured')}>
                <Select
                  mode="multiple"
                  maxCount={6}
                  loading={materials.isLoading}
                  optionFilterProp="label"
                  options={(materials.data?.items ?? []).map((m) => ({ value: m.id, label: m.title }))}
                />
              </Form.Item>
              <Button type="primary" htmlType="submit" loading={busy} data-testid="card-save">
                {t('cards.form.save')}
              </Button>
            </Form>
          </Card>
        </Col>
        <Col xs={24} lg={10}>
          <Card size="small" title={t('cards.code.title')} style={{ marginBottom: 12 }}>
            {c.code?.ready ? (
              <Alert type="success" showIcon message={t('cards.code.ready')} data-testid="card-code-ready" />
            ) : (
              <Space direction="vertical">
                <Typography.Text type="secondary">{t('cards.code.none')}</Typography.Text>
                <Button
                  icon={<QrcodeOutlined />}
                  onClick={makeCode}
                  loading={busy}
                  data-testid="card-code-create"
                >
                  {t('cards.code.create')}
                </Button>
              </Space>
            )}
          </Card>
          <Card
            size="small"
            title={t('cards.visits.title')}
            styles={{ body: { padding: 0, overflowX: 'auto' } }}
          >
            {visits.error ? (
              <ErrorResult error={visits.error} onRetry={() => visits.refetch()} />
            ) : (
              <Table
                size="small"
                rowKey="visitor"
                loading={visits.isLoading}
                pagination={false}
                dataSource={visits.data?.items ?? []}
                locale={{ emptyText: t('cards.visits.empty') }}
                data-testid="card-visits"
                columns={[
                  { title: t('cards.visits.visitor'), dataIndex: 'visitor' },
                  { title: t('cards.visits.views'), dataIndex: 'views' },
                  {
                    title: t('cards.visits.lastAt'),
                    dataIndex: 'lastAt',
                    render: (v: string) => new Date(v).toLocaleString(),
                  },
                  {
                    title: t('cards.visits.added'),
                    dataIndex: 'added',
                    render: (v: boolean) => t(v ? 'cards.visits.yes' : 'cards.visits.no'),
                  },
                ]}
              />
            )}
          </Card>
        </Col>
      </Row>
    </div>
  );
}
