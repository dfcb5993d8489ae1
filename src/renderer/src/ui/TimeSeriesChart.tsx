/**
 * One live time-series chart (uPlot) over the telemetry store's columns.
 * The uPlot instance is made once (again only when the theme or the series
 * change) and fed with setData when a sample arrives, so a second's update
 * is one canvas redraw, not a React re-render of the plot. The x range is
 * the chosen window ending at the newest sample, so the graph slides.
 */
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import './time-series-chart.css';
import type { LoadField } from '../../../shared/telemetry';
import { columnsSince, useTelemetryStore } from '../engine/stores/telemetry-store';
import { useThemeStore } from '../app/theme-store';

export interface ChartSeries {
  field: LoadField;
  label: string;
  /** A CSS variable holding the line colour, e.g. '--chart-1'. */
  color: string;
  /** 'right' draws it against a second axis with its own unit. */
  axis?: 'left' | 'right';
}

interface TimeSeriesChartProps {
  id: string;
  title: string;
  series: readonly ChartSeries[];
  rangeSeconds: number;
  format: (value: number) => string;
  /** Units of the right axis, when a series uses it. */
  formatRight?: (value: number) => string;
  height?: number;
}

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** From zero to a little above the highest value, so lines never touch the top. */
const fromZero: uPlot.Scale.Range = (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1];

export function TimeSeriesChart({
  id,
  title,
  series,
  rangeSeconds,
  format,
  formatRight,
  height = 170,
}: TimeSeriesChartProps): React.JSX.Element {
  const holder = useRef<HTMLDivElement>(null);
  /** Redraws from the store now (set while a plot exists). */
  const redraw = useRef<(() => void) | undefined>(undefined);
  const windowRange = useRef({ rangeSeconds, min: 0, max: 1 });
  const theme = useThemeStore((s) => s.theme);
  const latest = useTelemetryStore((s) => s.latest);

  // Make the plot (once per theme and series), keep it sized and fed.
  useEffect(() => {
    const el = holder.current;
    if (!el) return;
    const axisColor = cssVar('--muted');
    const gridColor = cssVar('--chart-grid');
    const hasRight = series.some((s) => s.axis === 'right');
    const axis = (side: 0 | 1 = 0, fmt = format): uPlot.Axis => ({
      stroke: axisColor,
      grid: { stroke: gridColor, width: 1 },
      ticks: { stroke: gridColor, width: 1 },
      font: '11px system-ui, sans-serif',
      // Wide enough for the longest label (e.g. "73.2 KiB/s"), measured per redraw.
      size: (_u, values) => 14 + 7 * Math.max(3, ...(values ?? []).map((v) => String(v).length)),
      side: side === 1 ? 1 : 3,
      scale: side === 1 ? 'right' : 'y',
      values: (_u, splits) => splits.map((v) => fmt(v)),
      ...(side === 1 ? { grid: { show: false } } : {}),
    });
    const options: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: false },
      cursor: { drag: { x: false, y: false }, points: { size: 5 } },
      scales: {
        x: { time: true, range: () => [windowRange.current.min, windowRange.current.max] },
        y: { range: fromZero },
        ...(hasRight ? { right: { range: fromZero } } : {}),
      },
      axes: [
        {
          stroke: axisColor,
          grid: { stroke: gridColor, width: 1 },
          ticks: { stroke: gridColor, width: 1 },
          font: '11px system-ui, sans-serif',
        },
        axis(0),
        ...(hasRight ? [axis(1, formatRight ?? format)] : []),
      ],
      series: [
        {},
        ...series.map((s): uPlot.Series => ({
          label: s.label,
          stroke: cssVar(s.color),
          width: 1.5,
          scale: s.axis === 'right' ? 'right' : 'y',
          points: { show: false },
        })),
      ],
    };
    const u = new uPlot(options, [[], ...series.map(() => [])], el);

    const update = (): void => {
      const newest = useTelemetryStore.getState().latest?.t;
      const end = newest ?? Date.now();
      const start = end - windowRange.current.rangeSeconds * 1000;
      windowRange.current.min = start / 1000;
      windowRange.current.max = end / 1000;
      const cols = columnsSince(['t', ...series.map((s) => s.field)], start);
      u.setData([cols.t.map((t) => t / 1000), ...series.map((s) => cols[s.field])]);
    };
    update();
    const unsubscribe = useTelemetryStore.subscribe((s, prev) => {
      if (s.revision !== prev.revision) update();
    });
    const resize = new ResizeObserver(() => {
      const width = Math.max(200, el.clientWidth);
      if (width !== u.width) u.setSize({ width, height });
    });
    resize.observe(el);
    redraw.current = update;
    return () => {
      unsubscribe();
      resize.disconnect();
      u.destroy();
      redraw.current = undefined;
    };
  }, [theme, series, format, formatRight, height]);

  // A new time range redraws at once rather than at the next sample.
  useEffect(() => {
    windowRange.current.rangeSeconds = rangeSeconds;
    redraw.current?.();
  }, [rangeSeconds]);

  return (
    <section className="panel chart-panel" data-testid={`chart-${id}`}>
      <header>
        <h2>{title}</h2>
        <ul className="chart-legend" data-testid={`chart-${id}-legend`}>
          {series.map((s) => (
            <li key={s.field}>
              <span className="swatch" style={{ background: `var(${s.color})` }} />
              {s.label}{' '}
              <strong className="mono">
                {latest ? (s.axis === 'right' && formatRight ? formatRight : format)(latest[s.field]) : '—'}
              </strong>
            </li>
          ))}
        </ul>
      </header>
      <div className="chart-holder" ref={holder} />
    </section>
  );
}
