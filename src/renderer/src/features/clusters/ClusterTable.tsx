/**
 * The simulated clusters of this agent and of every agent added to the UI,
 * live: sortable, filterable, windowed for thousands of rows, with
 * multi-select and batch delete. With other agents added, each row names its
 * agent, and its actions go to that agent.
 */
import { useMemo, useState } from 'react';
import {
  CLUSTER_STATUSES,
  type ClusterRecord,
  type ClusterStatus,
  type TunnelInfo,
} from '../../../../shared/cluster';
import { useNow } from '../../ui/use-now';
import { formatAge } from '../../ui/format';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { useEngine } from '../../engine/engine-provider';
import { clusterKey, engineForAgent, LOCAL_AGENT, parseClusterKey } from '../../engine/agent-engines';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { VirtualRows } from '../../ui/VirtualRows';
import '../../ui/grid-table.css';

const ROW_HEIGHT = 36;

type SortKey = 'name' | 'status' | 'template' | 'nodes' | 'pods' | 'rancherId' | 'age';

const COLUMNS: { key: SortKey | undefined; label: string }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'template', label: 'Template' },
  { key: 'nodes', label: 'Nodes' },
  { key: 'pods', label: 'Pods' },
  { key: 'rancherId', label: 'Rancher' },
  { key: undefined, label: 'Tunnels' },
  { key: 'age', label: 'Age' },
  { key: undefined, label: '' },
];

/**
 * One collator for every comparison: localeCompare with options builds one
 * per call, which made sorting 1,000 rows take ~36 ms (a long task) instead of ~1.5 ms.
 */
const NAME_ORDER = new Intl.Collator(undefined, { numeric: true });

function compare(a: ClusterRecord, b: ClusterRecord, key: SortKey): number {
  switch (key) {
    case 'name':
      return NAME_ORDER.compare(a.name, b.name);
    case 'status':
      return CLUSTER_STATUSES.indexOf(a.status) - CLUSTER_STATUSES.indexOf(b.status);
    case 'template':
      return a.template.localeCompare(b.template);
    case 'nodes':
      return a.nodeCount - b.nodeCount;
    case 'pods':
      return a.podCount - b.podCount;
    case 'rancherId':
      return a.rancherId.localeCompare(b.rancherId);
    case 'age':
      // Oldest first reads as "largest age first" when descending.
      return Date.parse(b.createdAt) - Date.parse(a.createdAt);
  }
}

function TunnelDot({ label, tunnel }: { label: string; tunnel: TunnelInfo | undefined }): React.JSX.Element {
  const state = tunnel?.state ?? 'none';
  return (
    <span
      className={`tunnel tunnel-${state}`}
      title={`${label}: ${state}${tunnel?.lastError ? ` (${tunnel.lastError})` : ''}`}
    >
      <span className="dot" />
      {label}
    </span>
  );
}

interface ClusterTableProps {
  /** Key (clusterKey) of the cluster whose details are open. */
  selectedName: string | undefined;
  onOpen: (key: string) => void;
  /** When Rancher last pinged each of the selected agent's clusters (ISO time), if it has. */
  lastPings: Record<string, string> | undefined;
}

/** A row: a cluster, the agent that holds it, and its key. */
interface Row {
  c: ClusterRecord;
  agent: string;
  key: string;
}

export function ClusterTable({ selectedName, onOpen, lastPings }: ClusterTableProps): React.JSX.Element {
  const engine = useEngine();
  const byAgent = useClustersStore((s) => s.byAgent);
  const selectedAgent = useClustersStore((s) => s.selected);
  const loaded = useClustersStore((s) => s.loaded);
  const error = useClustersStore((s) => s.error);
  const [filter, setFilter] = useState('');
  const [statusFilter, setStatusFilter] = useState<ClusterStatus | ''>('');
  const [sort, setSort] = useState<{ key: SortKey; desc: boolean }>({ key: 'name', desc: false });
  const [checked, setChecked] = useState<ReadonlySet<string>>(new Set());
  const [confirming, setConfirming] = useState(false);
  const [deleting, setDeleting] = useState(false);
  const [deleteError, setDeleteError] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [busyRows, setBusyRows] = useState<ReadonlySet<string>>(new Set());
  const now = useNow(5000);

  const manyAgents = Object.keys(byAgent).some((a) => a !== LOCAL_AGENT);
  const all = useMemo(
    () =>
      Object.entries(byAgent).flatMap(([agent, byName]) =>
        Object.values(byName).map((c): Row => ({ c, agent, key: clusterKey(agent, c.name) })),
      ),
    [byAgent],
  );
  const keys = useMemo(() => new Set(all.map((r) => r.key)), [all]);
  const rows = useMemo(() => {
    const text = filter.trim().toLowerCase();
    const list = all.filter(
      ({ c, agent }) =>
        (!statusFilter || c.status === statusFilter) &&
        (!text ||
          c.name.includes(text) ||
          agent.toLowerCase().includes(text) ||
          c.rancherId.toLowerCase().includes(text) ||
          c.template.toLowerCase().includes(text) ||
          (c.error ?? '').toLowerCase().includes(text)),
    );
    list.sort((a, b) => {
      const d =
        compare(a.c, b.c, sort.key) ||
        NAME_ORDER.compare(a.c.name, b.c.name) ||
        NAME_ORDER.compare(a.agent, b.agent);
      return sort.desc ? -d : d;
    });
    return list;
  }, [all, filter, statusFilter, sort]);

  const statusCounts = useMemo(() => {
    const counts: Partial<Record<ClusterStatus, number>> = {};
    for (const { c } of all) counts[c.status] = (counts[c.status] ?? 0) + 1;
    return counts;
  }, [all]);

  // Selections of clusters that have since gone are dropped.
  const selected = useMemo(() => [...checked].filter((k) => keys.has(k)), [checked, keys]);
  const allVisibleChecked = rows.length > 0 && rows.every((r) => checked.has(r.key));

  function toggle(name: string): void {
    setChecked((prev) => {
      const next = new Set(prev);
      if (next.has(name)) next.delete(name);
      else next.add(name);
      return next;
    });
  }

  function toggleAllVisible(): void {
    setChecked((prev) => {
      const next = new Set(prev);
      if (allVisibleChecked) rows.forEach((r) => next.delete(r.key));
      else rows.forEach((r) => next.add(r.key));
      return next;
    });
  }

  function sortBy(key: SortKey): void {
    setSort((s) => (s.key === key ? { key, desc: !s.desc } : { key, desc: false }));
  }

  async function rowAction(key: string, channel: 'clusters.retry' | 'clusters.import'): Promise<void> {
    setActionError(undefined);
    setBusyRows((b) => new Set(b).add(key));
    const { agent, name } = parseClusterKey(key);
    try {
      await engineForAgent(engine, agent).call(channel, { name });
    } catch (err) {
      setActionError(
        `${channel === 'clusters.retry' ? 'Retry' : 'Import'} ${name}: ${(err as Error).message}`,
      );
    } finally {
      setBusyRows((b) => {
        const next = new Set(b);
        next.delete(key);
        return next;
      });
    }
  }

  async function deleteSelected(): Promise<void> {
    setDeleting(true);
    setDeleteError(undefined);
    const queue = [...selected];
    const failures: string[] = [];
    // A few at a time: thousands of parallel calls would only queue in the engine.
    const worker = async (): Promise<void> => {
      for (let key = queue.shift(); key !== undefined; key = queue.shift()) {
        const { agent, name } = parseClusterKey(key);
        try {
          await engineForAgent(engine, agent).call('clusters.delete', { name });
        } catch (err) {
          failures.push(`${key}: ${(err as Error).message}`);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
    setDeleting(false);
    if (failures.length) {
      setDeleteError(`${failures.length} could not be deleted: ${failures.slice(0, 3).join('; ')}`);
    } else {
      setConfirming(false);
      setChecked(new Set());
    }
  }

  return (
    <section className="panel clusters" aria-label="Clusters">
      <header>
        <h2>
          Clusters{' '}
          <span className="count" data-testid="cluster-count">
            {all.length}
          </span>
          {rows.length !== all.length && (
            <span className="count" data-testid="cluster-shown">
              ({rows.length} shown)
            </span>
          )}
        </h2>
        <select
          aria-label="Filter by status"
          value={statusFilter}
          onChange={(e) => setStatusFilter(e.target.value as ClusterStatus | '')}
          data-testid="status-filter"
        >
          <option value="">All statuses</option>
          {CLUSTER_STATUSES.map((s) => (
            <option key={s} value={s}>
              {s} ({statusCounts[s] ?? 0})
            </option>
          ))}
        </select>
        <input
          type="search"
          placeholder="Filter by name, id, error"
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
          aria-label="Filter clusters"
          data-testid="cluster-filter"
          data-shortcut="filter"
        />
        <button
          type="button"
          className="button danger"
          disabled={selected.length === 0}
          onClick={() => {
            setDeleteError(undefined);
            setConfirming(true);
          }}
          data-testid="delete-selected"
        >
          Delete{selected.length ? ` ${selected.length}` : ''}
        </button>
      </header>
      {error && <p className="message error">{error}</p>}
      {actionError && (
        <p className="message error" data-testid="action-error">
          {actionError}
        </p>
      )}
      <div className="grid-table" role="table" aria-label="Cluster list">
        <div className="grid-row grid-head" role="row">
          <span role="columnheader">
            <input
              type="checkbox"
              aria-label="Select all shown"
              checked={allVisibleChecked}
              onChange={toggleAllVisible}
              data-testid="select-all"
            />
          </span>
          {COLUMNS.map((col, i) =>
            col.key ? (
              <button
                key={col.label}
                type="button"
                role="columnheader"
                className={`sort ${sort.key === col.key ? 'active' : ''}`}
                onClick={() => sortBy(col.key as SortKey)}
                aria-sort={sort.key === col.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
              >
                {col.label}
                {sort.key === col.key ? (sort.desc ? ' ▼' : ' ▲') : ''}
              </button>
            ) : (
              <span key={`c${i}`} role="columnheader">
                {col.label}
              </span>
            ),
          )}
        </div>
        <VirtualRows
          className="grid-body"
          testId="cluster-rows"
          count={rows.length}
          rowHeight={ROW_HEIGHT}
          renderRow={(i, style) => {
            const row = rows[i];
            if (!row) return null;
            const { c, agent, key } = row;
            const busy = busyRows.has(key);
            const lastPing = agent === selectedAgent ? lastPings?.[c.name] : undefined;
            return (
              <div
                key={key}
                role="row"
                style={style}
                className={`grid-row ${key === selectedName ? 'selected' : ''} ${checked.has(key) ? 'checked' : ''}`}
                data-testid={`cluster-row-${key}`}
                data-agent={agent || 'this agent'}
                onClick={() => onOpen(key)}
              >
                <span role="cell" onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    aria-label={`Select ${key}`}
                    checked={checked.has(key)}
                    onChange={() => toggle(key)}
                    data-testid={`select-${key}`}
                  />
                </span>
                <span
                  role="cell"
                  className="mono name"
                  title={manyAgents ? `${c.name} on ${agent || 'this agent'}` : c.name}
                >
                  {c.name}
                  {manyAgents && (
                    <span className="agent-tag" data-testid={`agent-of-${key}`}>
                      {agent || 'this agent'}
                    </span>
                  )}
                </span>
                <span role="cell" className="status-cell" title={c.error ?? c.message ?? c.status}>
                  <span className={`badge status-${c.status}`}>{c.status}</span>
                  {c.error && <span className="row-error"> {c.error}</span>}
                </span>
                <span role="cell">{c.template}</span>
                <span role="cell" className="num">
                  {c.nodeCount}
                </span>
                <span role="cell" className="num">
                  {c.podCount}
                </span>
                <span
                  role="cell"
                  className="rancher-cell"
                  title={
                    c.rancherId ? `${c.rancherId}: ${c.rancherState ?? 'state not read yet'}` : undefined
                  }
                  data-testid={`rancher-${key}`}
                >
                  {c.rancherState && (
                    <span className={`badge rancher-${c.rancherState}`}>{c.rancherState}</span>
                  )}
                  <span className="mono">{c.rancherId || '—'}</span>
                </span>
                <span role="cell" className="tunnels">
                  <TunnelDot label="main" tunnel={c.tunnels?.main} />
                  <TunnelDot label="steve" tunnel={c.tunnels?.steve} />
                  {lastPing && (
                    <span
                      className="muted small"
                      title={`Rancher's last /ping: ${lastPing}`}
                      data-testid={`last-ping-${c.name}`}
                    >
                      {formatAge(lastPing, now)}
                    </span>
                  )}
                </span>
                <span role="cell" className="muted">
                  {formatAge(c.createdAt, now)}
                </span>
                <span role="cell" className="actions" onClick={(e) => e.stopPropagation()}>
                  {c.status === 'failed' && (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      onClick={() => void rowAction(key, 'clusters.retry')}
                    >
                      Retry
                    </button>
                  )}
                  {c.status === 'ready' && !c.rancherId && (
                    <button
                      type="button"
                      className="button small"
                      disabled={busy}
                      onClick={() => void rowAction(key, 'clusters.import')}
                    >
                      Import
                    </button>
                  )}
                </span>
              </div>
            );
          }}
        />
      </div>
      {loaded && rows.length === 0 && (
        <p className="empty">
          {filter || statusFilter
            ? 'No cluster matches the filter.'
            : 'No clusters yet. Start one with “New batch”.'}
        </p>
      )}
      {confirming && (
        <ConfirmDialog
          title="Delete clusters"
          confirmLabel={`Delete ${selected.length} cluster${selected.length === 1 ? '' : 's'}`}
          busy={deleting}
          error={deleteError}
          onCancel={() => setConfirming(false)}
          onConfirm={() => void deleteSelected()}
          message={
            <>
              <p>
                Delete <strong>{selected.length}</strong> cluster{selected.length === 1 ? '' : 's'}? Their
                objects are removed from the main cluster and, when imported, from Rancher.
              </p>
              <p className="mono muted">
                {selected.slice(0, 8).join(', ')}
                {selected.length > 8 ? `, … ${selected.length - 8} more` : ''}
              </p>
            </>
          }
        />
      )}
    </section>
  );
}
