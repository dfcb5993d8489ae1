import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './components/App';
import { connectClustersStore } from './stores/clusters-store';
import { connectMainClusterStore } from './stores/main-cluster-store';
import { connectEngineInfoStore } from './stores/engine-info-store';
import { connectTelemetryStore } from './stores/telemetry-store';
import { connectThemeStore } from './stores/theme-store';
import './styles.css';

connectThemeStore();
connectMainClusterStore();
connectClustersStore();
connectEngineInfoStore();
connectTelemetryStore();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App />
    </StrictMode>,
  );
}
