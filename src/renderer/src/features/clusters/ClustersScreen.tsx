import { useState } from 'react';
import { usePolledCall } from '../../engine/use-polled-call';
import { engineForAgent, parseClusterKey } from '../../engine/agent-engines';
import { EngineProvider, useEngine } from '../../engine/engine-provider';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { BatchWizard } from './BatchWizard';
import { ClusterDetails } from './ClusterDetails';
import { ClusterTable } from './ClusterTable';
import { MainClusterPanel } from './MainClusterPanel';
import './clusters.css';

/** The cluster table with the main-cluster panel, a row's details and the batch wizard. */
export function ClustersScreen(): React.JSX.Element {
  const [wizardOpen, setWizardOpen] = useState(false);
  const [detailsName, setDetailsName] = useState<string>();
  // Rancher pings every cluster every 15 s: one read of all of them for the table and the
  // details pane, not an event per ping.
  const { data: lastPings } = usePolledCall('clusters.lastPings', undefined, 5000);
  const engine = useEngine();
  const selectedAgent = useClustersStore((s) => s.selected);
  const details = detailsName === undefined ? undefined : parseClusterKey(detailsName);
  return (
    <>
      <div className="screen-toolbar">
        <h2>Clusters</h2>
        <span className="spacer" />
        <button
          type="button"
          className="button primary"
          onClick={() => setWizardOpen(true)}
          data-testid="new-batch"
          data-shortcut="new"
          title="New batch (n)"
        >
          New batch
        </button>
      </div>
      <main className="content">
        <div className="sidebar">
          <MainClusterPanel />
          {details && (
            // The details pane talks to the agent that holds the cluster.
            <EngineProvider engine={engineForAgent(engine, details.agent)}>
              <ClusterDetails
                agent={details.agent}
                name={details.name}
                lastPing={details.agent === selectedAgent ? lastPings?.[details.name] : undefined}
                onClose={() => setDetailsName(undefined)}
              />
            </EngineProvider>
          )}
        </div>
        <ClusterTable selectedName={detailsName} onOpen={setDetailsName} lastPings={lastPings} />
      </main>
      {wizardOpen && <BatchWizard onClose={() => setWizardOpen(false)} />}
    </>
  );
}
