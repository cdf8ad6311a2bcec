import { Suspense } from 'react';
import { lazyPage } from '../lazy-page';
import type { EChartProps } from './echart-canvas';

export type { EChartClick, EChartOption } from './echart-canvas';

// ECharts is the largest library Kehu draws with: a page shows its figures first and its charts
// as soon as the library has arrived, instead of waiting for it to show anything.
const EChartCanvas = lazyPage(() => import('./echart-canvas'), 'EChartCanvas');

/** A chart (ECharts through echarts/core); holds its height while the library loads. */
export function EChart(props: EChartProps) {
  const height = props.height ?? 280;
  return (
    <Suspense
      fallback={<div style={{ width: '100%', height }} className="kehu-chart-loading" aria-busy="true" />}
    >
      <EChartCanvas {...props} />
    </Suspense>
  );
}
