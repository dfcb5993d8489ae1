/**
 * A batch's live progress (polled every 500 ms): overall bar with rate and
 * ETA, the step each unfinished cluster is at, failures with their reason,
 * retry-failed and cancel.
 */
import { useEffect, useState } from 'react';
import type { BatchStatus, ClusterRecord } from '../../../../shared/cluster';
import { formatEta } from '../../ui/format';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { useEngine } from '../../engine/engine-provider';

const POLL_MS = 500;
/** Unfinished clusters listed with their step; the rest are summed in the chips. */
const STEPS_SHOWN = 12;

export function BatchProgress({
  id,
  agent,
  onClose,
}: {
  id: string;
  /** The agent making it, when a batch is split across agents (its name heads the progress). */
  agent?: string;
  onClose: () => void;
}): React.JSX.Element {
  const engine = useEngine();
  const [status, setStatus] = useState<BatchStatus>();
  const [pollError, setPollError] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const s = await engine.call('batches.get', { id });
        if (stopped) return;
        setStatus(s);
        setPollError(undefined);
      } catch (err) {
        if (!stopped) setPollError((err as Error).message);
      }
      // Keep polling after completion too, so "Retry failed" shows its effect.
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [engine, id]);

  async function act(channel: 'batches.retry' | 'batches.cancel'): Promise<void> {
    setBusy(true);
    setActionError(undefined);
    try {
      setStatus(await engine.call(channel, { id }));
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!status) return <p className="muted">{pollError ?? 'Loading batch…'}</p>;
  const ready = status.byStatus.ready ?? 0;
  const failed = status.byStatus.failed ?? 0;
  const cancelled = status.cancelled.length;
  const done = ready + failed;
  const pct = (n: number): string => `${status.total ? (100 * n) / status.total : 0}%`;
  const inProgress = Object.entries(status.byStatus).filter(([s, n]) => n && s !== 'ready' && s !== 'failed');

  return (
    <div className="batch-progress" data-testid="batch-progress">
      <div className="progress-head">
        <span className={`badge batch-${status.state}`} data-testid="batch-state">
          {status.state}
        </span>
        {agent !== undefined && (
          <strong className="mono" data-testid="batch-agent">
            {agent || 'this agent'}
          </strong>
        )}
        <span className="mono muted">{status.id}</span>
        <span className="muted">
          {status.template} · concurrency {status.concurrency}
        </span>
      </div>
      <div className="progress-bar" aria-label="Batch progress">
        <div className="progress-ok" style={{ width: pct(ready) }} />
        <div className="progress-bad" style={{ width: pct(failed) }} />
      </div>
      <div className="progress-figures">
        <strong data-testid="batch-done">
          {done}/{status.total}
        </strong>
        <span data-testid="batch-ready">{ready} ready</span>
        {failed > 0 && <span className="row-error">{failed} failed</span>}
        {cancelled > 0 && <span className="muted">{cancelled} cancelled</span>}
        <span className="spacer" />
        <span>{status.ratePerSecond.toFixed(2)} clusters/s</span>
        <span>ETA {status.state === 'running' ? formatEta(status.etaSeconds) : '—'}</span>
      </div>
      {inProgress.length > 0 && (
        <div className="status-chips" data-testid="batch-by-status">
          {inProgress.map(([s, n]) => (
            <span key={s} className={`badge status-${s}`}>
              {s} {n}
            </span>
          ))}
        </div>
      )}
      <ClusterSteps names={status.names} agent={agent} />
      {status.failures.length > 0 && (
        <div className="failures" data-testid="batch-failures">
          <h3>Failures</h3>
          <ul>
            {status.failures.map((f) => (
              <li key={f.name}>
                <span className="mono">{f.name}</span> <span className="row-error">{f.error}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {(pollError || actionError) && <p className="message error">{actionError ?? pollError}</p>}
      <footer className="modal-footer inline">
        {status.failures.length > 0 && (
          <button type="button" className="button" disabled={busy} onClick={() => void act('batches.retry')}>
            Retry failed
          </button>
        )}
        {status.state === 'running' && (
          <button
            type="button"
            className="button danger"
            disabled={busy}
            onClick={() => void act('batches.cancel')}
            data-testid="batch-cancel"
          >
            Cancel batch
          </button>
        )}
        <button type="button" className="button primary" onClick={onClose} data-testid="batch-close">
          Close
        </button>
      </footer>
    </div>
  );
}

/** The clusters of the batch still on their way, each with the step it is at. */
function ClusterSteps({ names, agent }: { names: string[]; agent?: string }): React.JSX.Element | null {
  const byName = useClustersStore((s) => (agent === undefined ? s.byName : (s.byAgent[agent] ?? s.byName)));
  const busy = names
    .map((n) => byName[n])
    .filter((c): c is ClusterRecord => c !== undefined && c.status !== 'ready' && c.status !== 'failed');
  if (busy.length === 0) return null;
  return (
    <ul className="cluster-steps" data-testid="batch-cluster-steps">
      {busy.slice(0, STEPS_SHOWN).map((c) => {
        const step = c.steps[c.steps.length - 1];
        return (
          <li key={c.name}>
            <span className="mono">{c.name}</span>
            <span className={`badge status-${c.status}`}>{c.status}</span>
            {step?.progress && <span className="muted">{step.progress}</span>}
          </li>
        );
      })}
      {busy.length > STEPS_SHOWN && <li className="muted">and {busy.length - STEPS_SHOWN} more</li>}
    </ul>
  );
}
