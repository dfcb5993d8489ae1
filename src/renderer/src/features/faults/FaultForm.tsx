/**
 * Injects one fault: its kind, its parameters, how long, and for which
 * clusters (all, those made later included, or a picked selection). The
 * request is checked with the engine's own rules (src/shared/faults.ts)
 * before anything is sent, so a bad value shows at once with the words the
 * engine would use.
 */
import { useMemo, useState } from 'react';
import {
  API_ERROR_CODES,
  injectFaultProblem,
  type FaultKind,
  type InjectFaultRequest,
} from '../../../../shared/faults';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { useFaultsStore } from './faults-store';
import { ClusterPicker } from '../../ui/ClusterPicker';

const KINDS: { kind: FaultKind; label: string; what: string }[] = [
  {
    kind: 'latency',
    label: 'Latency',
    what: 'Holds what the clusters send back through their tunnels: every request Rancher makes takes this much longer.',
  },
  {
    kind: 'bandwidth',
    label: 'Bandwidth',
    what: "Caps each cluster's tunnelled traffic (all its connections together, each direction).",
  },
  {
    kind: 'api_errors',
    label: 'API errors',
    what: "The clusters' Kubernetes API answers a share of requests with an error (a Kubernetes Status saying it was injected).",
  },
  {
    kind: 'pause_heartbeats',
    label: 'Pause heartbeats',
    what: 'The nodes stop heartbeating and go NotReady (Ready Unknown) until the fault is cleared; then Ready again.',
  },
  {
    kind: 'drop_tunnels',
    label: 'Drop tunnels',
    what: 'Drops the tunnels once, now; they reconnect by themselves (under the connect rate limit).',
  },
  {
    kind: 'refuse_connects',
    label: 'Refuse connects',
    what: 'Every tunnel connect of every cluster is refused for a while (drop tunnels to see it bite).',
  },
  {
    kind: 'storm',
    label: 'Reconnect storm',
    what: 'Drops tunnels one cluster after another at a rate, for a while, and lets reconnects through at that rate.',
  },
];

const TARGETED: readonly FaultKind[] = [
  'latency',
  'bandwidth',
  'api_errors',
  'pause_heartbeats',
  'drop_tunnels',
];
const TIMED: readonly FaultKind[] = ['latency', 'bandwidth', 'api_errors', 'pause_heartbeats'];

function num(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

export function FaultForm(): React.JSX.Element {
  const byName = useClustersStore((s) => s.byName);
  const names = useMemo(() => Object.keys(byName).sort(), [byName]);
  const inject = useFaultsStore((s) => s.inject);

  const [kind, setKind] = useState<FaultKind>('latency');
  const [ms, setMs] = useState('200');
  const [bandwidth, setBandwidth] = useState('64');
  const [unit, setUnit] = useState(1024);
  const [percent, setPercent] = useState('50');
  const [code, setCode] = useState<number>(503);
  const [duration, setDuration] = useState('');
  const [refuseSeconds, setRefuseSeconds] = useState('30');
  const [stormRate, setStormRate] = useState('2');
  const [stormSeconds, setStormSeconds] = useState('10');
  const [target, setTarget] = useState<'all' | 'selected'>('all');
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [sending, setSending] = useState(false);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();

  // Clusters deleted meanwhile drop out of the selection.
  const picked = useMemo(() => [...selected].filter((n) => byName[n]).sort(), [selected, byName]);

  const request = useMemo((): Record<string, unknown> => {
    const r: Record<string, unknown> = { kind };
    if (TARGETED.includes(kind) && target === 'selected') r.clusters = picked;
    if (TIMED.includes(kind) && duration.trim() !== '') r.seconds = num(duration);
    if (kind === 'latency') r.ms = num(ms);
    if (kind === 'bandwidth') r.bytesPerSecond = Math.round(num(bandwidth) * unit);
    if (kind === 'api_errors') {
      r.rate = num(percent) / 100;
      r.code = code;
    }
    if (kind === 'refuse_connects') r.seconds = num(refuseSeconds);
    if (kind === 'storm') {
      r.ratePerSecond = num(stormRate);
      r.seconds = num(stormSeconds);
    }
    return r;
  }, [
    kind,
    target,
    picked,
    duration,
    ms,
    bandwidth,
    unit,
    percent,
    code,
    refuseSeconds,
    stormRate,
    stormSeconds,
  ]);

  const problem =
    kind === 'api_errors' && !(num(percent) > 0 && num(percent) <= 100)
      ? 'the error rate must be a percentage above 0 and at most 100'
      : injectFaultProblem(request);
  const info = KINDS.find((k) => k.kind === kind);

  const submit = async (): Promise<void> => {
    if (problem || sending) return;
    setSending(true);
    setResult(undefined);
    try {
      const answer = await inject(request as unknown as InjectFaultRequest);
      setResult({
        ok: true,
        text: answer.fault
          ? `Injected ${answer.fault.id}.`
          : `Dropped the tunnels of ${answer.dropped ?? 0} clusters.`,
      });
    } catch (err) {
      setResult({ ok: false, text: (err as Error).message });
    } finally {
      setSending(false);
    }
  };

  const numberField = (
    label: string,
    value: string,
    set: (v: string) => void,
    testId: string,
    unitText?: string,
  ): React.JSX.Element => (
    <label className="field">
      <span>{label}</span>
      <span className="fault-input">
        <input type="number" value={value} onChange={(e) => set(e.target.value)} data-testid={testId} />
        {unitText && <span className="muted small">{unitText}</span>}
      </span>
    </label>
  );

  return (
    <form
      className="panel fault-form"
      data-testid="fault-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <header>
        <h2>Inject a fault</h2>
      </header>
      <div className="fault-kinds" role="radiogroup" aria-label="Fault kind">
        {KINDS.map((k) => (
          <button
            key={k.kind}
            type="button"
            role="radio"
            aria-checked={kind === k.kind}
            className={kind === k.kind ? 'active' : undefined}
            onClick={() => {
              setKind(k.kind);
              setResult(undefined);
            }}
            data-testid={`fault-kind-${k.kind}`}
          >
            {k.label}
          </button>
        ))}
      </div>
      <p className="hint" data-testid="fault-kind-help">
        {info?.what}
      </p>

      <div className="field-row">
        {kind === 'latency' && numberField('Added latency', ms, setMs, 'fault-ms', 'ms')}
        {kind === 'bandwidth' && (
          <label className="field">
            <span>Bandwidth cap</span>
            <span className="fault-input">
              <input
                type="number"
                value={bandwidth}
                onChange={(e) => setBandwidth(e.target.value)}
                data-testid="fault-bandwidth"
              />
              <select value={unit} onChange={(e) => setUnit(Number(e.target.value))} aria-label="Unit">
                <option value={1024}>KiB/s</option>
                <option value={1024 * 1024}>MiB/s</option>
              </select>
            </span>
          </label>
        )}
        {kind === 'api_errors' && (
          <>
            {numberField('Requests that fail', percent, setPercent, 'fault-rate', '%')}
            <label className="field">
              <span>Answer</span>
              <select value={code} onChange={(e) => setCode(Number(e.target.value))} data-testid="fault-code">
                {API_ERROR_CODES.map((c) => (
                  <option key={c} value={c}>
                    {c}{' '}
                    {c === 503 ? 'Service Unavailable' : c === 500 ? 'Internal Error' : 'Too Many Requests'}
                  </option>
                ))}
              </select>
            </label>
          </>
        )}
        {kind === 'refuse_connects' &&
          numberField('For', refuseSeconds, setRefuseSeconds, 'fault-refuse-seconds', 's')}
        {kind === 'storm' && (
          <>
            {numberField('Drops', stormRate, setStormRate, 'fault-storm-rate', 'per s')}
            {numberField('For', stormSeconds, setStormSeconds, 'fault-storm-seconds', 's')}
          </>
        )}
        {TIMED.includes(kind) && (
          <label className="field">
            <span>Duration</span>
            <span className="fault-input">
              <input
                type="number"
                value={duration}
                placeholder="no end"
                onChange={(e) => setDuration(e.target.value)}
                data-testid="fault-duration"
              />
              <span className="muted small">s</span>
            </span>
          </label>
        )}
      </div>

      {TARGETED.includes(kind) ? (
        <div className="fault-target">
          <div className="segmented" role="radiogroup" aria-label="Clusters">
            <button
              type="button"
              role="radio"
              aria-checked={target === 'all'}
              className={target === 'all' ? 'active' : undefined}
              onClick={() => setTarget('all')}
              data-testid="target-all"
            >
              All clusters
            </button>
            <button
              type="button"
              role="radio"
              aria-checked={target === 'selected'}
              className={target === 'selected' ? 'active' : undefined}
              onClick={() => setTarget('selected')}
              data-testid="target-selected"
            >
              Selected clusters
            </button>
          </div>
          {target === 'all' ? (
            <p className="hint">
              Every cluster, {names.length} now
              {kind === 'drop_tunnels' ? '' : ', and those made while it lasts'}.
            </p>
          ) : (
            <ClusterPicker names={names} selected={selected} onChange={setSelected} />
          )}
        </div>
      ) : (
        <p className="hint">Applies to every cluster.</p>
      )}

      {problem && (
        <p className="field-error" data-testid="fault-problem">
          {problem}
        </p>
      )}
      <div className="fault-submit">
        <button
          type="submit"
          className="button primary"
          disabled={Boolean(problem) || sending}
          data-testid="fault-submit"
        >
          {kind === 'drop_tunnels' ? 'Drop now' : 'Inject'}
        </button>
        {result && (
          <span
            className={result.ok ? 'muted small' : 'field-error'}
            data-testid="fault-result"
            role="status"
          >
            {result.text}
          </span>
        )}
      </div>
    </form>
  );
}
