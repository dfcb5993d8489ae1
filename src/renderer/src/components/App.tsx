import { useState } from 'react';
import { BatchWizard } from './BatchWizard';
import { ClusterDetails } from './ClusterDetails';
import { ClusterTable } from './ClusterTable';
import { MainClusterPanel } from './MainClusterPanel';

export function App(): React.JSX.Element {
  const [wizardOpen, setWizardOpen] = useState(false);
  const [detailsName, setDetailsName] = useState<string>();
  return (
    <div className="app">
      <header className="topbar">
        <h1>Scale Cluster Agent</h1>
        <span className="spacer" />
        <button
          type="button"
          className="button primary"
          onClick={() => setWizardOpen(true)}
          data-testid="new-batch"
        >
          New batch
        </button>
      </header>
      <main className="content">
        <div className="sidebar">
          <MainClusterPanel />
          {detailsName && <ClusterDetails name={detailsName} onClose={() => setDetailsName(undefined)} />}
        </div>
        <ClusterTable selectedName={detailsName} onOpen={setDetailsName} />
      </main>
      {wizardOpen && <BatchWizard onClose={() => setWizardOpen(false)} />}
    </div>
  );
}
