import {
  ArrowLeftOutlined,
  CameraOutlined,
  CheckCircleOutlined,
  DeleteOutlined,
  EnvironmentOutlined,
  FileTextOutlined,
  PhoneOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  App,
  Button,
  Card,
  Form,
  Image,
  Input,
  InputNumber,
  Result,
  Space,
  Tag,
  Typography,
} from 'antd';
import dayjs from 'dayjs';
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { ErrorResult, errorMessage } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import {
  checkIn,
  complete,
  fieldErrorsOf,
  fsKeys,
  navLinks,
  photoUrl,
  reportUrl,
  uploadPhoto,
  useJob,
  type WorkOrder,
} from './field-service-api';
import { STATUS_COLOR } from './jobs-page';
import { SignaturePad } from './signature-pad';

const J = 'fieldService.jobs';

function locate(): Promise<{ lat: number; lng: number }> {
  return new Promise((resolve, reject) => {
    if (!navigator.geolocation) return reject(new Error('no geolocation'));
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lat: p.coords.latitude, lng: p.coords.longitude }),
      reject,
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 60_000 },
    );
  });
}

/** One job on the technician's phone: navigate, check in with GPS, photos, parts, signature, complete. */
export function JobPage() {
  const { t } = useTranslation();
  const { id } = useParams<{ id: string }>();
  const nav = useNavigate();
  const job = useJob(id!);
  const qc = useQueryClient();
  const set = (w: WorkOrder) => {
    qc.setQueryData(fsKeys.job(w.id), w);
    void qc.invalidateQueries({ queryKey: ['field-service', 'my-jobs'] });
  };
  if (job.isLoading) return <PageSkeleton />;
  if (job.error || !job.data) return <ErrorResult error={job.error} onRetry={() => job.refetch()} page />;
  const w = job.data;
  const links = navLinks(w);
  return (
    <div className="kehu-page" data-testid="fs-job" style={{ maxWidth: 640 }}>
      <Button
        type="link"
        icon={<ArrowLeftOutlined />}
        onClick={() => nav('/field-service/jobs')}
        style={{ paddingLeft: 0 }}
      >
        {t(`${J}.back`)}
      </Button>
      <Card size="small" style={{ marginBottom: 12 }}>
        <Space direction="vertical" size={4} style={{ width: '100%' }}>
          <Space wrap>
            <Typography.Title level={5} style={{ margin: 0 }}>
              {w.subject ?? w.number}
            </Typography.Title>
            <Tag color={STATUS_COLOR[w.status]} data-testid="fs-job-status">
              {t(`fieldService.status.${w.status}`)}
            </Tag>
          </Space>
          <Typography.Text type="secondary">
            {w.number} · {dayjs(w.startsAt).format('MM-DD HH:mm')}–{dayjs(w.endsAt).format('HH:mm')} ·{' '}
            {w.skill}
          </Typography.Text>
          <Typography.Text>
            <EnvironmentOutlined /> {w.address}
          </Typography.Text>
          <Space wrap>
            <Button
              href={links.amap}
              target="_blank"
              rel="noopener noreferrer"
              icon={<EnvironmentOutlined />}
            >
              {t(`${J}.amap`)}
            </Button>
            <Button href={links.baidu} target="_blank" rel="noopener noreferrer">
              {t(`${J}.baidu`)}
            </Button>
            {w.customerPhone && (
              <Button href={`tel:${w.customerPhone}`} icon={<PhoneOutlined />}>
                {w.customerName ?? t(`${J}.call`)}
              </Button>
            )}
          </Space>
        </Space>
      </Card>
      {w.status === 'scheduled' && <CheckIn w={w} onDone={set} />}
      {w.status === 'checked_in' && (
        <>
          {w.checkInDistanceM !== null && (
            <Alert
              type={w.checkInDistanceM > 500 ? 'warning' : 'success'}
              showIcon
              style={{ marginBottom: 12 }}
              message={t(`${J}.checkedIn`, { m: w.checkInDistanceM })}
            />
          )}
          <Photos w={w} onDone={set} />
          <Completion w={w} onDone={set} />
        </>
      )}
      {w.status === 'completed' && (
        <Result
          status="success"
          icon={<CheckCircleOutlined />}
          title={<span data-testid="fs-job-completed">{t(`${J}.completed`)}</span>}
          subTitle={t(w.ticketClosed ? `${J}.ticketClosed` : `${J}.ticketOpen`)}
          extra={
            <Button
              href={reportUrl(w.id)}
              target="_blank"
              icon={<FileTextOutlined />}
              data-testid="fs-report-link"
            >
              {t(`${J}.report`)}
            </Button>
          }
        />
      )}
    </div>
  );
}

function CheckIn({ w, onDone }: { w: WorkOrder; onDone: (w: WorkOrder) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [busy, setBusy] = useState(false);
  const go = async () => {
    setBusy(true);
    try {
      const at = await locate().catch(() => {
        throw new Error(t(`${J}.noGps`));
      });
      onDone(await checkIn(w.id, { ...at, version: w.version }));
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Button
      type="primary"
      size="large"
      block
      loading={busy}
      onClick={go}
      icon={<EnvironmentOutlined />}
      data-testid="fs-check-in"
    >
      {busy ? t(`${J}.locating`) : t(`${J}.checkIn`)}
    </Button>
  );
}

function Photos({ w, onDone }: { w: WorkOrder; onDone: (w: WorkOrder) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const pick = async (files: FileList | null) => {
    if (!files?.length) return;
    setBusy(true);
    try {
      let last: WorkOrder | null = null;
      for (const f of Array.from(files)) last = await uploadPhoto(w.id, f);
      if (last) onDone(last);
    } catch (e) {
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };
  return (
    <Card size="small" title={t(`${J}.photos`)} style={{ marginBottom: 12 }}>
      <Image.PreviewGroup>
        <Space wrap>
          {w.photos.map((p) => (
            <Image
              key={p}
              src={photoUrl(w.id, p)}
              width={88}
              height={88}
              style={{ objectFit: 'cover', borderRadius: 6 }}
            />
          ))}
        </Space>
      </Image.PreviewGroup>
      <input
        ref={input}
        type="file"
        accept="image/*"
        capture="environment"
        multiple
        hidden
        data-testid="fs-photo-input"
        onChange={(e) => pick(e.target.files)}
      />
      <div style={{ marginTop: 8 }}>
        <Button icon={<CameraOutlined />} loading={busy} onClick={() => input.current?.click()}>
          {busy ? t(`${J}.uploading`) : t(`${J}.addPhoto`)}
        </Button>
      </div>
    </Card>
  );
}

function Completion({ w, onDone }: { w: WorkOrder; onDone: (w: WorkOrder) => void }) {
  const { t } = useTranslation();
  const { message } = App.useApp();
  const [form] = Form.useForm();
  const [signature, setSignature] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (v: { parts?: { name: string; qty: number }[]; notes?: string; signedBy: string }) => {
    if (!signature) {
      message.warning(t(`${J}.needSignature`));
      return;
    }
    setBusy(true);
    try {
      const at = await locate().catch(() => null);
      onDone(
        await complete(w.id, {
          ...(at ?? {}),
          parts: (v.parts ?? []).filter((p) => p?.name),
          notes: v.notes || undefined,
          signature,
          signedBy: v.signedBy,
          version: w.version,
        }),
      );
    } catch (e) {
      form.setFields(fieldErrorsOf(e));
      message.error(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card size="small">
      <Form
        form={form}
        layout="vertical"
        onFinish={submit}
        initialValues={{ parts: [], signedBy: w.customerName ?? '' }}
      >
        <Typography.Text strong>{t(`${J}.parts`)}</Typography.Text>
        <Form.List name="parts">
          {(fields, { add, remove }) => (
            <>
              {fields.map((f) => (
                <Space key={f.key} align="baseline" style={{ display: 'flex' }}>
                  <Form.Item
                    name={[f.name, 'name']}
                    rules={[{ required: true, max: 40 }]}
                    style={{ flex: 1 }}
                  >
                    <Input placeholder={t(`${J}.partName`)} aria-label={t(`${J}.partName`)} />
                  </Form.Item>
                  <Form.Item name={[f.name, 'qty']} initialValue={1} rules={[{ required: true }]}>
                    <InputNumber min={1} max={999} style={{ width: 72 }} aria-label={t(`${J}.qty`)} />
                  </Form.Item>
                  <Button
                    type="text"
                    icon={<DeleteOutlined />}
                    onClick={() => remove(f.name)}
                    aria-label="remove"
                  />
                </Space>
              ))}
              <Button
                type="dashed"
                block
                icon={<PlusOutlined />}
                onClick={() => add({ qty: 1 })}
                style={{ marginBottom: 12 }}
              >
                {t(`${J}.addPart`)}
              </Button>
            </>
          )}
        </Form.List>
        <Form.Item name="notes" label={t(`${J}.notes`)} rules={[{ max: 2000 }]}>
          <Input.TextArea rows={3} data-testid="fs-notes" />
        </Form.Item>
        <Form.Item label={t(`${J}.signature`)} required>
          <SignaturePad onChange={setSignature} />
        </Form.Item>
        <Form.Item name="signedBy" label={t(`${J}.signedBy`)} rules={[{ required: true, max: 40 }]}>
          <Input data-testid="fs-signed-by" />
        </Form.Item>
        <Button type="primary" size="large" block htmlType="submit" loading={busy} data-testid="fs-complete">
          {t(`${J}.complete`)}
        </Button>
      </Form>
    </Card>
  );
}
