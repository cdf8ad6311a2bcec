import { InboxOutlined } from '@ant-design/icons';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Col,
  Form,
  Modal,
  Progress,
  Radio,
  Result,
  Row,
  Select,
  Space,
  Statistic,
  Steps,
  Switch,
  Table,
  Typography,
  Upload,
} from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { type ObjectMeta, useLabel } from '../app/meta';
import { API_BASE, api, http } from '../shared/api-client';
import { errorMessage } from '../shared/ui/error-result';
import { useIsMobile } from '../shared/use-is-mobile';

interface UploadResult {
  id: string;
  headers: string[];
  sample: unknown[][];
  encoding?: string;
  suggestedMapping: Record<string, string | null>;
}

interface ImportStatus {
  id: string;
  status: 'uploaded' | 'running' | 'done' | 'failed';
  totalRows: number;
  processedRows: number;
  created: number;
  updated: number;
  failed: number;
  dryRun: boolean;
  error?: string;
}

const XLSX_MIME = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

interface Props {
  open: boolean;
  onClose: () => void;
  meta: ObjectMeta;
}

export function ImportWizard({ open, onClose, meta }: Props) {
  const { t } = useTranslation();
  const label = useLabel();
  const { message } = App.useApp();
  const isMobile = useIsMobile();
  const qc = useQueryClient();
  const object = meta.apiName;
  const [step, setStep] = useState(0);
  const [uploading, setUploading] = useState(false);
  const [upload, setUpload] = useState<UploadResult | null>(null);
  const [mapping, setMapping] = useState<Record<string, string | null>>({});
  const [opts, setOpts] = useState<{ dedupeKey?: string; mode: 'create' | 'upsert'; dryRun: boolean }>({
    mode: 'create',
    dryRun: true,
  });
  const [running, setRunning] = useState<string | null>(null);
  const [starting, setStarting] = useState(false);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    if (!open) {
      setStep(0);
      setUpload(null);
      setMapping({});
      setOpts({ mode: 'create', dryRun: true });
      setRunning(null);
      setError(null);
    }
  }, [open]);

  const importable = meta.fields.filter(
    (f) =>
      f.access === 'full' &&
      ((!f.readOnly && !f.system) || f.apiName === 'ownerId' || f.apiName === 'unitId'),
  );
  const fieldOptions = importable.map((f) => ({
    value: f.apiName,
    label: `${label(f.label, f.apiName)}${f.required ? ' *' : ''}`,
  }));

  const status = useQuery({
    queryKey: ['imports', object, running],
    queryFn: () => http.get<ImportStatus>(`/records/${object}/imports/${running}`),
    enabled: !!running,
    refetchInterval: (q) => (q.state.data && ['done', 'failed'].includes(q.state.data.status) ? false : 1000),
  });
  const finished = status.data && ['done', 'failed'].includes(status.data.status);
  useEffect(() => {
    if (finished && status.data && !status.data.dryRun)
      qc.invalidateQueries({ queryKey: ['records', object] });
  }, [finished, status.data, qc, object]);

  const doUpload = async (file: File) => {
    setUploading(true);
    setError(null);
    try {
      const isXlsx = /\.xlsx$/i.test(file.name);
      const res = await api<UploadResult>(`/records/${object}/imports`, {
        method: 'POST',
        query: { filename: file.name },
        rawBody: file,
        contentType: isXlsx ? XLSX_MIME : 'text/csv',
      });
      setUpload(res);
      setMapping(Object.fromEntries(res.headers.map((h) => [h, res.suggestedMapping?.[h] ?? null])));
      setStep(1);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setUploading(false);
    }
    return false;
  };

  const mappedFields = Object.values(mapping).filter((v): v is string => !!v);
  const duplicates = mappedFields.filter((v, i) => mappedFields.indexOf(v) !== i);
  const missingRequired = importable.filter(
    (f) => f.required && f.defaultValue == null && !mappedFields.includes(f.apiName),
  );

  const start = async (dryRun: boolean) => {
    if (!upload) return;
    setStarting(true);
    setError(null);
    try {
      const cleanMapping = Object.fromEntries(Object.entries(mapping).filter(([, v]) => !!v));
      await http.post(`/records/${object}/imports/${upload.id}/start`, {
        mapping: cleanMapping,
        dedupeKey: opts.dedupeKey || undefined,
        mode: opts.mode,
        dryRun,
      });
      qc.removeQueries({ queryKey: ['imports', object, upload.id] });
      setRunning(upload.id);
      setStep(3);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setStarting(false);
    }
  };

  const mappingRows = useMemo(
    () =>
      (upload?.headers ?? []).map((h, i) => ({
        header: h,
        sample: (upload?.sample ?? [])
          .slice(0, 3)
          .map((r) => r[i])
          .filter((x) => x !== '' && x != null)
          .join(' | '),
      })),
    [upload],
  );

  const s = status.data;
  const pct = s?.totalRows
    ? Math.round((s.processedRows / s.totalRows) * 100)
    : s?.status === 'done'
      ? 100
      : 0;

  return (
    <Modal
      open={open}
      onCancel={onClose}
      title={t('import.title', { object: label(meta.label, object) })}
      width={isMobile ? '100%' : 860}
      style={isMobile ? { top: 0, maxWidth: '100vw', padding: 0 } : undefined}
      footer={null}
      destroyOnHidden
      maskClosable={false}
      data-testid="import-wizard"
    >
      <Steps
        size="small"
        current={step}
        direction={isMobile ? 'vertical' : 'horizontal'}
        style={{ marginBottom: 20 }}
        items={[
          { title: t('import.stepUpload') },
          { title: t('import.stepMapping') },
          { title: t('import.stepOptions') },
          { title: t('import.stepRun') },
        ]}
      />
      {error && (
        <Alert
          type="error"
          showIcon
          message={error}
          style={{ marginBottom: 12 }}
          closable
          onClose={() => setError(null)}
        />
      )}

      {step === 0 && (
        <Upload.Dragger
          accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
          beforeUpload={(f) => {
            void doUpload(f);
            return false;
          }}
          showUploadList={false}
          disabled={uploading}
          data-testid="import-upload"
        >
          <p className="ant-upload-drag-icon">
            <InboxOutlined />
          </p>
          <p className="ant-upload-text">{uploading ? t('import.uploading') : t('import.dropHint')}</p>
          <p className="ant-upload-hint">{t('import.formatHint')}</p>
        </Upload.Dragger>
      )}

      {step === 1 && upload && (
        <>
          <Typography.Paragraph type="secondary">
            {t('import.mappingHint', { count: upload.headers.length })}
            {upload.encoding ? ` · ${t('import.encoding')}: ${upload.encoding}` : ''}
          </Typography.Paragraph>
          <Table
            size="small"
            rowKey="header"
            pagination={false}
            scroll={{ y: 360, x: 520 }}
            dataSource={mappingRows}
            columns={[
              { title: t('import.column'), dataIndex: 'header', width: 160 },
              { title: t('import.sample'), dataIndex: 'sample', ellipsis: true },
              {
                title: t('import.field'),
                width: 220,
                render: (_, r) => (
                  <Select
                    style={{ width: '100%' }}
                    allowClear
                    showSearch
                    optionFilterProp="label"
                    value={mapping[r.header] ?? undefined}
                    placeholder={t('import.skip')}
                    status={
                      mapping[r.header] && duplicates.includes(mapping[r.header]!) ? 'error' : undefined
                    }
                    onChange={(v) => setMapping((m) => ({ ...m, [r.header]: v ?? null }))}
                    options={fieldOptions}
                    data-testid={`import-map-${r.header}`}
                  />
                ),
              },
            ]}
          />
          {missingRequired.length > 0 && (
            <Alert
              style={{ marginTop: 12 }}
              type="warning"
              showIcon
              message={t('import.missingRequired', {
                fields: missingRequired.map((f) => label(f.label, f.apiName)).join(', '),
              })}
            />
          )}
          <div style={{ display: 'flex', justifyContent: 'space-between', marginTop: 16 }}>
            <Button onClick={() => setStep(0)}>{t('common.back')}</Button>
            <Button
              type="primary"
              disabled={mappedFields.length === 0 || duplicates.length > 0}
              onClick={() => setStep(2)}
              data-testid="import-next"
            >
              {t('common.next')}
            </Button>
          </div>
        </>
      )}

      {step === 2 && upload && (
        <Form layout="vertical" onFinish={() => void start(opts.dryRun)}>
          <Form.Item label={t('import.mode')}>
            <Radio.Group
              value={opts.mode}
              onChange={(e) => setOpts((o) => ({ ...o, mode: e.target.value }))}
              data-testid="import-mode"
            >
              <Radio.Button value="create">{t('import.modeCreate')}</Radio.Button>
              <Radio.Button value="upsert">{t('import.modeUpsert')}</Radio.Button>
            </Radio.Group>
          </Form.Item>
          <Form.Item
            label={t('import.dedupeKey')}
            extra={t('import.dedupeHint')}
            required={opts.mode === 'upsert'}
            validateStatus={opts.mode === 'upsert' && !opts.dedupeKey ? 'error' : undefined}
          >
            <Select
              allowClear
              value={opts.dedupeKey}
              onChange={(v) => setOpts((o) => ({ ...o, dedupeKey: v }))}
              options={fieldOptions.filter((o) => mappedFields.includes(o.value))}
              placeholder={t('import.noDedupe')}
              data-testid="import-dedupe"
            />
          </Form.Item>
          <Form.Item label={t('import.dryRun')} extra={t('import.dryRunHint')}>
            <Switch
              checked={opts.dryRun}
              onChange={(v) => setOpts((o) => ({ ...o, dryRun: v }))}
              data-testid="import-dryrun"
            />
          </Form.Item>
          <div style={{ display: 'flex', justifyContent: 'space-between' }}>
            <Button onClick={() => setStep(1)}>{t('common.back')}</Button>
            <Button
              type="primary"
              htmlType="submit"
              loading={starting}
              disabled={opts.mode === 'upsert' && !opts.dedupeKey}
              data-testid="import-start"
            >
              {opts.dryRun ? t('import.startDryRun') : t('import.start')}
            </Button>
          </div>
        </Form>
      )}

      {step === 3 && (
        <div data-testid="import-progress">
          {!finished ? (
            <div style={{ padding: '24px 0' }}>
              <Typography.Paragraph>
                {s?.dryRun ? t('import.checking') : t('import.running')}
              </Typography.Paragraph>
              <Progress percent={pct} status="active" />
              <Typography.Text type="secondary">
                {t('import.processed', { done: s?.processedRows ?? 0, total: s?.totalRows ?? '?' })}
              </Typography.Text>
            </div>
          ) : (
            <Result
              status={s!.status === 'failed' ? 'error' : s!.failed > 0 ? 'warning' : 'success'}
              title={
                s!.status === 'failed'
                  ? t('import.failedTitle')
                  : s!.dryRun
                    ? t('import.dryRunDone')
                    : t('import.doneTitle')
              }
              subTitle={s!.error}
              extra={
                <Space direction="vertical" style={{ width: '100%' }}>
                  <Row gutter={16} justify="center">
                    <Col>
                      <Statistic title={t('import.total')} value={s!.totalRows} />
                    </Col>
                    <Col>
                      <Statistic
                        title={s!.dryRun ? t('import.wouldCreate') : t('import.created')}
                        value={s!.created}
                        valueStyle={{ color: '#389e0d' }}
                      />
                    </Col>
                    <Col>
                      <Statistic
                        title={s!.dryRun ? t('import.wouldUpdate') : t('import.updated')}
                        value={s!.updated}
                        valueStyle={{ color: '#1677ff' }}
                      />
                    </Col>
                    <Col>
                      <Statistic
                        title={t('import.failed')}
                        value={s!.failed}
                        valueStyle={{ color: s!.failed ? '#cf1322' : undefined }}
                      />
                    </Col>
                  </Row>
                  <Space wrap style={{ justifyContent: 'center', width: '100%' }}>
                    {s!.failed > 0 && (
                      <a
                        href={`${API_BASE}/records/${object}/imports/${s!.id}/errors`}
                        download={`${object}-import-errors.csv`}
                        data-testid="import-errors-link"
                      >
                        <Button>{t('import.downloadErrors')}</Button>
                      </a>
                    )}
                    {s!.dryRun && s!.status === 'done' && (
                      <Button
                        type="primary"
                        loading={starting}
                        onClick={() => void start(false)}
                        data-testid="import-run-real"
                      >
                        {t('import.runForReal')}
                      </Button>
                    )}
                    <Button
                      type={s!.dryRun ? 'default' : 'primary'}
                      onClick={() => {
                        if (!s!.dryRun)
                          message.success(t('import.doneToast', { count: s!.created + s!.updated }));
                        onClose();
                      }}
                    >
                      {t('common.close')}
                    </Button>
                  </Space>
                </Space>
              }
            />
          )}
        </div>
      )}
    </Modal>
  );
}
