/**
 * Profiles of the engine from the Memory screen: a CPU profile over the
 * chosen seconds, or a heap snapshot, saved as a file that Chrome DevTools
 * opens (the browser's download; in the desktop app Electron asks where to
 * save it). Progress shows while the engine takes it; one at a time.
 */
import { useState } from 'react';
import type { ProfileFile } from '../../../../shared/telemetry';
import { useEngine } from '../../engine/engine-provider';
import { useNow } from '../../ui/use-now';

const CPU_SECONDS = [10, 30, 60] as const;
const KINDS = [
  { what: 'cpu', label: 'CPU profile', testId: 'cpu-profile' },
  { what: 'heap', label: 'Heap snapshot', testId: 'heap-snapshot' },
] as const;

function save(file: ProfileFile): void {
  const url = URL.createObjectURL(new Blob([file.text], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = file.fileName;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoked later: the download reads the blob after the click returns.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

export function ProfileButtons(): React.JSX.Element {
  const engine = useEngine();
  const [seconds, setSeconds] = useState<number>(10);
  const [running, setRunning] = useState<{ what: 'cpu' | 'heap'; until?: number }>();
  const now = useNow(250);
  const [result, setResult] = useState<{ ok: boolean; text: string }>();

  const take = async (what: 'cpu' | 'heap'): Promise<void> => {
    setResult(undefined);
    setRunning({ what, ...(what === 'cpu' ? { until: now + seconds * 1000 } : {}) });
    try {
      const file =
        what === 'cpu'
          ? await engine.call('debug.cpuProfile', { seconds })
          : await engine.call('debug.heapSnapshot', undefined);
      save(file);
      setResult({
        ok: true,
        text: `Saved ${file.fileName} (${(file.text.length / 1048576).toFixed(1)} MiB)`,
      });
    } catch (err) {
      setResult({ ok: false, text: (err as Error).message });
    } finally {
      setRunning(undefined);
    }
  };

  const progress = running
    ? running.what === 'cpu'
      ? `Profiling the engine: ${Math.max(0, Math.ceil(((running.until ?? now) - now) / 1000))} s left`
      : 'Writing the heap snapshot (the engine pauses while V8 writes it)…'
    : undefined;

  return (
    <section className="panel profiles" data-testid="profiles">
      <header>
        <h2>Profiles</h2>
        <span className="muted small">Files for Chrome DevTools (Performance and Memory panels)</span>
      </header>
      <div className="profile-actions">
        <select
          aria-label="CPU profile length"
          data-testid="cpu-profile-seconds"
          value={seconds}
          disabled={!!running}
          onChange={(e) => setSeconds(Number(e.target.value))}
        >
          {CPU_SECONDS.map((s) => (
            <option key={s} value={s}>
              {s} s
            </option>
          ))}
        </select>
        {KINDS.map((k) => (
          <button
            key={k.what}
            type="button"
            className="button"
            data-testid={k.testId}
            disabled={!!running}
            onClick={() => void take(k.what)}
          >
            {k.label}
          </button>
        ))}
        {progress && (
          <span className="muted small" role="status" data-testid="profile-progress">
            {progress}
          </span>
        )}
        {result && (
          <span className={`small ${result.ok ? 'muted' : 'message error'}`} data-testid="profile-result">
            {result.text}
          </span>
        )}
      </div>
    </section>
  );
}
