import { Col, Empty, Input, Row, Segmented, Spin } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { MaterialCard } from './material-card';
import { MATERIAL_KINDS, type Material, type Share, type SharePayload, useMaterials } from './materials-api';
import { ShareModal } from './share-modal';

/**
 * For the WeCom sidebar: tap a material → a tracked link for this customer → `onSend(payload)`,
 * which the sidebar passes to `wx.invoke('sendChatMessage', …)`. With `onPick` (the 群发 composer)
 * a tap just picks the material: the server makes each sending staff member's link or poster.
 */
export function MaterialPicker({
  customerId,
  externalUserId,
  onSend,
  onPick,
}: {
  customerId?: string;
  externalUserId?: string;
  onSend?: (payload: SharePayload, share: Share) => void;
  onPick?: (m: Material) => void;
}) {
  const { t } = useTranslation();
  const [kind, setKind] = useState<string>('all');
  const [q, setQ] = useState('');
  const [picked, setPicked] = useState<Material | null>(null);
  const list = useMaterials({ kind: kind === 'all' ? undefined : kind, q: q || undefined });
  return (
    <div data-testid="material-picker">
      <Input.Search
        placeholder={t('materials.picker.search')}
        allowClear
        onSearch={setQ}
        style={{ marginBottom: 8 }}
      />
      <Segmented
        size="small"
        value={kind}
        onChange={(v) => setKind(String(v))}
        options={[
          { value: 'all', label: t('materials.all') },
          ...MATERIAL_KINDS.map((k) => ({ value: k, label: t(`materials.kinds.${k}`) })),
        ]}
        style={{ marginBottom: 8, maxWidth: '100%', overflowX: 'auto' }}
      />
      {list.isLoading ? (
        <Spin />
      ) : !list.data?.items.length ? (
        <Empty description={t('materials.picker.empty')} />
      ) : (
        <Row gutter={[8, 8]}>
          {list.data.items.map((m) => (
            <Col key={m.id} xs={12}>
              <MaterialCard m={m} onClick={() => (onPick ? onPick(m) : setPicked(m))} />
            </Col>
          ))}
        </Row>
      )}
      {picked && (
        <ShareModal
          material={picked}
          customerId={customerId}
          externalUserId={externalUserId}
          onClose={() => setPicked(null)}
          onSend={(p, s) => {
            onSend?.(p, s);
            setPicked(null);
          }}
        />
      )}
    </div>
  );
}
