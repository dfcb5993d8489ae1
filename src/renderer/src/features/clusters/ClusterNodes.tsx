/** A cluster's nodes in its details pane: readiness, roles, capacity, allocatable and what is requested. */
import { usePolledCall } from '../../engine/use-polled-call';

const REFRESH_MS = 5000;

function pair(requested: string | undefined, allocatable: string | undefined): string {
  return `${requested ?? '0'} / ${allocatable ?? '—'}`;
}

export function ClusterNodes({ name }: { name: string }): React.JSX.Element {
  const { data: nodes, error } = usePolledCall('clusters.nodes', { name }, REFRESH_MS);
  if (error) return <p className="message error">{error}</p>;
  if (!nodes) return <p className="muted small">Loading nodes…</p>;
  if (nodes.length === 0) return <p className="muted small">No nodes yet.</p>;
  return (
    <table className="nodes-table" data-testid="cluster-nodes">
      <thead>
        <tr>
          <th>Node</th>
          <th>Ready</th>
          <th title="requested / allocatable">CPU</th>
          <th title="requested / allocatable">Memory</th>
          <th title="pods on the node / allocatable">Pods</th>
        </tr>
      </thead>
      <tbody>
        {nodes.map((n) => (
          <tr
            key={n.name}
            data-testid={`node-${n.name}`}
            title={`roles: ${n.roles.join(', ') || 'none'}; capacity ${n.capacity.cpu ?? '?'} CPU, ${n.capacity.memory ?? '?'} memory; limits ${n.limits.cpu ?? '0'} CPU, ${n.limits.memory ?? '0'} memory`}
          >
            <td className="mono">{n.name}</td>
            <td className={n.ready === 'True' ? 'ok' : 'row-error'}>
              {n.ready === 'True' ? 'Ready' : 'NotReady'}
            </td>
            <td>{pair(n.requested.cpu, n.allocatable.cpu)}</td>
            <td>{pair(n.requested.memory, n.allocatable.memory)}</td>
            <td>{pair(String(n.pods), n.allocatable.pods)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
