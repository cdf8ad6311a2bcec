import { BarChart, FunnelChart, GaugeChart, LineChart } from 'echarts/charts';
import { GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only what Kehu's charts draw: the full `echarts` package is ~1 MB of JavaScript. A chart that
// needs another series type or component registers it here, or ECharts draws nothing for it.
echarts.use([
  BarChart,
  LineChart,
  FunnelChart,
  GaugeChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  CanvasRenderer,
]);

/** The option object a chart takes (the full ECharts type: the registered parts are a subset at run time). */
export type EChartOption = Parameters<echarts.ECharts['setOption']>[0];
export type EChartClick = echarts.ECElementEvent;

export interface EChartProps {
  option: EChartOption;
  height?: number;
  onClick?: (p: EChartClick) => void;
  testId?: string;
}

/** One ECharts instance bound to a div: re-renders on option change, resizes with its box (narrow phones too). */
export function EChartCanvas({ option, height = 280, onClick, testId }: EChartProps) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current);
    chart.current = c;
    c.on('click', (p) => click.current?.(p as EChartClick));
    const ro = new ResizeObserver(() => c.resize());
    ro.observe(ref.current);
    return () => {
      ro.disconnect();
      c.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption(option, true);
  }, [option]);
  return <div ref={ref} style={{ width: '100%', height }} data-testid={testId} />;
}
