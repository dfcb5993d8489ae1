/**
 * Draws a benchmark's time series as a PNG for docs/benchmarks.md: the same
 * chart library the Memory screen uses (uPlot), rendered by Debian's
 * Chromium through playwright-core and captured as a screenshot. Two y axes:
 * memory on the left, a count (active clusters) on the right.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { launchChromium } from '../../e2e/helpers/chromium';

export interface PlotSeries {
  label: string;
  /** One value per time point; null where it was not measured. */
  values: (number | null)[];
  color: string;
  /** Which axis: 'memory' (MiB, left) or 'count' (right). */
  axis: 'memory' | 'count';
}

export interface PlotSpec {
  title: string;
  /** Seconds since the start of the run. */
  seconds: number[];
  series: PlotSeries[];
  /** Vertical markers, e.g. where a phase begins. */
  marks?: { at: number; label: string }[];
  width?: number;
  height?: number;
}

function uplotAssets(): { js: string; css: string } {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('uplot/dist/uPlot.iife.min.js'));
  return {
    js: readFileSync(join(dist, 'uPlot.iife.min.js'), 'utf8'),
    css: readFileSync(join(dist, 'uPlot.min.css'), 'utf8'),
  };
}

/** The page that draws the chart; everything inline, nothing fetched. */
function chartPage(spec: PlotSpec): string {
  const { js, css } = uplotAssets();
  const width = spec.width ?? 1000;
  const height = spec.height ?? 420;
  const data = JSON.stringify([spec.seconds, ...spec.series.map((s) => s.values)]);
  const series = JSON.stringify(
    spec.series.map((s) => ({
      label: s.label,
      stroke: s.color,
      width: 2,
      scale: s.axis === 'memory' ? 'mib' : 'n',
    })),
  );
  const marks = JSON.stringify(spec.marks ?? []);
  return `<!doctype html><html><head><meta charset="utf-8"><style>${css}
body{margin:0;background:#fff;font-family:sans-serif}#chart{padding:12px}h1{font-size:15px;margin:8px 12px 0}</style></head>
<body><h1>${spec.title.replace(/</g, '&lt;')}</h1><div id="chart"></div><script>${js}</script><script>
const marks = ${marks};
const opts = {
  width: ${width}, height: ${height},
  legend: { live: false },
  scales: { x: { time: false }, mib: { auto: true }, n: { auto: true } },
  axes: [
    { label: 'seconds since start' },
    { scale: 'mib', label: 'MiB', size: 70 },
    { scale: 'n', side: 1, label: 'clusters', grid: { show: false }, size: 60 },
  ],
  series: [{ label: 's' }, ...${series}],
  hooks: { draw: [u => {
    const ctx = u.ctx; ctx.save(); ctx.strokeStyle = '#999'; ctx.fillStyle = '#555'; ctx.setLineDash([4, 4]);
    ctx.font = (12 * devicePixelRatio) + 'px sans-serif';
    // Short phases sit close together: their labels go on three staggered lines so they do not overlap.
    marks.forEach((m, i) => {
      const x = u.valToPos(m.at, 'x', true);
      ctx.beginPath(); ctx.moveTo(x, u.bbox.top); ctx.lineTo(x, u.bbox.top + u.bbox.height); ctx.stroke();
      ctx.fillText(m.label, x + 4, u.bbox.top + (14 + 14 * (i % 3)) * devicePixelRatio);
    });
    ctx.restore();
  }] },
};
new uPlot(opts, ${data}, document.getElementById('chart'));
window.chartDone = true;
</script></body></html>`;
}

/** Renders the chart and writes it to `path` as a PNG. */
export async function writePlotPng(path: string, spec: PlotSpec): Promise<void> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.setViewportSize({ width: (spec.width ?? 1000) + 40, height: (spec.height ?? 420) + 160 });
    await page.setContent(chartPage(spec));
    await page.waitForFunction('window.chartDone === true', undefined, { timeout: 10_000 });
    await page.locator('body').screenshot({ path, type: 'png' });
  } finally {
    await browser.close();
  }
}
