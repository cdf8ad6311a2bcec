import * as echarts from 'echarts';
import { useEffect, useRef } from 'react';

/** One ECharts instance bound to a div: re-renders on option change, resizes with its box. */
export function EChart({
  option,
  height = 280,
  onClick,
  testId,
}: {
  option: echarts.EChartsOption;
  height?: number;
  onClick?: (p: echarts.ECElementEvent) => void;
  testId?: string;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  const click = useRef(onClick);
  click.current = onClick;
  useEffect(() => {
    if (!ref.current) return;
    const c = echarts.init(ref.current);
    chart.current = c;
    c.on('click', (p) => click.current?.(p as echarts.ECElementEvent));
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
