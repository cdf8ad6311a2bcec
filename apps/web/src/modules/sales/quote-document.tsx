import type { QuoteDocument } from '@kehu/contracts/sales';
import { useMutation } from '@tanstack/react-query';
import { App, Button, Card, List, Space, Tag, Typography } from 'antd';
import dayjs from 'dayjs';
import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Link } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { errorMessage } from '../../shared/ui/error-result';
import { salesApi, yuan } from './sales-api';

/**
 * The customer link of an approved quote: share (one link per revision, valid through the quote's
 * validity), copy, withdraw, and how often the customer opened it.
 */
export function QuoteSharePanel(props: {
  quoteId: string;
  doc: QuoteDocument;
  canShare: boolean;
  onChange: () => void;
  icon: ReactNode;
}) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const share = useMutation({
    mutationFn: () => salesApi.shareQuote(props.quoteId),
    onSuccess: props.onChange,
    onError: (e) => message.error(errorMessage(e)),
  });
  const revoke = useMutation({
    mutationFn: () => salesApi.revokeShare(props.quoteId),
    onSuccess: () => {
      message.success(t('sales.quoteDoc.revoked'));
      props.onChange();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const s = props.doc.share;
  const views = props.doc.views;
  if (!s)
    return props.canShare ? (
      <Space style={{ marginBottom: 12 }}>
        <Button
          icon={props.icon}
          onClick={() => share.mutate()}
          loading={share.isPending}
          data-testid="share-quote"
        >
          {t('sales.quoteDoc.share')}
        </Button>
      </Space>
    ) : null;
  const url = `${window.location.origin}${s.path}`;
  return (
    <Card
      size="small"
      title={t('sales.quoteDoc.shareTitle')}
      style={{ marginBottom: 12 }}
      data-testid="share-panel"
    >
      <Typography.Paragraph
        copyable={{ text: url }}
        style={{ wordBreak: 'break-all', marginBottom: 4 }}
        data-testid="share-link"
      >
        <a href={s.path} target="_blank" rel="noreferrer">
          {url}
        </a>
      </Typography.Paragraph>
      <Typography.Paragraph type="secondary" style={{ marginBottom: 8 }}>
        {t('sales.quoteDoc.shareHint')}
        {s.expiresOn ? ` · ${t('sales.quoteDoc.shareExpires', { date: s.expiresOn })}` : ''}
      </Typography.Paragraph>
      <Space wrap>
        <Typography.Text data-testid="share-views">
          {views.count
            ? `${t('sales.quoteDoc.views', { count: views.count })} · ${t('sales.quoteDoc.lastView', {
                time: dayjs(views.lastAt).format('YYYY-MM-DD HH:mm'),
              })}`
            : t('sales.quoteDoc.noViews')}
        </Typography.Text>
        <Button
          size="small"
          danger
          onClick={() => revoke.mutate()}
          loading={revoke.isPending}
          data-testid="revoke-share"
        >
          {t('sales.quoteDoc.revoke')}
        </Button>
      </Space>
    </Card>
  );
}

/** Every revision of the quote, newest first; the old ones stay readable. */
export function QuoteRevisions({ current, doc }: { current: string; doc: QuoteDocument }) {
  const { t } = useTranslation();
  const label = useLabel();
  const meta = useObjectMeta('quote');
  const options = normalizeOptions(meta.data?.fields.find((f) => f.apiName === 'status')?.options ?? null);
  return (
    <Card
      size="small"
      title={t('sales.quoteDoc.revisions')}
      style={{ marginBottom: 12 }}
      data-testid="quote-revisions"
    >
      <List
        size="small"
        dataSource={doc.revisions}
        renderItem={(r) => {
          const opt = options.find((o) => o.value === r.status);
          return (
            <List.Item data-testid={`revision-${r.revision}`}>
              <Space wrap>
                {r.id === current ? (
                  <Typography.Text strong>{t('sales.quoteDoc.revision', { n: r.revision })}</Typography.Text>
                ) : (
                  <Link to={`/o/quote/${r.id}`}>{t('sales.quoteDoc.revision', { n: r.revision })}</Link>
                )}
                <Tag color={opt?.color ?? 'default'}>{label(opt?.label, r.status)}</Tag>
                <span>{yuan(r.total?.amount, r.total?.currency)}</span>
                <Typography.Text type="secondary">
                  {dayjs(r.createdAt).format('YYYY-MM-DD HH:mm')}
                </Typography.Text>
                {r.id === current && <Tag>{t('sales.quoteDoc.current')}</Tag>}
              </Space>
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
