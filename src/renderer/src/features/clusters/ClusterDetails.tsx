/** One cluster in depth: actions, steps with durations and errors, nodes, tunnels, recent log lines. */
import type { ClusterStep, TunnelInfo } from '../../../../shared/cluster';
import { useNow } from '../../ui/use-now';
import { formatDuration, formatTime } from '../../ui/format';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { ClusterActions } from './ClusterActions';
import { ClusterLogLines } from './ClusterLogLines';
import { ClusterNodes } from './ClusterNodes';

function StepItem({ step, now }: { step: ClusterStep; now: number }): React.JSX.Element {
  const running = !step.endedAt && step.status !== 'ready' && step.status !== 'failed';
  const end = step.endedAt ? Date.parse(step.endedAt) : now;
  const terminal = step.status === 'ready' || step.status === 'failed';
  return (
    <li
      className={`step ${step.error ? 'step-failed' : ''} ${running ? 'step-running' : ''}`}
      data-testid={`step-${step.status}`}
    >
      <span className={`step-dot status-${step.status}`} />
      <div className="step-body">
        <div className="step-line">
          <span className="mono">{step.status}</span>
          <span className="muted">{formatTime(step.startedAt)}</span>
          <span className="step-duration">
            {terminal && !step.endedAt ? '' : formatDuration(end - Date.parse(step.startedAt))}
            {running ? ' …' : ''}
          </span>
        </div>
        {step.progress && <div className="muted small">{step.progress}</div>}
        {step.error && <div className="row-error small">{step.error}</div>}
      </div>
    </li>
  );
}

/** From the first step to reaching ready, when it has. */
function totalMs(steps: ClusterStep[]): number | undefined {
  const first = steps[0];
  const ready = steps.findLast((s) => s.status === 'ready');
  if (!first || !ready) return undefined;
  return Date.parse(ready.startedAt) - Date.parse(first.startedAt);
}

function TunnelBlock({
  label,
  tunnel,
  lastPing,
}: {
  label: string;
  tunnel: TunnelInfo | undefined;
  /** When Rancher last pinged the cluster over this tunnel (Steve only). */
  lastPing?: string;
}): React.JSX.Element {
  return (
    <div className="tunnel-block" data-testid={`tunnel-${label}`}>
      <div className="tunnel-title">
        <span className={`tunnel tunnel-${tunnel?.state ?? 'none'}`}>
          <span className="dot" />
          {label}
        </span>
        <span className="mono">{tunnel?.state ?? 'not imported'}</span>
      </div>
      {tunnel && (
        <dl className="compact">
          <dt>Since</dt>
          <dd>{formatTime(tunnel.since)}</dd>
          <dt>Connects</dt>
          <dd>{tunnel.connects}</dd>
          {lastPing && (
            <>
              <dt>Last ping</dt>
              <dd data-testid="last-ping">{formatTime(lastPing)}</dd>
            </>
          )}
          {tunnel.retryAt && (
            <>
              <dt>Next try</dt>
              <dd>{formatTime(tunnel.retryAt)}</dd>
            </>
          )}
          {tunnel.lastError && (
            <>
              <dt>Last error</dt>
              <dd className="row-error">{tunnel.lastError}</dd>
            </>
          )}
        </dl>
      )}
    </div>
  );
}

export function ClusterDetails({
  name,
  agent,
  lastPing,
  onClose,
}: {
  /** The agent that holds it (LOCAL_AGENT for this one). */
  agent: string;
  name: string;
  /** When Rancher last pinged this cluster over its Steve tunnel (ISO time), if it has. */
  lastPing: string | undefined;
  onClose: () => void;
}): React.JSX.Element {
  const cluster = useClustersStore((s) => s.byAgent[agent]?.[name]);
  const now = useNow(1000);
  return (
    <aside className="details panel" aria-label={`Cluster ${name}`} data-testid="cluster-details">
      <header>
        <h2 className="mono">
          {name}
          {agent && <span className="agent-tag">{agent}</span>}
        </h2>
        <button type="button" className="icon-button" aria-label="Close details" onClick={onClose}>
          ×
        </button>
      </header>
      {!cluster ? (
        <p className="empty">This cluster no longer exists.</p>
      ) : (
        <>
          <div className="details-status">
            <span className={`badge status-${cluster.status}`} data-testid="details-status">
              {cluster.status}
            </span>
            {cluster.error && <p className="message error">{cluster.error}</p>}
            {cluster.message && <p className="message">{cluster.message}</p>}
          </div>
          <ClusterActions cluster={cluster} />
          <dl className="compact">
            <dt>Template</dt>
            <dd>{cluster.template}</dd>
            <dt>Nodes</dt>
            <dd>{cluster.nodeCount}</dd>
            <dt>Pods</dt>
            <dd>{cluster.podCount}</dd>
            <dt>Rancher ID</dt>
            <dd>
              {cluster.rancherId || '—'}
              {cluster.rancherState ? ` (${cluster.rancherState})` : ''}
            </dd>
            <dt>Batch</dt>
            <dd>{cluster.batchId ?? '—'}</dd>
            <dt>Created</dt>
            <dd>{new Date(cluster.createdAt).toLocaleString()}</dd>
          </dl>
          <h3>Steps</h3>
          <ol className="timeline" data-testid="steps-timeline">
            {cluster.steps.map((step, i) => (
              <StepItem key={`${step.status}-${i}`} step={step} now={now} />
            ))}
          </ol>
          {totalMs(cluster.steps) !== undefined && (
            <p className="timeline-total" data-testid="steps-total">
              Ready after {formatDuration(totalMs(cluster.steps) ?? 0)}
            </p>
          )}
          <h3>Tunnels</h3>
          <TunnelBlock label="main" tunnel={cluster.tunnels?.main} />
          <TunnelBlock label="steve" tunnel={cluster.tunnels?.steve} lastPing={lastPing} />
          <h3>Nodes</h3>
          <ClusterNodes name={name} />
          <h3>Recent log lines</h3>
          <ClusterLogLines name={name} />
        </>
      )}
    </aside>
  );
}
