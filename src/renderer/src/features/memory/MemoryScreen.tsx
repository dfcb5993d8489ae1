/**
 * Memory and load: the engine's memory, event-loop delay and CPU, tunnel
 * sessions and connections, and traffic, one sample a second, over the last
 * 5 minutes, 15 minutes or hour; the memory one cluster costs; in the
 * desktop app every Electron process; and profiles of the engine to save.
 */
import { useState } from 'react';
import type { AppProcessMetric, PerClusterMemory } from '../../../../shared/telemetry';
import { formatTime } from '../../ui/format';
import { formatBytes, formatCount, formatMs, formatPercent } from '../../ui/units';
import { sampleCount, useTelemetryStore } from '../../engine/stores/telemetry-store';
import { TimeSeriesChart, type ChartSeries } from '../../ui/TimeSeriesChart';
import '../../ui/grid-table.css';
import './memory.css';
import { ProfileButtons } from './ProfileButtons';

const RANGES = [
  { seconds: 300, label: '5 min' },
  { seconds: 900, label: '15 min' },
  { seconds: 3600, label: '1 h' },
] as const;

// Constant, so the charts are not re-made on every render.
const MEMORY: ChartSeries[] = [
  { field: 'rssBytes', label: 'RSS', color: '--chart-1' },
  { field: 'heapUsedBytes', label: 'Heap used', color: '--chart-2' },
  { field: 'externalBytes', label: 'External', color: '--chart-3' },
  { field: 'arrayBuffersBytes', label: 'Array buffers', color: '--chart-4' },
];
const MEMORY_WITH_APP: ChartSeries[] = [
  ...MEMORY,
  { field: 'appProcessesBytes', label: 'All app processes', color: '--chart-5' },
];
const EVENT_LOOP: ChartSeries[] = [
  { field: 'eventLoopMeanMs', label: 'Delay mean', color: '--chart-2' },
  { field: 'eventLoopP99Ms', label: 'Delay p99', color: '--chart-1' },
  { field: 'cpuPercent', label: 'CPU', color: '--chart-4', axis: 'right' },
];
const TUNNELS: ChartSeries[] = [
  { field: 'sessions', label: 'Sessions', color: '--chart-1' },
  { field: 'connections', label: 'Connections', color: '--chart-3' },
  { field: 'clustersActive', label: 'Clusters active', color: '--chart-2' },
];
const TRAFFIC: ChartSeries[] = [
  { field: 'framesPerSec', label: 'Frames/s', color: '--chart-1' },
  { field: 'bytesPerSec', label: 'Bytes/s', color: '--chart-3', axis: 'right' },
];
const bytesPerSec = (v: number): string => `${formatBytes(v)}/s`;

function Figure({
  label,
  value,
  testId,
}: {
  label: string;
  value: string;
  testId: string;
}): React.JSX.Element {
  return (
    <div className="figure">
      <span className="muted small">{label}</span>
      <strong className="mono" data-testid={testId}>
        {value}
      </strong>
    </div>
  );
}

function PerClusterFigure({ estimate }: { estimate: PerClusterMemory | undefined }): React.JSX.Element {
  const value =
    estimate?.bytesPerCluster !== undefined ? `${formatBytes(estimate.bytesPerCluster)} / cluster` : '—';
  const how = !estimate
    ? 'waiting for the first sample'
    : estimate.method === 'none'
      ? estimate.note
      : `${estimate.note}${estimate.baselineBytes !== undefined ? `; baseline ${formatBytes(estimate.baselineBytes)}` : ''}, ${estimate.clusters} clusters`;
  return (
    <div className="figure wide" title={how}>
      <span className="muted small">Memory per cluster (estimate)</span>
      <strong className="mono" data-testid="per-cluster-estimate">
        {value}
      </strong>
      <span className="muted small" data-testid="per-cluster-method">
        {how}
      </span>
    </div>
  );
}

function AppProcesses({ processes }: { processes: AppProcessMetric[] }): React.JSX.Element {
  const sorted = [...processes].sort((a, b) => b.workingSetBytes - a.workingSetBytes);
  return (
    <section className="panel" data-testid="app-processes">
      <header>
        <h2>
          App processes<span className="count">{processes.length}</span>
        </h2>
      </header>
      <table className="process-table">
        <thead>
          <tr>
            <th>Type</th>
            <th>Name</th>
            <th className="num">PID</th>
            <th className="num">Working set</th>
            <th className="num">Peak</th>
            <th className="num">CPU</th>
          </tr>
        </thead>
        <tbody>
          {sorted.map((p) => (
            <tr key={p.pid}>
              <td>{p.type}</td>
              <td className="muted">{p.name ?? ''}</td>
              <td className="num mono">{p.pid}</td>
              <td className="num mono">{formatBytes(p.workingSetBytes)}</td>
              <td className="num mono">{formatBytes(p.peakWorkingSetBytes)}</td>
              <td className="num mono">{formatPercent(p.cpuPercent)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

export function MemoryScreen(): React.JSX.Element {
  const [range, setRange] = useState<number>(300);
  const latest = useTelemetryStore((s) => s.latest);
  const perCluster = useTelemetryStore((s) => s.perCluster);
  const appProcesses = useTelemetryStore((s) => s.appProcesses);
  const capacity = useTelemetryStore((s) => s.capacity);
  const error = useTelemetryStore((s) => s.error);
  useTelemetryStore((s) => s.revision); // re-render for the sample count
  const hasApp = appProcesses !== undefined;
  return (
    <>
      <div className="screen-toolbar">
        <h2>Memory and load</h2>
        <span className="spacer" />
        <span className="muted small latest-sample">
          Latest sample{' '}
          <span className="mono" data-testid="latest-sample-time">
            {latest ? formatTime(new Date(latest.t).toISOString()) : '—'}
          </span>
          {' · '}
          <span data-testid="sample-count">{sampleCount()}</span> of {capacity} kept
        </span>
        <div className="segmented range-select" role="group" aria-label="Time range">
          {RANGES.map((r) => (
            <button
              key={r.seconds}
              type="button"
              className={range === r.seconds ? 'active' : ''}
              aria-pressed={range === r.seconds}
              data-testid={`range-${r.seconds}`}
              onClick={() => setRange(r.seconds)}
            >
              {r.label}
            </button>
          ))}
        </div>
      </div>
      <main className="memory-screen" data-testid="memory-screen" data-range={range}>
        {error && <p className="message error">Cannot load the history: {error}</p>}
        <section className="figures">
          <Figure label="RSS" value={formatBytes(latest?.rssBytes)} testId="figure-rss" />
          <Figure label="Heap used" value={formatBytes(latest?.heapUsedBytes)} testId="figure-heap" />
          <Figure label="Event loop p99" value={formatMs(latest?.eventLoopP99Ms)} testId="figure-loop" />
          <Figure label="CPU" value={formatPercent(latest?.cpuPercent)} testId="figure-cpu" />
          <Figure
            label="Sessions / connections"
            value={latest ? `${latest.sessions} / ${latest.connections}` : '—'}
            testId="figure-sessions"
          />
          <Figure label="Frames/s" value={formatCount(latest?.framesPerSec)} testId="figure-frames" />
          <Figure
            label="Clusters active / total"
            value={latest ? `${latest.clustersActive} / ${latest.clustersTotal}` : '—'}
            testId="figure-clusters"
          />
          <PerClusterFigure estimate={perCluster} />
        </section>
        <div className="charts">
          <TimeSeriesChart
            id="memory"
            title="Engine memory"
            series={hasApp ? MEMORY_WITH_APP : MEMORY}
            rangeSeconds={range}
            format={formatBytes}
          />
          <TimeSeriesChart
            id="event-loop"
            title="Event loop and CPU"
            series={EVENT_LOOP}
            rangeSeconds={range}
            format={formatMs}
            formatRight={formatPercent}
          />
          <TimeSeriesChart
            id="tunnels"
            title="Tunnels"
            series={TUNNELS}
            rangeSeconds={range}
            format={formatCount}
          />
          <TimeSeriesChart
            id="traffic"
            title="Tunnel traffic"
            series={TRAFFIC}
            rangeSeconds={range}
            format={formatCount}
            formatRight={bytesPerSec}
          />
        </div>
        {hasApp && <AppProcesses processes={appProcesses} />}
        <ProfileButtons />
      </main>
    </>
  );
}
