/**
 * Fault injection: the faults in effect (kind, clusters, parameters, time
 * left), each clearable, or all at once; and the form that injects one for
 * every cluster or a picked selection. The list follows `faults.changed`, so
 * faults injected over REST or ending by themselves show without a reload.
 */
import { useEffect, useState } from 'react';
import { describeFaultParameters, type ActiveFault } from '../../../../shared/faults';
import { formatDuration, formatTime } from '../../ui/format';
import { connectFaultsStore, useFaultsStore } from './faults-store';
import { FaultForm } from './FaultForm';
import '../../ui/grid-table.css';
import './faults.css';

const KIND_LABELS: Record<ActiveFault['kind'], string> = {
  latency: 'Latency',
  bandwidth: 'Bandwidth',
  api_errors: 'API errors',
  pause_heartbeats: 'Heartbeats paused',
  refuse_connects: 'Connects refused',
  storm: 'Reconnect storm',
};

/** Names shown before "+N more"; the full list is in the tooltip. */
const NAMES_SHOWN = 3;

function Target({ clusters }: { clusters: ActiveFault['clusters'] }): React.JSX.Element {
  if (clusters === 'all') return <span>All clusters</span>;
  const shown = clusters.slice(0, NAMES_SHOWN).join(', ');
  const more = clusters.length - NAMES_SHOWN;
  return (
    <span className="mono" title={clusters.join(', ')}>
      {shown}
      {more > 0 && <span className="muted"> +{more} more</span>}
    </span>
  );
}

function FaultRow({
  fault,
  now,
  onClear,
}: {
  fault: ActiveFault;
  now: number;
  onClear: () => void;
}): React.JSX.Element {
  const left = fault.until === null ? undefined : Date.parse(fault.until) - now;
  return (
    <div className="grid-row fault-row" data-testid={`fault-row-${fault.id}`} data-kind={fault.kind}>
      <span>
        <span className={`badge fault-kind fault-${fault.kind}`}>{KIND_LABELS[fault.kind]}</span>
      </span>
      <Target clusters={fault.clusters} />
      <span data-testid="fault-parameters">{describeFaultParameters(fault.kind, fault.parameters)}</span>
      <span className="muted" title={fault.since}>
        {formatTime(fault.since)}
      </span>
      <span className="num" data-testid="fault-time-left">
        {left === undefined ? (
          <span className="muted">until cleared</span>
        ) : (
          formatDuration(Math.max(0, left))
        )}
      </span>
      <span className="actions">
        <button
          type="button"
          className="button small"
          onClick={onClear}
          data-testid={`clear-fault-${fault.id}`}
        >
          Clear
        </button>
      </span>
    </div>
  );
}

export function FaultsScreen(): React.JSX.Element {
  const { faults, loaded, error, clear } = useFaultsStore();
  const [now, setNow] = useState(() => Date.now());

  useEffect(() => connectFaultsStore(), []);
  // Time left counts down between events.
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);

  // A fault past its end is gone even before the engine's event arrives.
  const shown = faults.filter((f) => f.until === null || Date.parse(f.until) > now - 1000);
  return (
    <>
      <div className="screen-toolbar">
        <h2>Faults</h2>
        <span className="count-pill fault-count" data-testid="fault-count">
          {shown.length} in effect
        </span>
        <span className="spacer" />
        <button
          type="button"
          className="button danger"
          onClick={() => void clear()}
          disabled={shown.length === 0}
          data-testid="clear-all-faults"
        >
          Clear all
        </button>
      </div>
      <main className="content faults-screen">
        <FaultForm />
        <section className="panel faults-list" data-testid="faults-list">
          <header>
            <h2>In effect</h2>
          </header>
          {error && (
            <p className="message error" data-testid="faults-error">
              {error}
            </p>
          )}
          <div className="grid-table">
            <div className="grid-row grid-head fault-row">
              <span>Kind</span>
              <span>Clusters</span>
              <span>Parameters</span>
              <span>Since</span>
              <span className="num">Time left</span>
              <span />
            </div>
            <div className="grid-body">
              {shown.map((f) => (
                <FaultRow key={f.id} fault={f} now={now} onClear={() => void clear(f.id)} />
              ))}
            </div>
          </div>
          {loaded && shown.length === 0 && (
            <p className="empty" data-testid="faults-empty">
              No faults in effect.
            </p>
          )}
        </section>
      </main>
    </>
  );
}
