import {
  AimOutlined,
  CameraOutlined,
  CheckCircleOutlined,
  CloudSyncOutlined,
  DisconnectOutlined,
  EnvironmentOutlined,
  LeftOutlined,
  LogoutOutlined,
  MinusCircleOutlined,
  PlusOutlined,
} from '@ant-design/icons';
import { useQueryClient } from '@tanstack/react-query';
import {
  Alert,
  Badge,
  Button,
  Card,
  Checkbox,
  Empty,
  Image,
  Input,
  InputNumber,
  List,
  Select,
  Space,
  Tag,
  Typography,
} from 'antd';
import { useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../../shared/api-client';
import { formatMoney } from '../../shared/format';
import { ErrorResult } from '../../shared/ui/error-result';
import { PageSkeleton } from '../../shared/ui/page-skeleton';
import {
  fslKeys,
  metres,
  photoUrl,
  todayStr,
  useMyVisits,
  useVisitCatalogue,
  useVisitTasks,
  type Visit,
  type VisitTaskT,
} from './field-sales-api';
import { clearRejected, enqueue, type QueuedAction, useQueue } from './offline-queue';

export const STATUS_COLOR: Record<string, string> = { planned: 'blue', in_progress: 'orange', done: 'green' };

type Item = { name: string; qty?: number | null; price?: number | null; brand?: string | null };

/** The server's visit with the actions still waiting in the queue applied (what the rep did offline). */
type Pending = { pendingPhotos: Blob[]; pendingTasks: string[]; pendingOrders: number };
function withPending(v: Visit, pending: QueuedAction[]): Visit & Pending {
  const mine = pending.filter((a) => a.visitId === v.id);
  let out: Visit & Pending = {
    ...v,
    results: { ...v.results },
    pendingPhotos: [],
    pendingTasks: [],
    pendingOrders: 0,
  };
  for (const a of mine) {
    if (a.kind === 'check-in' && out.status === 'planned') {
      const b = a.body as { reason?: string };
      out = { ...out, status: 'in_progress', checkInAt: a.createdAt, flagged: !!b.reason };
    } else if (a.kind === 'step') {
      const b = a.body as { step: string; items: Item[]; note?: string };
      out.results[b.step] = { items: b.items, note: b.note ?? null, at: a.createdAt };
    } else if (a.kind === 'photo' && a.blob) out.pendingPhotos.push(a.blob);
    else if (a.kind === 'check-out') out = { ...out, status: 'done', checkOutAt: a.createdAt };
    else if (a.kind === 'task') out.pendingTasks.push((a.body as { targetId: string }).targetId);
    else if (a.kind === 'order') out.pendingOrders += 1;
  }
  return out;
}

/**
 * The rep's day on a phone (390 px first): today's route, then one visit at a time — check in
 * (geofence), the steps of the visit type, check out. Works without network: actions queue on the
 * phone and sync when it is back.
 */
export function TodayPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const day = todayStr();
  const visits = useMyVisits(day);
  const queue = useQueue(
    () => qc.invalidateQueries({ queryKey: fslKeys.myVisits(day) }),
    (body) => {
      const v = body as Visit | null;
      if (!v?.id || v.day !== day) return;
      qc.setQueryData<{ items: Visit[] }>(fslKeys.myVisits(day), (old) =>
        old
          ? {
              items: old.items.some((x) => x.id === v.id)
                ? old.items.map((x) => (x.id === v.id ? v : x))
                : [...old.items, v],
            }
          : old,
      );
    },
  );
  const [openId, setOpenId] = useState<string | null>(null);
  const items = useMemo(
    () => (visits.data?.items ?? []).map((v) => withPending(v, queue.pending)),
    [visits.data, queue.pending],
  );
  const open = items.find((v) => v.id === openId);

  const banner = (
    <Space wrap style={{ marginBottom: 12 }} data-testid="fsl-sync">
      {queue.online ? (
        <Tag icon={<CloudSyncOutlined />} color="green">
          {t('fieldSales.today.online')}
        </Tag>
      ) : (
        <Tag icon={<DisconnectOutlined />} color="red" data-testid="fsl-offline">
          {t('fieldSales.today.offline')}
        </Tag>
      )}
      {queue.pending.length > 0 && (
        <span data-testid="fsl-pending">
          <Badge count={queue.pending.length}>
            <Tag>{t('fieldSales.today.pending')}</Tag>
          </Badge>
        </span>
      )}
      {queue.rejected.map((r) => (
        <Alert
          key={`${r.action.seq}`}
          type="error"
          showIcon
          closable
          onClose={clearRejected}
          message={t('fieldSales.today.rejected', { msg: r.message })}
        />
      ))}
    </Space>
  );

  return (
    <div className="kehu-page" data-testid="fsl-today" style={{ maxWidth: 640 }}>
      {open ? (
        <VisitPanel visit={open} onBack={() => setOpenId(null)} banner={banner} />
      ) : (
        <>
          <Typography.Title level={4}>{t('fieldSales.today.title')}</Typography.Title>
          {banner}
          {visits.isLoading ? (
            <PageSkeleton />
          ) : visits.error && !visits.data ? (
            <ErrorResult error={visits.error} onRetry={() => visits.refetch()} />
          ) : !items.length ? (
            <Empty description={t('fieldSales.today.empty')} style={{ padding: 32 }} />
          ) : (
            <List
              dataSource={items}
              renderItem={(v, i) => (
                <Card
                  size="small"
                  hoverable
                  style={{ marginBottom: 12 }}
                  onClick={() => setOpenId(v.id)}
                  onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setOpenId(v.id)}
                  tabIndex={0}
                  role="button"
                  data-testid="fsl-visit-card"
                >
                  <Space direction="vertical" size={2} style={{ width: '100%' }}>
                    <Typography.Text strong>
                      {i + 1}. {v.storeName}
                      {v.tier && (
                        <Tag style={{ marginLeft: 8 }}>{t('fieldSales.tier', { tier: v.tier })}</Tag>
                      )}
                    </Typography.Text>
                    {v.storeAddress && (
                      <Typography.Text type="secondary">
                        <EnvironmentOutlined /> {v.storeAddress}
                      </Typography.Text>
                    )}
                    <Space wrap>
                      <Tag color={STATUS_COLOR[v.status]}>{t(`fieldSales.status.${v.status}`)}</Tag>
                      <Tag>{t(`fieldSales.type.${v.visitType}`)}</Tag>
                      {v.flagged && <Tag color="red">{t('fieldSales.flagged')}</Tag>}
                    </Space>
                  </Space>
                </Card>
              )}
            />
          )}
        </>
      )}
    </div>
  );
}

interface Fix {
  lng: number;
  lat: number;
  acc: number;
}

function VisitPanel({
  visit: v,
  onBack,
  banner,
}: {
  visit: Visit & Pending;
  onBack: () => void;
  banner: React.ReactNode;
}) {
  const { t } = useTranslation();
  const [fix, setFix] = useState<Fix | null>(null);
  const [geoError, setGeoError] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const [reason, setReason] = useState('');
  const distance =
    fix && v.storeLng != null && v.storeLat != null
      ? Math.round(metres([fix.lng, fix.lat], [v.storeLng, v.storeLat]))
      : null;
  const inside = distance !== null && distance <= (v.radiusM ?? 300);

  const locate = () => {
    if (!navigator.geolocation) return setGeoError('unsupported');
    setLocating(true);
    navigator.geolocation.getCurrentPosition(
      (p) => {
        setFix({ lng: p.coords.longitude, lat: p.coords.latitude, acc: Math.round(p.coords.accuracy) });
        setGeoError(null);
        setLocating(false);
      },
      (e) => {
        setGeoError(e.message || String(e.code));
        setLocating(false);
      },
      { enableHighAccuracy: true, timeout: 15_000, maximumAge: 30_000 },
    );
  };

  const checkIn = () =>
    enqueue({
      visitId: v.id,
      kind: 'check-in',
      path: `/field-sales/visits/${v.id}/check-in`,
      body: {
        lng: fix?.lng ?? null,
        lat: fix?.lat ?? null,
        coordSystem: 'wgs84',
        ...(fix ? { accuracyM: fix.acc } : {}),
        ...(inside ? {} : { reason: reason.trim() }),
        at: new Date().toISOString(),
      },
    });

  return (
    <div data-testid="fsl-visit">
      <Button type="link" icon={<LeftOutlined />} onClick={onBack} style={{ paddingLeft: 0 }}>
        {t('fieldSales.today.back')}
      </Button>
      <Typography.Title level={4} style={{ marginTop: 0 }}>
        {v.storeName}
      </Typography.Title>
      {banner}
      <Space wrap style={{ marginBottom: 12 }}>
        <Tag color={STATUS_COLOR[v.status]} data-testid="fsl-visit-status">
          {t(`fieldSales.status.${v.status}`)}
        </Tag>
        <Tag>{t(`fieldSales.type.${v.visitType}`)}</Tag>
        {v.flagged && <Tag color="red">{t('fieldSales.flagged')}</Tag>}
        {v.durationS != null && <Tag>{t('fieldSales.duration', { min: Math.round(v.durationS / 60) })}</Tag>}
      </Space>

      {v.status === 'planned' && (
        <Card size="small" title={t('fieldSales.today.checkIn')}>
          <Space direction="vertical" style={{ width: '100%' }}>
            <Button icon={<AimOutlined />} onClick={locate} loading={locating} data-testid="fsl-locate">
              {t('fieldSales.today.locate')}
            </Button>
            {fix && distance !== null && (
              <Alert
                type={inside ? 'success' : 'warning'}
                showIcon
                data-testid="fsl-distance"
                message={t(inside ? 'fieldSales.today.inside' : 'fieldSales.today.outside', {
                  m: distance,
                  r: v.radiusM ?? 300,
                })}
              />
            )}
            {fix && distance === null && (
              <Alert type="warning" showIcon message={t('fieldSales.today.noStoreLoc')} />
            )}
            {geoError && (
              <Alert type="warning" showIcon message={t('fieldSales.today.noGeo', { msg: geoError })} />
            )}
            {(fix || geoError) && !inside && (
              <Input.TextArea
                rows={2}
                value={reason}
                onChange={(e) => setReason(e.target.value)}
                placeholder={t('fieldSales.today.reason')}
                aria-label={t('fieldSales.today.reason')}
                data-testid="fsl-reason"
              />
            )}
            <Button
              type="primary"
              size="large"
              block
              disabled={!(fix || geoError) || (!inside && reason.trim().length < 2)}
              onClick={checkIn}
              data-testid="fsl-check-in"
            >
              {t('fieldSales.today.checkIn')}
            </Button>
          </Space>
        </Card>
      )}

      {v.status !== 'planned' && (
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          {v.steps.map((step) =>
            step === 'shelf_photo' ? (
              <PhotoStep key={step} visit={v} />
            ) : step === 'hq_task' ? (
              <HqTaskStep key={step} visit={v} />
            ) : step === 'order_intent' ? (
              <Space key={step} direction="vertical" style={{ width: '100%' }} size={12}>
                <OrderDraftStep visit={v} />
                <ItemsStep visit={v} step={step} />
              </Space>
            ) : (
              <ItemsStep key={step} visit={v} step={step} />
            ),
          )}
          {v.status === 'in_progress' && (
            <Button
              type="primary"
              size="large"
              block
              icon={<LogoutOutlined />}
              onClick={() =>
                enqueue({
                  visitId: v.id,
                  kind: 'check-out',
                  path: `/field-sales/visits/${v.id}/check-out`,
                  body: { at: new Date().toISOString() },
                })
              }
              data-testid="fsl-check-out"
            >
              {t('fieldSales.today.checkOut')}
            </Button>
          )}
        </Space>
      )}
    </div>
  );
}

function PhotoStep({ visit: v }: { visit: Visit & Pending }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const urls = useMemo(() => v.pendingPhotos.map((b) => URL.createObjectURL(b)), [v.pendingPhotos]);
  const onFile = async (file: File | undefined) => {
    if (!file) return;
    await enqueue({
      visitId: v.id,
      kind: 'photo',
      path: `/field-sales/visits/${v.id}/photos`,
      query: {
        photoId: crypto.randomUUID(),
        step: 'shelf_photo',
        takenAt: new Date(file.lastModified || Date.now()).toISOString(),
      },
      blob: file,
    });
    if (input.current) input.current.value = '';
  };
  return (
    <Card size="small" title={t('fieldSales.step.shelf_photo')} data-testid="fsl-step-shelf_photo">
      <Space wrap>
        {v.photos.map((p) => (
          <div
            key={p.id}
            data-testid="fsl-photo"
            style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
          >
            <Image src={photoUrl(p.id, true)} width={96} height={72} style={{ objectFit: 'cover' }} alt="" />
            {p.status === 'flagged' ? (
              <Tag color="red" title={p.flags.map((f) => f.message).join('；')}>
                {p.flags[0]?.message ?? t('fieldSales.flagged')}
              </Tag>
            ) : (
              <Tag color="green" icon={<CheckCircleOutlined />}>
                {t('fieldSales.photoOk')}
              </Tag>
            )}
          </div>
        ))}
        {urls.map((u) => (
          <div
            key={u}
            data-testid="fsl-photo-pending"
            style={{ display: 'flex', flexDirection: 'column', gap: 4 }}
          >
            <Image src={u} width={96} height={72} style={{ objectFit: 'cover' }} alt="" preview={false} />
            <Tag>{t('fieldSales.today.waiting')}</Tag>
          </div>
        ))}
      </Space>
      {v.status === 'in_progress' && (
        <>
          <input
            ref={input}
            type="file"
            accept="image/*"
            capture="environment"
            hidden
            onChange={(e) => onFile(e.target.files?.[0])}
            data-testid="fsl-photo-file"
          />
          <Button
            icon={<CameraOutlined />}
            block
            style={{ marginTop: 8 }}
            onClick={() => input.current?.click()}
            data-testid="fsl-photo-take"
          >
            {t('fieldSales.today.takePhoto')}
          </Button>
        </>
      )}
    </Card>
  );
}

function ItemsStep({ visit: v, step }: { visit: Visit; step: string }) {
  const { t } = useTranslation();
  const saved = v.results[step];
  // Each row keeps a key of its own: rows are added and removed while being typed into.
  const row = (x: Partial<Item> = {}): Item & { k: string } => ({ name: '', ...x, k: crypto.randomUUID() });
  const [items, setItems] = useState<(Item & { k: string })[]>(() =>
    saved?.items?.length ? saved.items.map((x) => row(x)) : [row()],
  );
  const [note, setNote] = useState(saved?.note ?? '');
  const editable = v.status === 'in_progress';
  const priced = step === 'competitor_price';
  const upd = (i: number, patch: Partial<Item>) =>
    setItems((xs) => xs.map((x, j) => (j === i ? { ...x, ...patch } : x)));
  const valid = items.filter((x) => x.name.trim());
  const save = () =>
    enqueue({
      visitId: v.id,
      kind: 'step',
      path: `/field-sales/visits/${v.id}/steps`,
      body: {
        step,
        items: valid.map((x) =>
          priced
            ? {
                name: x.name.trim(),
                brand: x.brand?.trim() || null,
                price: x.price == null ? null : Math.round(x.price * 100),
              }
            : { name: x.name.trim(), qty: x.qty ?? null },
        ),
        note: note.trim() || null,
        at: new Date().toISOString(),
      },
    });
  return (
    <Card
      size="small"
      title={t(`fieldSales.step.${step}`)}
      extra={saved ? <Tag color="green">{t('fieldSales.today.saved')}</Tag> : null}
      data-testid={`fsl-step-${step}`}
    >
      {step === 'order_intent' && (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('fieldSales.today.orderIntentHelp')}
        </Typography.Paragraph>
      )}
      {step === 'hq_task' ? (
        <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
          {t('fieldSales.today.hqTaskHelp')}
        </Typography.Paragraph>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }}>
          {items.map((x, i) => (
            <Space.Compact key={x.k} style={{ width: '100%' }}>
              {priced && (
                <Input
                  style={{ width: '30%' }}
                  value={x.brand ?? ''}
                  disabled={!editable}
                  placeholder={t('fieldSales.today.brand')}
                  aria-label={t('fieldSales.today.brand')}
                  onChange={(e) => upd(i, { brand: e.target.value })}
                />
              )}
              <Input
                value={x.name}
                disabled={!editable}
                placeholder={t('fieldSales.today.product')}
                aria-label={t('fieldSales.today.product')}
                onChange={(e) => upd(i, { name: e.target.value })}
                data-testid="fsl-item-name"
              />
              <InputNumber
                style={{ width: 110 }}
                min={0}
                value={priced ? (x.price ?? null) : (x.qty ?? null)}
                disabled={!editable}
                placeholder={priced ? t('fieldSales.today.price') : t('fieldSales.today.qty')}
                aria-label={priced ? t('fieldSales.today.price') : t('fieldSales.today.qty')}
                onChange={(n) => upd(i, priced ? { price: n } : { qty: n })}
                data-testid="fsl-item-qty"
              />
              {editable && items.length > 1 && (
                <Button
                  icon={<MinusCircleOutlined />}
                  aria-label={t('fieldSales.today.removeRow')}
                  onClick={() => setItems((xs) => xs.filter((_, j) => j !== i))}
                />
              )}
            </Space.Compact>
          ))}
          {editable && (
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              block
              onClick={() => setItems((xs) => [...xs, row()])}
            >
              {t('fieldSales.today.addRow')}
            </Button>
          )}
        </Space>
      )}
      <Input.TextArea
        rows={2}
        style={{ marginTop: 8 }}
        value={note}
        disabled={!editable}
        placeholder={t('fieldSales.today.note')}
        aria-label={t('fieldSales.today.note')}
        onChange={(e) => setNote(e.target.value)}
      />
      {editable && (
        <Button
          type="primary"
          ghost
          block
          style={{ marginTop: 8 }}
          disabled={step !== 'hq_task' && !valid.length}
          onClick={save}
          data-testid={`fsl-save-${step}`}
        >
          {t('fieldSales.today.saveStep')}
        </Button>
      )}
    </Card>
  );
}

const fileBase64 = (file: File) =>
  new Promise<string>((resolve, reject) => {
    const r = new FileReader();
    r.onload = () => resolve(String(r.result).split(',')[1] ?? '');
    r.onerror = () => reject(r.error);
    r.readAsDataURL(file);
  });

/**
 * The store's open HQ tasks (dealer-network): the rep completes one for the store with the proof it
 * asks for. The completion queues like any visit action (client id: a replay lands once).
 */
function HqTaskStep({ visit: v }: { visit: Visit & Pending }) {
  const { t } = useTranslation();
  const tasks = useVisitTasks(v.id);
  const done = new Set([...v.tasksDone.map((d) => d.targetId), ...v.pendingTasks]);
  const open = (tasks.data?.items ?? []).filter((x) => !done.has(x.targetId));
  return (
    <Card size="small" title={t('fieldSales.step.hq_task')} data-testid="fsl-step-hq_task">
      <Space direction="vertical" style={{ width: '100%' }}>
        {v.tasksDone.map((d) => (
          <Alert
            key={d.clientId}
            type="success"
            showIcon
            data-testid="fsl-task-done"
            message={`${d.title} · ${t('fieldSales.today.taskDone')}`}
          />
        ))}
        {v.pendingTasks.length > 0 && (
          <Alert type="info" showIcon message={t('fieldSales.today.taskWaiting')} />
        )}
        {tasks.isLoading ? null : tasks.error && !tasks.data ? (
          <Alert type="warning" showIcon message={t('fieldSales.today.tasksOffline')} />
        ) : !open.length && !v.tasksDone.length ? (
          <Typography.Text type="secondary">{t('fieldSales.today.tasksEmpty')}</Typography.Text>
        ) : (
          open.map((x) => <TaskItem key={x.targetId} visit={v} task={x} />)
        )}
      </Space>
    </Card>
  );
}

function TaskItem({ visit: v, task: x }: { visit: Visit; task: VisitTaskT }) {
  const { t } = useTranslation();
  const [text, setText] = useState('');
  const [checked, setChecked] = useState(false);
  const [photo, setPhoto] = useState<File | null>(null);
  const input = useRef<HTMLInputElement>(null);
  const editable = v.status === 'in_progress';
  const ready =
    x.proof === 'text' ? text.trim().length > 0 : x.proof === 'checkbox' ? checked : photo !== null;
  const complete = async () =>
    enqueue({
      visitId: v.id,
      kind: 'task',
      path: `/field-sales/visits/${v.id}/hq-tasks`,
      body: {
        clientId: crypto.randomUUID(),
        targetId: x.targetId,
        version: x.version,
        ...(x.proof === 'text' ? { text: text.trim() } : {}),
        ...(x.proof === 'checkbox' ? { checked: true } : {}),
        ...(x.proof === 'photo' && photo ? { photo: await fileBase64(photo) } : {}),
      },
    });
  return (
    <div
      data-testid="fsl-task"
      style={{ border: '1px solid #f0f0f0', borderRadius: 6, padding: 8, display: 'grid', gap: 6 }}
    >
      <Typography.Text strong>{x.title}</Typography.Text>
      {x.body && <Typography.Text type="secondary">{x.body}</Typography.Text>}
      <Space wrap size={4}>
        <Tag>{t('fieldSales.today.taskDue', { due: x.dueAt.slice(0, 10) })}</Tag>
        {x.fromUnitName && <Tag>{t('fieldSales.today.taskFrom', { unit: x.fromUnitName })}</Tag>}
        {x.overdue && <Tag color="red">{t('fieldSales.today.taskOverdue')}</Tag>}
      </Space>
      {editable && x.proof === 'text' && (
        <Input.TextArea
          rows={2}
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={t('fieldSales.today.taskProofText')}
          aria-label={t('fieldSales.today.taskProofText')}
          data-testid="fsl-task-text"
        />
      )}
      {editable && x.proof === 'checkbox' && (
        <Checkbox
          checked={checked}
          onChange={(e) => setChecked(e.target.checked)}
          data-testid="fsl-task-check"
        >
          {t('fieldSales.today.taskProofCheckbox')}
        </Checkbox>
      )}
      {editable && x.proof === 'photo' && (
        <>
          <input
            ref={input}
            type="file"
            accept="image/png,image/jpeg"
            capture="environment"
            hidden
            onChange={(e) => setPhoto(e.target.files?.[0] ?? null)}
            data-testid="fsl-task-photo"
          />
          <Button icon={<CameraOutlined />} onClick={() => input.current?.click()}>
            {t('fieldSales.today.taskProofPhoto')}
          </Button>
          {photo && (
            <Typography.Text type="secondary">
              {t('fieldSales.today.taskPhotoChosen', { name: photo.name })}
            </Typography.Text>
          )}
        </>
      )}
      {editable && (
        <Button
          type="primary"
          ghost
          block
          disabled={!ready}
          onClick={() => void complete()}
          data-testid="fsl-task-complete"
        >
          {t('fieldSales.today.taskComplete')}
        </Button>
      )}
    </div>
  );
}

/**
 * Order taking: a dealer order draft for the store's dealer at its prices (the rep needs dealer
 * ordering rights); the dealer submits it in the portal. Without the rights the intent is recorded.
 */
function OrderDraftStep({ visit: v }: { visit: Visit & Pending }) {
  const { t, i18n } = useTranslation();
  const cat = useVisitCatalogue(v.id);
  const [lines, setLines] = useState<{ k: string; productId?: string; quantity: number | null }[]>(() => [
    { k: crypto.randomUUID(), quantity: null },
  ]);
  const editable = v.status === 'in_progress';
  const money = (fen: number) => formatMoney(fen / 100, i18n.language);
  const err = cat.error instanceof ApiError ? cat.error : null;
  const valid = lines.filter((l) => l.productId && l.quantity && l.quantity > 0);
  const create = () => {
    void enqueue({
      visitId: v.id,
      kind: 'order',
      path: `/field-sales/visits/${v.id}/order-draft`,
      body: {
        clientId: crypto.randomUUID(),
        lines: valid.map((l) => ({ productId: l.productId, quantity: l.quantity })),
      },
    });
    setLines([{ k: crypto.randomUUID(), quantity: null }]);
  };
  const drafts = (
    <>
      {v.orderDrafts.map((d) => (
        <Alert
          key={d.clientId}
          type="success"
          showIcon
          data-testid="fsl-order-draft"
          message={t('fieldSales.today.orderDraftLine', { no: d.orderNo, total: money(d.total) })}
          description={t('fieldSales.today.orderDraftHint')}
        />
      ))}
      {v.pendingOrders > 0 && (
        <Alert type="info" showIcon message={t('fieldSales.today.orderDraftWaiting')} />
      )}
    </>
  );
  if (err && (err.status === 403 || err.status === 422))
    return (
      <Card size="small" title={t('fieldSales.today.orderCreate')} data-testid="fsl-order">
        {drafts}
        <Typography.Text type="secondary">
          {t(err.status === 403 ? 'fieldSales.today.orderNoRights' : 'fieldSales.today.orderNoDealer')}
        </Typography.Text>
      </Card>
    );
  const items = cat.data?.items ?? [];
  return (
    <Card size="small" title={t('fieldSales.today.orderCreate')} data-testid="fsl-order">
      <Space direction="vertical" style={{ width: '100%' }}>
        {drafts}
        {cat.data && (
          <Typography.Text type="secondary">
            {t('fieldSales.today.orderDealer', { dealer: cat.data.dealerName })}
          </Typography.Text>
        )}
        {cat.data && !items.length && (
          <Typography.Text type="secondary">{t('fieldSales.today.orderCatalogueEmpty')}</Typography.Text>
        )}
        {editable &&
          items.length > 0 &&
          lines.map((l, i) => (
            <Space.Compact key={l.k} style={{ width: '100%' }}>
              <Select
                style={{ width: '100%' }}
                showSearch
                optionFilterProp="label"
                value={l.productId}
                placeholder={t('fieldSales.today.orderPick')}
                aria-label={t('fieldSales.today.orderPick')}
                options={items.map((p) => ({
                  value: p.productId,
                  label: `${p.name}${p.price != null ? ` · ${money(p.price)}` : ''}`,
                }))}
                onChange={(productId) =>
                  setLines((xs) => xs.map((x, j) => (j === i ? { ...x, productId } : x)))
                }
                data-testid="fsl-order-product"
              />
              <InputNumber
                style={{ width: 96 }}
                min={1}
                value={l.quantity}
                placeholder={t('fieldSales.today.qty')}
                aria-label={t('fieldSales.today.qty')}
                onChange={(n) => setLines((xs) => xs.map((x, j) => (j === i ? { ...x, quantity: n } : x)))}
                data-testid="fsl-order-qty"
              />
              {lines.length > 1 && (
                <Button
                  icon={<MinusCircleOutlined />}
                  aria-label={t('fieldSales.today.removeRow')}
                  onClick={() => setLines((xs) => xs.filter((_, j) => j !== i))}
                />
              )}
            </Space.Compact>
          ))}
        {editable && items.length > 0 && (
          <>
            <Button
              type="dashed"
              icon={<PlusOutlined />}
              block
              onClick={() => setLines((xs) => [...xs, { k: crypto.randomUUID(), quantity: null }])}
            >
              {t('fieldSales.today.addRow')}
            </Button>
            <Button
              type="primary"
              ghost
              block
              disabled={!valid.length}
              onClick={create}
              data-testid="fsl-order-create"
            >
              {t('fieldSales.today.orderCreate')}
            </Button>
          </>
        )}
      </Space>
    </Card>
  );
}
