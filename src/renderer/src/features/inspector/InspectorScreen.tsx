/**
 * The live tunnel inspector: pick a cluster and one of its sessions (main or
 * Steve), watch its remotedialer frames go by (pausable), filter them by type
 * and connection, follow one connection's conversation, read the session's
 * counters and export what the engine recorded as NDJSON.
 */
import { memo, useEffect, useMemo, useState } from 'react';
import { FRAME_TYPES, type SessionCounters, type TunnelSessionKind } from '../../../../shared/inspector';
import { filterRows } from './frame-rows';
import { formatBytes, formatCount } from '../../ui/units';
import { useClustersStore } from '../../engine/stores/clusters-store';
import {
  closeConversation,
  closeInspectorScreen,
  exportNdjson,
  followConnection,
  inspectCluster,
  MAX_ROWS,
  openInspectorScreen,
  reconnectSession,
  selectSession,
  setPaused,
  useInspectorStore,
} from './inspector-store';
import { InspectorConversation } from './InspectorConversation';
import { InspectorFrameList } from './InspectorFrameList';
import './inspector.css';

const NAME_ORDER = new Intl.Collator(undefined, { numeric: true });

const SESSION_LABELS: Record<TunnelSessionKind, string> = { main: 'Main', steve: 'Steve' };

function Counters({ counters }: { counters: SessionCounters | undefined }): React.JSX.Element {
  const items: [string, string, string][] = [
    ['state', 'State', counters ? (counters.state === 'none' ? 'no tunnel' : counters.state) : '—'],
    ['fps', 'Frames/s', formatCount(counters?.framesPerSecond)],
    ['bps', 'Bytes/s', counters ? `${formatBytes(counters.bytesPerSecond)}/s` : '—'],
    ['open', 'Open conns', formatCount(counters?.openConnections)],
    ['pauses', 'Pauses', formatCount(counters?.pauses)],
    ['reconnects', 'Reconnects', formatCount(counters?.reconnects)],
    ['frames', 'Frames total', formatCount(counters?.framesTotal)],
    ['bytes', 'Bytes total', formatBytes(counters?.bytesTotal)],
  ];
  return (
    <div className="inspector-counters" data-testid="inspector-counters">
      {items.map(([id, label, value]) => (
        <div key={id} className="counter">
          <span className="muted small">{label}</span>
          <strong
            className={id === 'state' ? `tunnel-state-${value}` : undefined}
            data-testid={`counter-${id}`}
          >
            {value}
          </strong>
        </div>
      ))}
    </div>
  );
}

/** Thousands of options: rendered again only when the names or the choice change, not on every batch. */
const ClusterPicker = memo(function ClusterPicker({
  names,
  value,
}: {
  names: string[];
  value: string | undefined;
}): React.JSX.Element {
  return (
    <select
      aria-label="Cluster"
      value={value ?? ''}
      onChange={(e) => void inspectCluster(e.target.value || undefined)}
      data-testid="inspector-cluster"
    >
      <option value="">Pick a cluster…</option>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
});

export function InspectorScreen(): React.JSX.Element {
  // Only the names matter here: status updates of a thousand clusters must not re-render the screen.
  const nameKey = useClustersStore((s) => Object.keys(s.byName).join('\n'));
  const cluster = useInspectorStore((s) => s.cluster);
  const session = useInspectorStore((s) => s.session);
  const rows = useInspectorStore((s) => s.rows[s.session]);
  const counters = useInspectorStore((s) => s.counters[s.session]);
  const paused = useInspectorStore((s) => s.paused);
  const held = useInspectorStore((s) => s.held[s.session].length);
  const skipped = useInspectorStore((s) => s.skipped);
  const watching = useInspectorStore((s) => s.watching);
  const error = useInspectorStore((s) => s.error);
  const conversation = useInspectorStore((s) => s.conversation);
  const [typeFilter, setTypeFilter] = useState('');
  const [connFilter, setConnFilter] = useState('');
  const [exportState, setExportState] = useState<string>();

  useEffect(() => {
    openInspectorScreen();
    return () => closeInspectorScreen();
  }, []);

  const names = useMemo(() => (nameKey ? nameKey.split('\n').sort(NAME_ORDER.compare) : []), [nameKey]);
  const hasTunnels = useClustersStore((s) => Boolean(cluster && s.byName[cluster]?.tunnels));

  const filter = useMemo(() => ({ type: typeFilter, connId: connFilter.trim() }), [typeFilter, connFilter]);
  const shown = useMemo(() => filterRows(rows, filter), [rows, filter]);

  const follow = (connId: string): void => {
    setConnFilter(connId);
    void followConnection(connId);
  };

  const onExport = async (): Promise<void> => {
    setExportState('exporting…');
    try {
      const n = await exportNdjson(filter);
      setExportState(`exported ${n} frames`);
    } catch (err) {
      setExportState(`export failed: ${(err as Error).message}`);
    }
  };

  return (
    <div className="inspector-screen">
      <div className="screen-toolbar inspector-toolbar">
        <h2>Tunnel inspector</h2>
        <ClusterPicker names={names} value={cluster} />
        <div className="segmented" role="group" aria-label="Session">
          {(['main', 'steve'] as const).map((s) => (
            <button
              key={s}
              type="button"
              className={s === session ? 'active' : ''}
              aria-pressed={s === session}
              onClick={() => selectSession(s)}
              data-testid={`session-${s}`}
            >
              {SESSION_LABELS[s]}
            </button>
          ))}
        </div>
        <span className="spacer" />
        <button
          type="button"
          className="button"
          disabled={!cluster}
          onClick={() => setPaused(!paused)}
          data-testid="pause-toggle"
          aria-pressed={paused}
        >
          {paused ? `Resume${held ? ` (${formatCount(held)} new)` : ''}` : 'Pause'}
        </button>
        <button
          type="button"
          className="button"
          disabled={!cluster || !hasTunnels}
          title="Drop this session so it reconnects: watch it from its first frame"
          onClick={() => void reconnectSession()}
          data-testid="reconnect-session"
        >
          Reconnect
        </button>
        <button
          type="button"
          className="button"
          disabled={!cluster}
          onClick={() => void onExport()}
          data-testid="export-ndjson"
        >
          Export NDJSON
        </button>
      </div>
      <div className="inspector-body">
        <section className="panel inspector-frames" aria-label="Frames">
          <header>
            <h2>
              {cluster ? `${cluster} · ${SESSION_LABELS[session]}` : 'Frames'}
              <span className="count" data-testid="frame-count">
                {shown.length === rows.length ? rows.length : `${shown.length} of ${rows.length}`}
              </span>
              {paused && <span className="badge paused">paused</span>}
            </h2>
            <select
              aria-label="Filter by type"
              value={typeFilter}
              onChange={(e) => setTypeFilter(e.target.value)}
              data-testid="type-filter"
            >
              <option value="">All types</option>
              {FRAME_TYPES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
            <input
              type="search"
              inputMode="numeric"
              placeholder="connID"
              aria-label="Filter by connection id"
              value={connFilter}
              onChange={(e) => setConnFilter(e.target.value.replace(/[^0-9]/g, ''))}
              data-testid="conn-filter"
              data-shortcut="filter"
            />
          </header>
          <Counters counters={counters} />
          {error && (
            <p className="message error" data-testid="inspector-error">
              {error}
            </p>
          )}
          {exportState && (
            <p className="message" data-testid="export-state">
              {exportState}
            </p>
          )}
          {skipped > 0 && (
            <p className="message" data-testid="skipped">
              {formatCount(skipped)} frames came too fast to show live; they are in the recorded history
              (Export).
            </p>
          )}
          {!cluster && <p className="empty">Pick a cluster to watch its tunnel frames.</p>}
          {cluster && !hasTunnels && rows.length === 0 && (
            <p className="empty" data-testid="no-tunnels">
              {cluster} has no tunnels to Rancher (local only or not imported yet); frames appear once it
              connects.
            </p>
          )}
          {cluster && (
            <InspectorFrameList
              rows={shown}
              followed={conversation?.connId}
              onConnection={follow}
              testId="frame-list"
            />
          )}
          {cluster && (
            <p className="muted small">
              {watching ? 'Live' : 'Connecting…'} · newest {formatCount(MAX_ROWS)} frames per session shown ·
              the engine keeps up to 20,000 per session while the cluster is watched
            </p>
          )}
        </section>
        {conversation && conversation.session === session && (
          <InspectorConversation
            conversation={conversation}
            onClose={() => {
              closeConversation();
              setConnFilter('');
            }}
          />
        )}
      </div>
    </div>
  );
}
