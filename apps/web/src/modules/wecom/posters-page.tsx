import { ArrowLeftOutlined, DownloadOutlined, PrinterOutlined } from '@ant-design/icons';
import { useQuery } from '@tanstack/react-query';
import { Button, Segmented, Space, Spin, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useNavigate, useParams } from 'react-router';
import { API_BASE, http } from '../../shared/api-client';
import { ErrorResult } from '../../shared/ui/error-result';
import type { JoinCode } from './join-codes-api';
import type { StoreCode } from './store-codes-api';
import { type ChannelCode, useCorps } from './wecom-api';

/**
 * A printable poster for a channel code or a group join code: name, unit, staff or groups and the
 * QR large. Printing keeps only the poster (@media print) on an A4 or A5 page; the PNG is WeCom's
 * own QR image, fetched through Kehu.
 */
const PRINT_CSS = (size: 'A4' | 'A5') => `
@page { size: ${size}; margin: 12mm; }
@media print {
  html, body { background: #fff !important; }
  body * { visibility: hidden !important; background: transparent !important; border-color: transparent !important; box-shadow: none !important; }
  .kehu-poster, .kehu-poster * { visibility: visible !important; }
  .kehu-poster { position: fixed; inset: 0; max-width: none !important; aspect-ratio: auto !important; margin: 0 !important; background: #fff !important; }
  input, .ant-select-selector, .ant-badge-count { display: none !important; }
  .kehu-poster-tools { display: none !important; }
}`;

type Poster = {
  name: string;
  corpRef: string;
  state: string;
  qr: string;
  people: string[];
  group: boolean;
  /** A store code: customers see a generic title and the stores, never the internal name. */
  stores?: boolean;
};

export function PosterPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const { kind, id } = useParams();
  const [size, setSize] = useState<'A4' | 'A5'>('A4');
  const corps = useCorps();
  const poster = useQuery({
    queryKey: ['wecom', 'poster', kind, id],
    queryFn: async (): Promise<Poster> => {
      if (kind === 'store-code') {
        const c = await http.get<StoreCode>(`/wecom/store-codes/${id}`);
        return {
          name: t('wecom.storeCodes.posterTitle'),
          corpRef: c.corpRef,
          state: c.state,
          qr: `${API_BASE}/wecom/store-codes/${id}/landing-qr`,
          people: c.stores.map((s) => s.unitName),
          group: false,
          stores: true,
        };
      }
      if (kind === 'join-code') {
        const c = await http.get<JoinCode>(`/wecom/join-codes/${id}`);
        return {
          name: c.name,
          corpRef: c.corpRef,
          state: c.state,
          qr: `${API_BASE}/wecom/join-codes/${id}/qr`,
          people: c.groups.map((g) => g.name ?? g.chatId),
          group: true,
        };
      }
      const c = await http.get<ChannelCode>(`/wecom/codes/${id}`);
      return {
        name: c.name,
        corpRef: c.corpRef,
        state: c.state,
        qr: `${API_BASE}/wecom/codes/${id}/qr`,
        people: c.staff,
        group: false,
      };
    },
  });
  if (poster.error) return <ErrorResult error={poster.error} onRetry={() => poster.refetch()} />;
  if (!poster.data) return <Spin />;
  const p = poster.data;
  const corp = corps.data?.items.find((c) => c.id === p.corpRef);
  const width = size === 'A4' ? 595 : 420;
  return (
    <div className="kehu-page" data-testid="wecom-poster">
      <style>{PRINT_CSS(size)}</style>
      <Space wrap className="kehu-poster-tools" style={{ marginBottom: 16 }}>
        <Button icon={<ArrowLeftOutlined />} onClick={() => navigate(-1)}>
          {t('wecom.poster.back')}
        </Button>
        <Typography.Text>{t('wecom.poster.size')}</Typography.Text>
        <Segmented options={['A4', 'A5']} value={size} onChange={(v) => setSize(v as 'A4' | 'A5')} />
        <Button type="primary" icon={<PrinterOutlined />} onClick={() => window.print()}>
          {t('wecom.poster.print')}
        </Button>
        <Button icon={<DownloadOutlined />} href={p.qr} download={`${p.state}.png`}>
          PNG
        </Button>
      </Space>
      <div
        className="kehu-poster"
        style={{
          width: '100%',
          maxWidth: width,
          aspectRatio: '210 / 297',
          margin: '0 auto',
          background: '#fff',
          border: '1px solid #e5e6eb',
          boxShadow: '0 2px 12px rgba(0,0,0,.08)',
          display: 'flex',
          flexDirection: 'column',
          alignItems: 'center',
          justifyContent: 'space-between',
          padding: '8% 6%',
          textAlign: 'center',
        }}
      >
        <div>
          <div style={{ fontSize: size === 'A4' ? 30 : 24, fontWeight: 700, lineHeight: 1.3 }}>{p.name}</div>
          {corp && (
            <div style={{ marginTop: 8, color: '#4e5969', fontSize: 15 }}>{corp.unitName ?? corp.name}</div>
          )}
        </div>
        <img
          src={p.qr}
          alt={p.name}
          style={{ width: '72%', maxHeight: '60vh', aspectRatio: '1', objectFit: 'contain' }}
        />
        <div>
          <div style={{ fontSize: size === 'A4' ? 22 : 18, fontWeight: 600 }}>
            {t(
              p.stores
                ? 'wecom.storeCodes.posterHint'
                : p.group
                  ? 'wecom.poster.scanGroup'
                  : 'wecom.poster.scanCode',
            )}
          </div>
          <div style={{ marginTop: 8, color: '#4e5969' }}>
            {p.stores
              ? p.people.join('、')
              : `${t(p.group ? 'wecom.poster.groups' : 'wecom.poster.staff')}: ${p.people.join('、')}`}
          </div>
          <div style={{ marginTop: 4, color: '#86909c', fontSize: 12 }}>{t('wecom.poster.scan')}</div>
        </div>
      </div>
    </div>
  );
}
