/** The latest log lines about one cluster, in its details pane (the Logs screen has the full view). */
import { usePolledCall } from '../../engine/use-polled-call';
import { formatTime } from '../../ui/format';

const REFRESH_MS = 3000;
const LINES = 30;

export function ClusterLogLines({ name }: { name: string }): React.JSX.Element {
  const { data, error } = usePolledCall('logs.tail', { cluster: name, limit: LINES }, REFRESH_MS);
  if (error) return <p className="message error">{error}</p>;
  if (!data) return <p className="muted small">Loading log lines…</p>;
  if (data.lines.length === 0) return <p className="muted small">No log lines about this cluster.</p>;
  return (
    <ol className="details-logs" data-testid="cluster-log-lines">
      {data.lines.map((l) => (
        <li key={l.seq} className={`log-${l.level}`}>
          <span className="muted">{formatTime(new Date(l.time).toISOString())}</span>{' '}
          <span className="log-level">{l.level}</span> {l.msg}
        </li>
      ))}
    </ol>
  );
}
