/**
 * Logs: the engine's recent lines, live, newest first, filtered by lowest
 * level, cluster and text, with pause and resume. Only the rows in view are
 * in the page (VirtualRows), so thousands of lines cost as little as twenty.
 * Lines arrive already redacted by the engine's logger.
 */
import { useEffect, useMemo, useState } from 'react';
import { LOG_LEVEL_NAMES, type LogLevelName, type LogLine } from '../../../../shared/logs';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { followLogs, useLogsStore } from './logs-store';
import { VirtualRows } from '../../ui/VirtualRows';
import './logs.css';

const ROW_HEIGHT = 24;
/** Typing in the text filter asks the engine once the typing pauses. */
const TEXT_DEBOUNCE_MS = 250;

function clock(time: number): string {
  const d = new Date(time);
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

export function LogsScreen(): React.JSX.Element {
  const { lines, filter, paused, held, missed, loading, error } = useLogsStore();
  const setFilter = useLogsStore((s) => s.setFilter);
  const clusterNames = useClustersStore((s) => s.byName);
  const [text, setText] = useState(filter.text ?? '');
  const [cluster, setCluster] = useState(filter.cluster ?? '');

  useEffect(() => followLogs(), []);

  useEffect(() => {
    if ((filter.text ?? '') === text) return;
    const timer = setTimeout(() => setFilter({ text }), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [text, filter.text, setFilter]);

  useEffect(() => {
    if ((filter.cluster ?? '') === cluster) return;
    const timer = setTimeout(() => setFilter({ cluster }), TEXT_DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [cluster, filter.cluster, setFilter]);

  const names = useMemo(() => Object.keys(clusterNames).sort(), [clusterNames]);
  const count = lines.length;
  const lineAt = (i: number): LogLine => lines[count - 1 - i]!;

  return (
    <>
      <div className="screen-toolbar logs-toolbar">
        <h2>Logs</h2>
        <label className="logs-filter">
          <span className="muted small">Level</span>
          <select
            value={filter.level ?? ''}
            onChange={(e) => setFilter({ level: (e.target.value || undefined) as LogLevelName | undefined })}
            data-testid="logs-level"
          >
            <option value="">all</option>
            {LOG_LEVEL_NAMES.map((l) => (
              <option key={l} value={l}>
                {l} and above
              </option>
            ))}
          </select>
        </label>
        <label className="logs-filter">
          <span className="muted small">Cluster</span>
          <input
            type="search"
            list="logs-cluster-names"
            value={cluster}
            placeholder="any cluster"
            onChange={(e) => setCluster(e.target.value)}
            data-testid="logs-cluster"
          />
          <datalist id="logs-cluster-names">
            {names.map((n) => (
              <option key={n} value={n} />
            ))}
          </datalist>
        </label>
        <input
          type="search"
          value={text}
          placeholder="Filter text (/)"
          onChange={(e) => setText(e.target.value)}
          data-testid="logs-text"
          data-shortcut="filter"
          aria-label="Filter text"
        />
        <button
          type="button"
          className={paused ? 'button primary' : 'button'}
          onClick={() => (paused ? useLogsStore.getState().resume() : useLogsStore.getState().pause())}
          data-testid="logs-pause"
          aria-pressed={paused}
        >
          {paused ? `Resume${held.length ? ` (${held.length} new)` : ''}` : 'Pause'}
        </button>
        <span className="spacer" />
        <span className="muted small" data-testid="logs-count">
          {loading ? 'loading…' : `${count} line${count === 1 ? '' : 's'}`}
          {missed > 0 ? `, ${missed} not shown (too many at once)` : ''}
        </span>
      </div>
      <main className="logs-screen">
        {error && <p className="banner">Logs cannot be read: {error}</p>}
        {count === 0 && !loading ? (
          <p className="empty" data-testid="logs-empty">
            {filter.level || filter.cluster || filter.text
              ? 'No line matches the filter.'
              : 'No log lines yet.'}
          </p>
        ) : (
          <VirtualRows
            count={count}
            rowHeight={ROW_HEIGHT}
            className="logs-list"
            testId="logs-list"
            renderRow={(i, style) => {
              const line = lineAt(i);
              return (
                <div
                  key={line.seq}
                  style={style}
                  className={`log-row log-${line.level}`}
                  data-testid="log-line"
                  data-level={line.level}
                  data-cluster={line.cluster ?? ''}
                  title={`${new Date(line.time).toISOString()} ${line.level.toUpperCase()} ${line.msg}${line.fields ? ` ${line.fields}` : ''}`}
                >
                  <span className="log-time mono">{clock(line.time)}</span>
                  <span className={`log-level log-level-${line.level}`}>{line.level}</span>
                  <span className="log-cluster mono">
                    {line.cluster ? (
                      <button
                        type="button"
                        className="link-button"
                        onClick={() => setCluster(line.cluster ?? '')}
                      >
                        {line.cluster}
                      </button>
                    ) : (
                      ''
                    )}
                  </span>
                  <span className="log-msg">
                    {line.msg}
                    {line.fields && <span className="log-fields muted"> {line.fields}</span>}
                  </span>
                </div>
              );
            }}
          />
        )}
      </main>
    </>
  );
}
