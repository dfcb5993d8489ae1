/**
 * The bar along the bottom of every screen: the main cluster's state, the
 * Rancher connection (host, and how many imported clusters have their main
 * tunnel up), clusters active (ready) out of all, the engine's memory, and
 * the theme and shortcut buttons. With other agents added, cluster and
 * tunnel counts are summed over every agent, the agents' connections are
 * counted, and the main cluster, Rancher host and memory are the selected
 * agent's.
 */
import { useShallow } from 'zustand/react/shallow';
import type { MainClusterInfo } from '../../../shared/main-cluster';
import { formatBytes } from '../ui/units';
import { useClustersStore } from '../engine/stores/clusters-store';
import { useAgentsStore } from '../engine/stores/agents-store';
import { useEngineInfoStore } from '../engine/stores/engine-info-store';
import { useMainClusterStore } from '../engine/stores/main-cluster-store';
import { useTelemetryStore } from '../engine/stores/telemetry-store';
import { useThemeStore } from './theme-store';

const MAIN_STATE: Record<MainClusterInfo['state'], string> = {
  absent: 'not created',
  stopped: 'stopped',
  starting: 'starting',
  running: 'running',
  error: 'error',
};

function rancherHost(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

export function StatusBar({ onShortcuts }: { onShortcuts: () => void }): React.JSX.Element {
  const main = useMainClusterStore((s) => s.info);
  const connected = useMainClusterStore((s) => s.connected);
  const rancherUrl = useEngineInfoStore((s) => s.info?.rancherUrl);
  const counts = useClustersStore(
    useShallow((s) => {
      let total = 0;
      let active = 0;
      let imported = 0;
      let mainUp = 0;
      for (const byName of Object.values(s.byAgent)) {
        for (const c of Object.values(byName)) {
          total++;
          if (c.status === 'ready') active++;
          if (c.tunnels) {
            imported++;
            if (c.tunnels.main.state === 'connected') mainUp++;
          }
        }
      }
      return { total, active, imported, mainUp };
    }),
  );
  const rss = useTelemetryStore((s) => s.latest?.rssBytes);
  const agents = useAgentsStore(
    useShallow((s) => ({
      total: s.agents.length + 1,
      connected: s.agents.filter((a) => a.connected).length + 1,
      selected: s.selected,
    })),
  );
  const preference = useThemeStore((s) => s.preference);
  const cycleTheme = useThemeStore((s) => s.cycle);
  const host = rancherHost(rancherUrl);
  return (
    <footer className="statusbar" data-testid="status-bar">
      {!connected && (
        <span className="status-item status-bad" data-testid="status-disconnected">
          Agent disconnected
        </span>
      )}
      {agents.total > 1 && (
        <span className="status-item" title="Agents shown in this UI: connected / all (this one included)">
          Agents{' '}
          <strong className="mono" data-testid="status-agents">
            {agents.connected}/{agents.total}
          </strong>{' '}
          · showing <strong>{agents.selected || 'this agent'}</strong>
        </span>
      )}
      <span className="status-item" title={main?.message ?? ''}>
        <span className={`status-dot state-${main?.state ?? 'starting'}`} />
        Main cluster <strong data-testid="status-main-cluster">{main ? MAIN_STATE[main.state] : '…'}</strong>
      </span>
      <span className="status-item" title={rancherUrl || 'No Rancher configured'}>
        Rancher{' '}
        {host ? (
          <>
            <strong className="mono" data-testid="status-rancher-host">
              {host}
            </strong>
            <span data-testid="status-rancher-tunnels">
              {counts.mainUp}/{counts.imported} tunnels up
            </span>
          </>
        ) : (
          <strong data-testid="status-rancher-host">not configured</strong>
        )}
      </span>
      <span className="status-item" title="Clusters ready / all clusters">
        Clusters{' '}
        <strong className="mono" data-testid="status-clusters">
          {counts.active}/{counts.total}
        </strong>{' '}
        active
      </span>
      <span className="status-item" title="Engine resident memory (RSS)">
        Memory{' '}
        <strong className="mono" data-testid="status-memory">
          {formatBytes(rss)}
        </strong>
      </span>
      <span className="spacer" />
      <button
        type="button"
        className="status-button"
        data-testid="theme-toggle"
        title="Theme: follow the system, light or dark (t)"
        onClick={cycleTheme}
      >
        Theme: {preference}
      </button>
      <button
        type="button"
        className="status-button"
        data-testid="shortcuts-button"
        title="Keyboard shortcuts (?)"
        onClick={onShortcuts}
      >
        ? Shortcuts
      </button>
    </footer>
  );
}
