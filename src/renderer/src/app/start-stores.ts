/**
 * The EngineProvider's init (main.tsx): gives the root's engine to every
 * store, then starts the ones the whole app follows from startup (the status
 * bar and several screens read them). The others start when their screen is
 * first shown.
 */
import type { AgentEngine } from '../engine/engine-client';
import { bindClustersStore, connectClustersStore } from '../engine/stores/clusters-store';
import { bindEngineInfoStore, connectEngineInfoStore } from '../engine/stores/engine-info-store';
import { bindMainClusterStore, connectMainClusterStore } from '../engine/stores/main-cluster-store';
import { bindTelemetryStore, connectTelemetryStore } from '../engine/stores/telemetry-store';
import { bindFaultsStore } from '../features/faults/faults-store';
import { bindInspectorStore } from '../features/inspector/inspector-store';
import { bindLogsStore } from '../features/logs/logs-store';
import { bindSettingsStore } from '../features/settings/settings-store';

export function startStores(engine: AgentEngine): void {
  for (const bind of [
    bindMainClusterStore,
    bindClustersStore,
    bindEngineInfoStore,
    bindTelemetryStore,
    bindFaultsStore,
    bindInspectorStore,
    bindLogsStore,
    bindSettingsStore,
  ]) {
    bind(engine);
  }
  connectMainClusterStore();
  connectClustersStore();
  connectEngineInfoStore();
  connectTelemetryStore();
}
