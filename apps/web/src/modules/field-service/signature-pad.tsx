import { Button, Space, Typography } from 'antd';
import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';

/**
 * The customer signs with a finger (or mouse, or pen) on a canvas; `onChange` gets a PNG data URL
 * after each stroke, or null when cleared. Pointer events cover touch and mouse alike.
 */
export function SignaturePad({ onChange }: { onChange: (png: string | null) => void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLCanvasElement>(null);
  const drawing = useRef(false);
  const dirty = useRef(false);
  useEffect(() => {
    const c = ref.current!;
    const ratio = window.devicePixelRatio || 1;
    c.width = c.clientWidth * ratio;
    c.height = c.clientHeight * ratio;
    const g = c.getContext('2d')!;
    g.scale(ratio, ratio);
    g.lineWidth = 2.5;
    g.lineCap = 'round';
    g.lineJoin = 'round';
    g.strokeStyle = '#111';
  }, []);
  const pos = (e: React.PointerEvent) => {
    const r = ref.current!.getBoundingClientRect();
    return { x: e.clientX - r.left, y: e.clientY - r.top };
  };
  const clear = () => {
    const c = ref.current!;
    c.getContext('2d')!.clearRect(0, 0, c.width, c.height);
    dirty.current = false;
    onChange(null);
  };
  return (
    <div>
      <Typography.Text type="secondary">{t('fieldService.jobs.signHere')}</Typography.Text>
      <canvas
        ref={ref}
        data-testid="fs-signature"
        aria-label={t('fieldService.jobs.signature')}
        style={{
          display: 'block',
          width: '100%',
          height: 160,
          border: '1px dashed #bfbfbf',
          borderRadius: 8,
          touchAction: 'none',
          background: '#fff',
          margin: '4px 0',
        }}
        onPointerDown={(e) => {
          drawing.current = true;
          (e.target as HTMLCanvasElement).setPointerCapture(e.pointerId);
          const g = ref.current!.getContext('2d')!;
          const p = pos(e);
          g.beginPath();
          g.moveTo(p.x, p.y);
        }}
        onPointerMove={(e) => {
          if (!drawing.current) return;
          const g = ref.current!.getContext('2d')!;
          const p = pos(e);
          g.lineTo(p.x, p.y);
          g.stroke();
          dirty.current = true;
        }}
        onPointerUp={() => {
          drawing.current = false;
          if (dirty.current) onChange(ref.current!.toDataURL('image/png'));
        }}
      />
      <Space>
        <Button size="small" onClick={clear}>
          {t('fieldService.jobs.clear')}
        </Button>
      </Space>
    </div>
  );
}
