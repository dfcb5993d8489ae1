import { ClusterTable } from './ClusterTable';
import { MainClusterPanel } from './MainClusterPanel';

export function App(): React.JSX.Element {
  return (
    <div className="app">
      <header className="topbar">
        <h1>Scale Cluster Agent</h1>
      </header>
      <main className="content">
        <MainClusterPanel />
        <ClusterTable />
      </main>
    </div>
  );
}
