/** A cluster's actions in its details pane: copy kubeconfig, reconnect, retry, import. */
import { useState } from 'react';
import type { ClusterRecord } from '../../../../shared/cluster';
import { useEngine } from '../../engine/engine-provider';

type Action = 'kubeconfig' | 'reconnect' | 'retry' | 'import';

export function ClusterActions({ cluster }: { cluster: ClusterRecord }): React.JSX.Element {
  const engine = useEngine();
  const [busy, setBusy] = useState<Action>();
  const [result, setResult] = useState<{ ok: boolean; text: string }>();

  async function run(action: Action): Promise<void> {
    setBusy(action);
    setResult(undefined);
    const name = cluster.name;
    try {
      if (action === 'kubeconfig') {
        const { kubeconfig } = await engine.call('clusters.kubeconfig', { name });
        await navigator.clipboard.writeText(kubeconfig);
        setResult({ ok: true, text: 'Kubeconfig copied: it points at the local endpoint on 127.0.0.1' });
      } else if (action === 'reconnect') {
        const { sessions } = await engine.call('clusters.reconnect', { name });
        setResult({ ok: true, text: `Closed ${sessions} sessions; they reconnect now` });
      } else {
        await engine.call(action === 'retry' ? 'clusters.retry' : 'clusters.import', { name });
        setResult({ ok: true, text: action === 'retry' ? 'Retrying' : 'Importing into Rancher' });
      }
    } catch (err) {
      setResult({ ok: false, text: (err as Error).message });
    } finally {
      setBusy(undefined);
    }
  }

  const button = (action: Action, label: string): React.JSX.Element => (
    <button
      type="button"
      className="button small"
      disabled={busy !== undefined}
      onClick={() => void run(action)}
      data-testid={`action-${action}`}
    >
      {busy === action ? '…' : label}
    </button>
  );
  return (
    <div className="details-actions">
      <div className="button-row">
        {cluster.status === 'ready' && button('kubeconfig', 'Copy kubeconfig')}
        {cluster.tunnels && button('reconnect', 'Reconnect')}
        {cluster.status === 'failed' && button('retry', 'Retry')}
        {cluster.status === 'ready' && !cluster.rancherId && button('import', 'Import into Rancher')}
      </div>
      {result && (
        <p className={result.ok ? 'message' : 'message error'} role="status" data-testid="action-result">
          {result.text}
        </p>
      )}
    </div>
  );
}
