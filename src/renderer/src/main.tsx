import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/App';
import { startStores } from './app/start-stores';
import { connectThemeStore } from './app/theme-store';
import { createEngineClient } from './engine/engine-client';
import { EngineProvider } from './engine/engine-provider';
import './styles.css';

connectThemeStore();

const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <EngineProvider engine={createEngineClient()} init={startStores}>
        <App />
      </EngineProvider>
    </StrictMode>,
  );
}
