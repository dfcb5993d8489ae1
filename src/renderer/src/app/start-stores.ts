/**
 * The EngineProvider's init (main.tsx): gives each store its engine, then
 * starts the ones the whole app follows from startup (the status bar and
 * several screens read them). The others start when their screen is first
 * shown. The cluster lists and the agents list follow every agent through
 * this one (the root engine); the one-agent screens' stores talk to the
 * agent selected in the top bar.
 */
import type { SelectedAgentEngine } from '../engine/agent-engines';
import { connectAgentsStore } from '../engine/stores/agents-store';
import { bindClustersStore, connectClustersStore } from '../engine/stores/clusters-store';
import { bindEngineInfoStore, connectEngineInfoStore } from '../engine/stores/engine-info-store';
import { bindMainClusterStore, connectMainClusterStore } from '../engine/stores/main-cluster-store';
import { bindTelemetryStore, connectTelemetryStore } from '../engine/stores/telemetry-store';
import { bindFaultsStore } from '../features/faults/faults-store';
import { bindInspectorStore } from '../features/inspector/inspector-store';
import { bindLogsStore } from '../features/logs/logs-store';
import { bindSettingsStore } from '../features/settings/settings-store';

export function startStores(engine: SelectedAgentEngine): void {
  bindClustersStore(engine.root);
  for (const bind of [
    bindMainClusterStore,
    bindEngineInfoStore,
    bindTelemetryStore,
    bindFaultsStore,
    bindInspectorStore,
    bindLogsStore,
    bindSettingsStore,
  ]) {
    bind(engine);
  }
  connectAgentsStore(engine);
  connectMainClusterStore();
  connectClustersStore();
  connectEngineInfoStore();
  connectTelemetryStore();
}
