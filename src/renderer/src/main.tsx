import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { connectClustersStore } from './stores/clusters-store';
import { connectMainClusterStore } from './stores/main-cluster-store';
import './styles.css';

connectMainClusterStore();
connectClustersStore();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
