import { Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import type { Visit } from './field-sales-api';

const COLORS = ['#1677ff', '#fa8c16', '#722ed1', '#13c2c2', '#eb2f96', '#52c41a', '#2f54eb', '#faad14'];
const STATUS_FILL: Record<string, string> = { planned: '#bfbfbf', in_progress: '#fa8c16', done: '#52c41a' };

/**
 * Today's visits drawn from coordinates on a plain SVG — no map tiles (none are reachable on
 * site). Equirectangular with the longitude scaled by cos(latitude): true enough for a city.
 * Stores are squares (colour = status), check-ins are dots joined to their store, and each rep's
 * route links their stores in visit order.
 */
export function VisitMap({
  visits,
  height = 420,
  width = 800,
  title,
}: {
  visits: Visit[];
  height?: number;
  width?: number;
  title?: string;
}) {
  const { t } = useTranslation();
  const pts = visits.flatMap((v) => [
    ...(v.storeLng != null && v.storeLat != null ? [[v.storeLng, v.storeLat]] : []),
    ...(v.checkInLng != null && v.checkInLat != null ? [[v.checkInLng, v.checkInLat]] : []),
  ]) as [number, number][];
  if (!pts.length) return <Empty description={t('fieldSales.map.empty')} style={{ padding: 32 }} />;
  const W = width;
  const H = height;
  const pad = 48;
  const lngs = pts.map((p) => p[0]);
  const lats = pts.map((p) => p[1]);
  const midLat = (Math.min(...lats) + Math.max(...lats)) / 2;
  const k = Math.cos((midLat * Math.PI) / 180);
  const spanX = Math.max((Math.max(...lngs) - Math.min(...lngs)) * k, 0.005);
  const spanY = Math.max(Math.max(...lats) - Math.min(...lats), 0.005);
  const scale = Math.min((W - 2 * pad) / spanX, (H - 2 * pad) / spanY);
  const cx = (Math.min(...lngs) + Math.max(...lngs)) / 2;
  const cy = (Math.min(...lats) + Math.max(...lats)) / 2;
  const x = (lng: number) => W / 2 + (lng - cx) * k * scale;
  const y = (lat: number) => H / 2 - (lat - cy) * scale;
  const reps = [...new Set(visits.map((v) => v.repId))];
  const color = (repId: string) => COLORS[reps.indexOf(repId) % COLORS.length]!;
  // A scale bar: the round number of metres closest to 120 px.
  const mPerPx = 111_320 / scale;
  const bar = [100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000, 200000, 500000].reduce((a, b) =>
    Math.abs(b / mPerPx - 120) < Math.abs(a / mPerPx - 120) ? b : a,
  );
  return (
    <div>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        style={{ width: '100%', height: 'auto', background: '#f5f7fa', borderRadius: 8 }}
        role="img"
        aria-label={title ?? t('fieldSales.map.aria', { n: visits.length })}
        data-testid="fsl-map"
      >
        <defs>
          <pattern id="fsl-grid" width="40" height="40" patternUnits="userSpaceOnUse">
            <path d="M 40 0 L 0 0 0 40" fill="none" stroke="#e6e9ef" strokeWidth="1" />
          </pattern>
        </defs>
        <rect width={W} height={H} fill="url(#fsl-grid)" />
        {reps.map((r) => {
          const stops = visits
            .filter((v) => v.repId === r && v.storeLng != null)
            .sort((a, b) => a.seq - b.seq)
            .map((v) => `${x(v.storeLng!)},${y(v.storeLat!)}`);
          return stops.length > 1 ? (
            <polyline
              key={r}
              points={stops.join(' ')}
              fill="none"
              stroke={color(r)}
              strokeWidth={2}
              strokeDasharray="6 4"
              opacity={0.7}
            />
          ) : null;
        })}
        {visits.map((v) =>
          v.checkInLng != null && v.storeLng != null ? (
            <line
              key={`l${v.id}`}
              x1={x(v.storeLng)}
              y1={y(v.storeLat!)}
              x2={x(v.checkInLng)}
              y2={y(v.checkInLat!)}
              stroke={v.flagged ? '#ff4d4f' : '#8c8c8c'}
              strokeWidth={1.5}
            />
          ) : null,
        )}
        {visits.map((v) =>
          v.storeLng != null ? (
            <g key={`s${v.id}`}>
              <rect
                x={x(v.storeLng) - 8}
                y={y(v.storeLat!) - 8}
                width={16}
                height={16}
                rx={3}
                fill={STATUS_FILL[v.status]}
                stroke={color(v.repId)}
                strokeWidth={3}
              >
                <title>
                  {v.storeName} · {v.repName} · {t(`fieldSales.status.${v.status}`)}
                </title>
              </rect>
              <text
                x={x(v.storeLng) + (x(v.storeLng) > W * 0.6 ? -12 : 12)}
                y={y(v.storeLat!) + 4}
                textAnchor={x(v.storeLng) > W * 0.6 ? 'end' : 'start'}
                fontSize={15}
                fill="#262626"
              >
                {v.seq < 999 ? `${v.seq}. ` : ''}
                {v.storeName}
              </text>
            </g>
          ) : null,
        )}
        {visits.map((v) =>
          v.checkInLng != null ? (
            <circle
              key={`c${v.id}`}
              cx={x(v.checkInLng)}
              cy={y(v.checkInLat!)}
              r={5}
              fill={v.flagged ? '#ff4d4f' : color(v.repId)}
              stroke="#fff"
              strokeWidth={1.5}
            >
              <title>
                {v.repName} · {v.distanceM ?? '—'} m{v.offFenceReason ? ` · ${v.offFenceReason}` : ''}
              </title>
            </circle>
          ) : null,
        )}
        <g transform={`translate(${pad / 2}, ${H - pad / 2})`}>
          <line x1={0} y1={0} x2={bar / mPerPx} y2={0} stroke="#595959" strokeWidth={2} />
          <text x={0} y={-6} fontSize={14} fill="#595959">
            {bar >= 1000 ? `${bar / 1000} km` : `${bar} m`}
          </text>
        </g>
      </svg>
      {reps.length > 1 && (
        <div style={{ display: 'flex', flexWrap: 'wrap', gap: 12, marginTop: 4 }}>
          {reps.map((r) => (
            <span key={r} style={{ display: 'inline-flex', alignItems: 'center', gap: 4 }}>
              <span
                style={{
                  width: 12,
                  height: 12,
                  borderRadius: 2,
                  background: color(r),
                  display: 'inline-block',
                }}
              />
              {visits.find((v) => v.repId === r)?.repName}
            </span>
          ))}
        </div>
      )}
    </div>
  );
}
