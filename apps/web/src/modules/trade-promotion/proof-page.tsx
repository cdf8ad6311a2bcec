import { AimOutlined, CameraOutlined } from '@ant-design/icons';
import { Alert, Button, Card, Empty, Select, Space, Spin, Typography } from 'antd';
import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSession } from '../../app/session';
import { errorMessage } from '../../shared/error-message';
import { ProofCard } from './activity-detail';
import { activityAction, type Proof, uploadProof, useActivities, useTpmMutation } from './tpm-api';

interface Fix {
  lng: number;
  lat: number;
  acc: number;
}

/**
 * The rep's phone page (390 px first): pick the activity and store, take the photo; the server
 * watermarks and checks it and says at once whether it passed or why it is flagged.
 */
export function ProofPage() {
  const { t } = useTranslation();
  const { me } = useSession();
  const q = useActivities('approved');
  const mine = new Set(me.units.map((u) => u.id));
  const activities = (q.data?.items ?? []).filter((a) => a.stores.some((s) => mine.has(s.id)));
  const [activityId, setActivityId] = useState<string | null>(null);
  const activity =
    activities.find((a) => a.id === activityId) ?? (activities.length === 1 ? activities[0] : undefined);
  const stores = activity?.stores.filter((s) => mine.has(s.id)) ?? [];
  const [storeId, setStoreId] = useState<string | null>(null);
  const store = stores.find((s) => s.id === storeId) ?? (stores.length === 1 ? stores[0] : undefined);
  const [fix, setFix] = useState<Fix | null>(null);
  const [geoError, setGeoError] = useState<string | null>(null);
  const [locating, setLocating] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<Proof[]>([]);
  const input = useRef<HTMLInputElement>(null);
  const complete = useTpmMutation(() => activityAction(activity!.id, 'complete'));

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
  useEffect(locate, []);

  const onFile = async (file: File | undefined) => {
    if (!file || !activity || !store) return;
    setBusy(true);
    setError(null);
    try {
      const p = await uploadProof(activity.id, file, {
        storeUnitId: store.id,
        lng: fix?.lng,
        lat: fix?.lat,
        takenAt: new Date(file.lastModified || Date.now()).toISOString(),
        idempotencyKey: crypto.randomUUID(),
      });
      setDone((d) => [p, ...d]);
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
      if (input.current) input.current.value = '';
    }
  };

  return (
    <div className="kehu-page" data-testid="tpm-proof-page" style={{ maxWidth: 560 }}>
      <Typography.Title level={4}>{t('tpm.proof.title')}</Typography.Title>
      <Typography.Paragraph type="secondary">{t('tpm.proof.intro')}</Typography.Paragraph>
      {!q.isLoading && activities.length === 0 ? (
        <Card>
          <Empty description={t('tpm.proof.empty')} />
        </Card>
      ) : (
        <Space direction="vertical" style={{ width: '100%' }} size={12}>
          <Card size="small">
            <Space direction="vertical" style={{ width: '100%' }}>
              <Typography.Text strong>{t('tpm.proof.activity')}</Typography.Text>
              <Select
                size="large"
                style={{ width: '100%' }}
                placeholder={t('tpm.proof.chooseActivity')}
                value={activity?.id}
                onChange={(v) => {
                  setActivityId(v);
                  setStoreId(null);
                }}
                options={activities.map((a) => ({ value: a.id, label: a.name }))}
                data-testid="tpm-proof-activity"
              />
              <Typography.Text strong>{t('tpm.proof.store')}</Typography.Text>
              <Select
                size="large"
                style={{ width: '100%' }}
                placeholder={t('tpm.proof.chooseStore')}
                value={store?.id}
                onChange={setStoreId}
                options={stores.map((s) => ({ value: s.id, label: s.name }))}
                data-testid="tpm-proof-store"
              />
              <Space wrap>
                <Button icon={<AimOutlined />} onClick={locate} loading={locating}>
                  {locating ? t('tpm.proof.locating') : t('tpm.proof.locate')}
                </Button>
                {fix && (
                  <Typography.Text type="success" data-testid="tpm-proof-located">
                    {t('tpm.proof.located', { acc: fix.acc })}
                  </Typography.Text>
                )}
              </Space>
              {geoError && !fix && (
                <Alert type="warning" showIcon message={t('tpm.proof.noGeo', { msg: geoError })} />
              )}
            </Space>
          </Card>
          <input
            ref={input}
            type="file"
            accept="image/*"
            capture="environment"
            hidden
            onChange={(e) => onFile(e.target.files?.[0])}
            data-testid="tpm-proof-file"
          />
          <Button
            type="primary"
            size="large"
            block
            icon={<CameraOutlined />}
            disabled={!activity || !store || busy}
            onClick={() => input.current?.click()}
            style={{ height: 56 }}
          >
            {t('tpm.proof.take')}
          </Button>
          {busy && (
            <Card size="small">
              <Space>
                <Spin /> {t('tpm.proof.uploading')}
              </Space>
            </Card>
          )}
          {error && <Alert type="error" showIcon message={error} data-testid="tpm-proof-error" />}
          {done.length > 0 && (
            <>
              <Alert
                type={done[0]!.status === 'accepted' ? 'success' : 'warning'}
                showIcon
                data-testid="tpm-proof-result"
                message={done[0]!.status === 'accepted' ? t('tpm.proof.accepted') : t('tpm.proof.flagged')}
                description={done[0]!.flags.map((f) => f.message).join('；') || undefined}
              />
              <Typography.Text type="secondary">
                {t('tpm.proof.uploaded', { n: done.length })}
              </Typography.Text>
              <Space direction="vertical" style={{ width: '100%' }}>
                {done.map((p) => (
                  <ProofCard key={p.id} p={p} />
                ))}
              </Space>
              {complete.error && <Alert type="error" showIcon message={errorMessage(complete.error)} />}
              {complete.isSuccess ? null : (
                <Button
                  block
                  size="large"
                  loading={complete.isPending}
                  onClick={() => complete.mutate(undefined)}
                >
                  {t('tpm.proof.done')}
                </Button>
              )}
            </>
          )}
        </Space>
      )}
    </div>
  );
}
