import 'uplot/dist/uPlot.min.css';
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';

/**
 * A uPlot chart that fills its container's width and follows it when the layout changes.
 * `options` is fixed for the chart's life (change `key` to rebuild); `data` may change.
 */
export function UPlotChart({
  options,
  data,
  height,
  label,
}: {
  options: Omit<uPlot.Options, 'width' | 'height'>;
  data: uPlot.AlignedData;
  height: number;
  /** what the chart shows, for screen readers (the page also has the numbers as a table) */
  label: string;
}) {
  const container = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is built once; data updates below
  useEffect(() => {
    const target = container.current;
    if (!target) return;
    const plot = new uPlot({ ...options, width: target.clientWidth || 600, height }, data, target);
    chart.current = plot;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) plot.setSize({ width: Math.floor(entry.contentRect.width), height });
    });
    observer.observe(target);
    return () => {
      observer.disconnect();
      plot.destroy();
      chart.current = null;
    };
  }, [height]);

  useEffect(() => {
    chart.current?.setData(data);
  }, [data]);

  return <div ref={container} role="img" aria-label={label} style={{ width: '100%', minHeight: height }} />;
}
