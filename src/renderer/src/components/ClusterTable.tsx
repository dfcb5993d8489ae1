import { useMemo, useState } from 'react';
import { useNow } from '../hooks/use-now';
import { useClustersStore } from '../stores/clusters-store';

function age(iso: string, now: number): string {
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  return `${Math.floor(s / 86400)}d`;
}

/** The simulated clusters the engine knows, live. */
export function ClusterTable(): React.JSX.Element {
  const byName = useClustersStore((s) => s.byName);
  const loaded = useClustersStore((s) => s.loaded);
  const error = useClustersStore((s) => s.error);
  const [filter, setFilter] = useState('');
  const rows = useMemo(
    () =>
      Object.values(byName)
        .filter((c) => c.name.includes(filter.trim().toLowerCase()))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [byName, filter],
  );
  const now = useNow(5000);
  return (
    <section className="panel clusters" aria-label="Clusters">
      <header>
        <h2>
          Clusters{' '}
          <span className="count" data-testid="cluster-count">
            {Object.keys(byName).length}
          </span>
        </h2>
        <input
          type="search"
          placeholder="Filter by name"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter clusters"
        />
      </header>
      {error && <p className="message error">{error}</p>}
      <table>
        <thead>
          <tr>
            <th>Name</th>
            <th>Status</th>
            <th>Rancher ID</th>
            <th>Age</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((c) => (
            <tr key={c.name} data-testid={`cluster-row-${c.name}`}>
              <td>{c.name}</td>
              <td>
                <span className={`badge status-${c.status}`}>{c.status}</span>
                {c.error && <span className="row-error"> {c.error}</span>}
              </td>
              <td>{c.rancherId || '—'}</td>
              <td>{age(c.createdAt, now)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {loaded && rows.length === 0 && (
        <p className="empty">
          {filter
            ? 'No cluster matches the filter.'
            : 'No clusters yet. Create one with POST /clusters or the API.'}
        </p>
      )}
    </section>
  );
}
