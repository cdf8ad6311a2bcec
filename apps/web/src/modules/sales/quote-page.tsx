import {
  ArrowLeftOutlined,
  EditOutlined,
  FilePdfOutlined,
  PlusOutlined,
  SaveOutlined,
  SendOutlined,
  ShareAltOutlined,
} from '@ant-design/icons';
import { useMutation, useQuery } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  DatePicker,
  Descriptions,
  Input,
  Skeleton,
  Space,
  Tag,
  Tooltip,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Link, useNavigate, useParams } from 'react-router';
import { normalizeOptions, useLabel, useObjectMeta } from '../../app/meta';
import { useSession } from '../../app/session';
import { recordApi } from '../../records/record-api';
import { RecordTimeline } from '../../records/timeline';
import { errorMessage, PageError } from '../../shared/ui/error-result';
import { useIsMobile } from '../../shared/use-is-mobile';
import { ApprovalHistory } from './approval-history';
import { QuoteRevisions, QuoteSharePanel } from './quote-document';
import { QuoteLines } from './quote-lines';
import { type QuoteLine, salesApi, type Totals, yuan } from './sales-api';
import { salesKeys } from './sales-keys';

// An approved quote is locked: a change is a new revision (POST /quotes/:id/revisions).
const EDITABLE = new Set(['draft', 'rejected']);
const emptyLine = (): QuoteLine => ({
  productId: null,
  productName: '',
  quantity: 1,
  unitPrice: NaN,
  discountPercent: 0,
  taxRate: 13,
});

/**
 * Quote builder and document (R4.3, issue 9 §4): lines priced by the server, live totals, submit
 * for approval; once approved the quote is locked (a change makes a new revision), printed as a
 * PDF, shared with the customer by link, and turned into a contract.
 */
export function QuotePage() {
  const { id } = useParams();
  // A revision is another quote: a fresh editor per id, not the previous revision's draft state.
  return <QuoteView key={id} id={id!} />;
}

function QuoteView({ id }: { id: string }) {
  const { t } = useTranslation();
  const label = useLabel();
  const navigate = useNavigate();
  const isMobile = useIsMobile();
  const { can } = useSession();
  const { message } = App.useApp();
  const meta = useObjectMeta('quote');
  const data = useQuery({ queryKey: salesKeys.quote(id), queryFn: () => salesApi.quoteLines(id) });
  const doc = useQuery({ queryKey: salesKeys.quoteDocument(id), queryFn: () => salesApi.quoteDocument(id) });
  const [revising, setRevising] = useState(false);
  const [validUntil, setValidUntil] = useState<string | null | undefined>(undefined);
  const [notes, setNotes] = useState<string | null | undefined>(undefined);
  const products = useQuery({
    queryKey: ['records', 'product', 'all'],
    queryFn: () =>
      recordApi.list('product', {
        filter: { field: 'isActive', op: 'eq', value: true },
        limit: 200,
        sort: 'name',
      }),
    enabled: can('product:read'),
  });
  const [lines, setLines] = useState<QuoteLine[] | null>(null);
  const [live, setLive] = useState<{ lines: QuoteLine[]; totals: Totals; approval: any } | null>(null);
  const [calcError, setCalcError] = useState<string | null>(null);
  useEffect(() => {
    if (data.data && lines === null) setLines(data.data.lines.length ? data.data.lines : [emptyLine()]);
  }, [data.data, lines]);
  const currency = String(data.data?.quote.currency ?? 'CNY');
  // Live totals: the server prices and rounds (the client never does money arithmetic).
  const key = JSON.stringify(lines);
  // biome-ignore lint/correctness/useExhaustiveDependencies: keyed on the serialised lines, not their identity
  useEffect(() => {
    if (!lines) return;
    const ready = lines.filter((l) => (l.productId || l.productName) && l.quantity > 0);
    if (ready.length === 0) {
      setLive(null);
      return;
    }
    const h = setTimeout(() => {
      salesApi
        .calculate(currency, ready)
        .then((r) => {
          setLive(r);
          setCalcError(null);
        })
        .catch((e) => setCalcError(errorMessage(e)));
    }, 250);
    return () => clearTimeout(h);
  }, [key, currency]);
  const save = useMutation({
    mutationFn: () =>
      salesApi.saveLines(
        id,
        (lines ?? []).filter((l) => l.productId || l.productName),
      ),
    onSuccess: (r) => {
      message.success(t('sales.common.saved'));
      setLines(r.lines);
      data.refetch();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const submit = useMutation({
    mutationFn: async () => {
      await salesApi.saveLines(
        id,
        (lines ?? []).filter((l) => l.productId || l.productName),
      );
      return salesApi.submitQuote(id);
    },
    onSuccess: (r) => {
      message.success(r.approval ? t('sales.quote.submitted') : t('sales.quote.autoApproved'));
      data.refetch();
      history.refetch();
      doc.refetch();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const contract = useMutation({
    mutationFn: () => salesApi.quoteToContract(id),
    onSuccess: (c) => navigate(`/o/contract/${c.id}`),
    onError: (e) => message.error(errorMessage(e)),
  });
  const revise = useMutation({
    mutationFn: () =>
      salesApi.reviseQuote(id, {
        lines: (lines ?? []).filter((l) => l.productId || l.productName),
        ...(validUntil !== undefined ? { validUntil } : {}),
        ...(notes !== undefined ? { notes } : {}),
      }),
    onSuccess: (r) => {
      const n = Number(r.quote.revision);
      message.success(
        t(r.approvalRerun ? 'sales.quoteDoc.revisedRerun' : 'sales.quoteDoc.revisedApproved', { n }),
      );
      navigate(`/o/quote/${r.quote.id}`);
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const setValidity = useMutation({
    mutationFn: (date: string | null) =>
      recordApi.update('quote', id, { version: data.data?.quote.version, validUntil: date }),
    onSuccess: () => {
      data.refetch();
      doc.refetch();
    },
    onError: (e) => message.error(errorMessage(e)),
  });
  const history = useQuery({
    queryKey: salesKeys.approvals.ofQuote(id),
    queryFn: () => salesApi.approvalHistory('quote', id),
  });
  const productOptions = useMemo(
    () => (products.data?.items ?? []).map((p) => ({ value: p.id, label: String(p.name) })),
    [products.data],
  );

  if (data.error)
    return (
      <div className="kehu-page">
        <PageError error={data.error} onRetry={() => data.refetch()} />
      </div>
    );
  if (data.isPending || !lines || meta.isPending || doc.isPending)
    return (
      <div className="kehu-page">
        <Skeleton active />
      </div>
    );
  const q = data.data.quote;
  const status = String(q.status);
  const statusOpt = normalizeOptions(
    meta.data?.fields.find((f) => f.apiName === 'status')?.options ?? null,
  ).find((o) => o.value === status);
  const editable = (EDITABLE.has(status) || revising) && can('quote:update');
  const d = doc.data;
  const expired = d?.expired ?? false;
  const latest = d?.revisions[0];
  const cancelRevise = () => {
    setRevising(false);
    setLines(data.data.lines);
    setValidUntil(undefined);
    setNotes(undefined);
  };
  const datePicker = (value: string | null | undefined, onChange: (v: string | null) => void) => (
    <DatePicker
      size="small"
      value={value ? dayjs(value) : null}
      onChange={(v) => onChange(v ? v.format('YYYY-MM-DD') : null)}
      allowClear={false}
      data-testid="quote-valid-until"
    />
  );
  const set = (i: number, patch: Partial<QuoteLine>) =>
    setLines(lines.map((l, n) => (n === i ? { ...l, ...patch } : l)));
  const liveLine = (i: number) => {
    const ready = lines.filter((l) => (l.productId || l.productName) && l.quantity > 0);
    const idx = ready.indexOf(lines[i]!);
    return idx >= 0 ? live?.lines[idx] : undefined;
  };
  const totals: Totals = live?.totals ?? {
    subtotal: (q.subtotal as any)?.amount ?? 0,
    discountTotal: (q.discountTotal as any)?.amount ?? 0,
    taxTotal: (q.taxTotal as any)?.amount ?? 0,
    total: (q.total as any)?.amount ?? 0,
    discountPercent: Number(q.discountPercent ?? 0),
  };

  return (
    <div className="kehu-page" data-testid="quote-page">
      <Space style={{ marginBottom: 8 }} wrap>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)} aria-label="back" />
        <Typography.Title level={4} style={{ margin: 0 }}>
          {String(q.name)}
        </Typography.Title>
        <Tag color="geekblue" data-testid="quote-revision">
          {t('sales.quoteDoc.revision', { n: d?.revision ?? 1 })}
        </Tag>
        <Tag color={statusOpt?.color ?? 'default'} data-testid="quote-status">
          {label(statusOpt?.label, status)}
        </Tag>
        {expired && (
          <Tag color="red" data-testid="quote-expired">
            {t('sales.quoteDoc.expired')}
          </Tag>
        )}
      </Space>
      <Descriptions size="small" column={isMobile ? 1 : 3} style={{ marginBottom: 12 }}>
        <Descriptions.Item label={t('sales.common.customer')}>
          <Link to={`/o/customer/${q.customerId}`}>{q._display?.customerId ?? String(q.customerId)}</Link>
        </Descriptions.Item>
        {q.opportunityId ? (
          <Descriptions.Item label={t('sales.common.opportunity')}>
            <Link to={`/o/opportunity/${q.opportunityId}`}>
              {q._display?.opportunityId ?? String(q.opportunityId)}
            </Link>
          </Descriptions.Item>
        ) : null}
        <Descriptions.Item label={t('sales.quote.validUntil')}>
          {revising
            ? datePicker(
                validUntil === undefined ? (q.validUntil as string | null) : validUntil,
                setValidUntil,
              )
            : status === 'draft' && can('quote:update')
              ? datePicker(q.validUntil as string | null, (v) => setValidity.mutate(v))
              : String(q.validUntil ?? '—')}
        </Descriptions.Item>
        <Descriptions.Item label={t('sales.quoteDoc.notes')}>
          {revising ? (
            <Input.TextArea
              autoSize
              style={{ minWidth: 220 }}
              value={notes === undefined ? String(q.notes ?? '') : (notes ?? '')}
              onChange={(e) => setNotes(e.target.value || null)}
              data-testid="quote-notes"
            />
          ) : (
            String(q.notes ?? '—')
          )}
        </Descriptions.Item>
      </Descriptions>
      {status === 'superseded' && latest && latest.id !== id && (
        <Alert
          type="warning"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="quote-superseded"
          message={t('sales.quoteDoc.superseded', { n: latest.revision })}
          action={
            <Button size="small" onClick={() => navigate(`/o/quote/${latest.id}`)}>
              {t('sales.quoteDoc.openLatest')}
            </Button>
          }
        />
      )}
      {status === 'approved' && !revising && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 12 }}
          data-testid="quote-locked"
          message={t('sales.quoteDoc.lockedApproved')}
        />
      )}
      {revising && (
        <Alert
          type="info"
          showIcon
          style={{ marginBottom: 12 }}
          message={t('sales.quoteDoc.reviseHint', { n: d?.revision ?? 1 })}
        />
      )}
      {status === 'pending_approval' && (
        <Alert type="warning" showIcon message={t('sales.quote.locked')} style={{ marginBottom: 12 }} />
      )}
      {calcError && <Alert type="error" showIcon message={calcError} style={{ marginBottom: 12 }} />}
      <Card size="small" title={t('sales.quote.lines')} style={{ marginBottom: 12 }}>
        <QuoteLines
          lines={lines}
          editable={editable}
          currency={currency}
          productOptions={productOptions}
          priced={liveLine}
          onChange={set}
          onRemove={(i) => setLines(lines.filter((_x, n) => n !== i))}
        />
        {editable && (
          <Button
            icon={<PlusOutlined />}
            type="dashed"
            block
            style={{ marginTop: 8 }}
            onClick={() => setLines([...lines, emptyLine()])}
            data-testid="add-line"
          >
            {t('sales.quote.addLine')}
          </Button>
        )}
      </Card>
      <Card size="small" style={{ marginBottom: 12 }} data-testid="quote-totals">
        <Descriptions size="small" column={isMobile ? 1 : 5}>
          <Descriptions.Item label={t('sales.quote.subtotal')}>
            {yuan(totals.subtotal, currency)}
          </Descriptions.Item>
          <Descriptions.Item label={t('sales.quote.discountTotal')}>
            {yuan(totals.discountTotal, currency)}
          </Descriptions.Item>
          <Descriptions.Item label={t('sales.quote.taxTotal')}>
            {yuan(totals.taxTotal, currency)}
          </Descriptions.Item>
          <Descriptions.Item label={t('sales.quote.total')}>
            <Typography.Text strong data-testid="quote-total">
              {yuan(totals.total, currency)}
            </Typography.Text>
          </Descriptions.Item>
          <Descriptions.Item label={t('sales.quote.discountPercent')}>
            {totals.discountPercent}%
          </Descriptions.Item>
        </Descriptions>
        {live?.approval?.required && status !== 'pending_approval' && (
          <Alert
            type="info"
            showIcon
            style={{ marginTop: 8 }}
            data-testid="approval-needed"
            message={t('sales.quote.needsApproval', {
              steps: (live.approval.steps ?? []).map((s: any) => label(s)).join(' → '),
            })}
          />
        )}
      </Card>
      <Space wrap style={{ marginBottom: 12 }}>
        {status === 'approved' && !revising && !expired && (
          // The next step after approval, offered to everyone who sees the quote; a role that may
          // not create contracts sees why instead of no button.
          <Tooltip title={can('contract:create') ? undefined : t('sales.quoteDoc.contractNeedsRight')}>
            <Button
              type="primary"
              disabled={!can('contract:create')}
              onClick={() => contract.mutate()}
              loading={contract.isPending}
              data-testid="to-contract"
            >
              {t('sales.quote.toContract')}
            </Button>
          </Tooltip>
        )}
        {status === 'approved' && !revising && !expired && !can('contract:create') && (
          <Typography.Text type="secondary" data-testid="to-contract-why">
            {t('sales.quoteDoc.contractNeedsRight')}
          </Typography.Text>
        )}
        {status === 'approved' && !revising && can('quote:update') && (
          <Button
            type={expired ? 'primary' : 'default'}
            icon={<EditOutlined />}
            onClick={() => setRevising(true)}
            data-testid="revise-quote"
          >
            {t('sales.quoteDoc.revise')}
          </Button>
        )}
        {revising && (
          <>
            <Button
              type="primary"
              icon={<SaveOutlined />}
              onClick={() => revise.mutate()}
              loading={revise.isPending}
              data-testid="revise-save"
            >
              {t('sales.quoteDoc.reviseSave')}
            </Button>
            <Button onClick={cancelRevise} data-testid="revise-cancel">
              {t('sales.quoteDoc.reviseCancel')}
            </Button>
          </>
        )}
        {editable && !revising && (
          <Button
            icon={<SaveOutlined />}
            onClick={() => save.mutate()}
            loading={save.isPending}
            data-testid="save-lines"
          >
            {t('sales.common.save')}
          </Button>
        )}
        {editable && !revising && status === 'draft' && (
          <Button
            type="primary"
            icon={<SendOutlined />}
            onClick={() => submit.mutate()}
            loading={submit.isPending}
            data-testid="submit-quote"
          >
            {t('sales.quote.submit')}
          </Button>
        )}
        {!revising && (
          <Button icon={<FilePdfOutlined />} href={salesApi.quotePdfUrl(id)} download data-testid="quote-pdf">
            {t('sales.quoteDoc.pdf')}
          </Button>
        )}
      </Space>
      {d && (status === 'approved' || status === 'accepted') && !revising && (
        <QuoteSharePanel
          quoteId={id}
          doc={d}
          canShare={can('quote:update') && !expired}
          onChange={() => doc.refetch()}
          icon={<ShareAltOutlined />}
        />
      )}
      {d && d.revisions.length > 1 && <QuoteRevisions current={id} doc={d} />}
      <ApprovalHistory items={history.data ?? []} />
      {meta.data && (
        <Card size="small" title={t('sales.quoteDoc.activity')} style={{ marginTop: 12 }}>
          <RecordTimeline meta={meta.data} id={id} />
        </Card>
      )}
    </div>
  );
}
