import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
// The base sheets first (theme variables, then the controls every screen uses); each part of the
// app imports its own sheet, which comes later in the page and can refine these.
import './app/theme.css';
import './ui/controls.css';
import { App } from './app/App';
import { startStores } from './app/start-stores';
import { connectThemeStore } from './app/theme-store';
import { createEngineClient } from './engine/engine-client';
import { EngineProvider } from './engine/engine-provider';
import { SelectedAgentEngine } from './engine/agent-engines';

connectThemeStore();

// Screens talk to the agent selected in the top bar: this one, or another added to the UI.
const engine = new SelectedAgentEngine(createEngineClient());
const root = document.getElementById('root');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <EngineProvider engine={engine} init={() => startStores(engine)}>
        <App />
      </EngineProvider>
    </StrictMode>,
  );
}
