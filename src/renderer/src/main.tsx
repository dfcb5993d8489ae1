import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { connectClustersStore } from './engine/stores/clusters-store';
import { connectMainClusterStore } from './engine/stores/main-cluster-store';
import { connectEngineInfoStore } from './engine/stores/engine-info-store';
import { connectTelemetryStore } from './engine/stores/telemetry-store';
import { connectThemeStore } from './app/theme-store';
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
