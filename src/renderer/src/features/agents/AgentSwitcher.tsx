/**
 * Top-bar control for one UI over many agents: which agent the one-agent
 * screens show, and a dialog to add agents by URL and access token (the
 * engine connects before it keeps one, so a wrong address or token is said
 * at once) or remove them.
 */
import { useState } from 'react';
import { LOCAL_AGENT } from '../../engine/agent-engines';
import { useAgentsStore } from '../../engine/stores/agents-store';
import { Modal } from '../../ui/Modal';
import './agents.css';

export function AgentSwitcher(): React.JSX.Element {
  const agents = useAgentsStore((s) => s.agents);
  const selected = useAgentsStore((s) => s.selected);
  const select = useAgentsStore((s) => s.select);
  const [open, setOpen] = useState(false);
  return (
    <div className="agent-switcher">
      {agents.length > 0 && (
        <label className="agent-select">
          <span>Agent</span>
          <select value={selected} onChange={(e) => select(e.target.value)} data-testid="agent-select">
            <option value={LOCAL_AGENT}>this agent</option>
            {agents.map((a) => (
              <option key={a.name} value={a.name}>
                {a.name}
                {a.connected ? '' : ' (offline)'}
              </option>
            ))}
          </select>
        </label>
      )}
      <button type="button" className="button small" onClick={() => setOpen(true)} data-testid="agents-open">
        Agents{agents.length > 0 ? ` (${agents.length + 1})` : ''}
      </button>
      {open && <AgentsDialog onClose={() => setOpen(false)} />}
    </div>
  );
}

function AgentsDialog({ onClose }: { onClose: () => void }): React.JSX.Element {
  const agents = useAgentsStore((s) => s.agents);
  const add = useAgentsStore((s) => s.add);
  const remove = useAgentsStore((s) => s.remove);
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function submit(e: React.FormEvent): Promise<void> {
    e.preventDefault();
    setBusy(true);
    setError(undefined);
    try {
      await add({
        url: url.trim(),
        ...(token ? { token } : {}),
        ...(name.trim() ? { name: name.trim() } : {}),
      });
      setUrl('');
      setToken('');
      setName('');
    } catch (err) {
      setError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal title="Agents" onClose={onClose} width={600} testId="agents-dialog">
      <p className="muted">
        Other agents (the shards of a fleet, say) whose clusters this UI shows beside its own. This agent
        keeps the connections; tokens are sealed in its home folder.
      </p>
      <ul className="agent-list" data-testid="agent-list">
        <li>
          <span className="mono">this agent</span>
          <span className="badge status-ready">connected</span>
        </li>
        {agents.map((a) => (
          <li key={a.name} data-testid={`agent-${a.name}`}>
            <span className="mono">{a.name}</span>
            <span className="muted mono">{a.url}</span>
            <span className={`badge ${a.connected ? 'status-ready' : 'status-failed'}`}>
              {a.connected ? 'connected' : 'offline'}
            </span>
            {a.error && !a.connected && <span className="row-error">{a.error}</span>}
            <span className="spacer" />
            <button type="button" className="button small danger" onClick={() => void remove(a.name)}>
              Remove
            </button>
          </li>
        ))}
      </ul>
      <form className="agent-form" onSubmit={(e) => void submit(e)}>
        <label className="field grow">
          <span>URL</span>
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder="http://10.0.0.7:9090"
            data-testid="agent-url"
            required
          />
        </label>
        <label className="field">
          <span>Access token</span>
          <input
            type="password"
            value={token}
            onChange={(e) => setToken(e.target.value)}
            autoComplete="off"
            data-testid="agent-token"
          />
        </label>
        <label className="field">
          <span>Name (optional)</span>
          <input value={name} onChange={(e) => setName(e.target.value)} data-testid="agent-name" />
        </label>
        <button
          type="submit"
          className="button primary"
          disabled={busy || !url.trim()}
          data-testid="agent-add"
        >
          {busy ? 'Connecting…' : 'Add agent'}
        </button>
      </form>
      {error && (
        <p className="message error" role="alert" data-testid="agent-error">
          {error}
        </p>
      )}
    </Modal>
  );
}
