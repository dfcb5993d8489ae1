import type { MainClusterInfo } from '../../../../shared/main-cluster';
import { useMainClusterStore } from '../../engine/stores/main-cluster-store';

const STATE_LABEL: Record<MainClusterInfo['state'], string> = {
  absent: 'Not created',
  stopped: 'Stopped',
  starting: 'Starting…',
  running: 'Running',
  error: 'Error',
};

/** Main cluster status: provider, API endpoint, running or not, node count. */
export function MainClusterPanel(): React.JSX.Element {
  const info = useMainClusterStore((s) => s.info);
  const connected = useMainClusterStore((s) => s.connected);
  if (!info)
    return (
      <section className="panel" aria-label="Main cluster">
        Loading main cluster…
      </section>
    );
  return (
    <section className="panel main-cluster" aria-label="Main cluster">
      <header>
        <h2>Main cluster</h2>
        <span className={`badge state-${info.state}`} data-testid="main-cluster-state">
          {STATE_LABEL[info.state]}
        </span>
        {!connected && <span className="badge state-error">Agent disconnected</span>}
      </header>
      <dl>
        <dt>Name</dt>
        <dd data-testid="main-cluster-name">{info.name}</dd>
        <dt>Provider</dt>
        <dd data-testid="main-cluster-provider">{info.provider}</dd>
        <dt>API endpoint</dt>
        <dd data-testid="main-cluster-endpoint">{info.apiEndpoint ?? '—'}</dd>
        <dt>Kubernetes</dt>
        <dd>{info.kubeVersion ?? '—'}</dd>
        <dt>Nodes</dt>
        <dd data-testid="main-cluster-nodes">{info.nodeCount ?? '—'}</dd>
      </dl>
      {info.message && info.state !== 'running' && <p className="message">{info.message}</p>}
    </section>
  );
}
