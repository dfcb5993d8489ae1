/**
 * The engine as React context: the root creates one EngineProvider with the
 * engine client; components and hooks take it with useEngine(). Stores are
 * not components: the provider's `init` is called once with the engine,
 * before anything under it renders, and gives the engine to every store
 * (see app/bind-stores.ts).
 */
import { createContext, useContext, type ReactNode } from 'react';
import type { AgentEngine } from './engine-client';

const EngineContext = createContext<AgentEngine | undefined>(undefined);

/** Engines already given to `init` (StrictMode renders twice; stores are bound once). */
const initialised = new WeakSet<AgentEngine>();

export function EngineProvider({
  engine,
  init,
  children,
}: {
  engine: AgentEngine;
  init?: (engine: AgentEngine) => void;
  children: ReactNode;
}): React.JSX.Element {
  if (init && !initialised.has(engine)) {
    initialised.add(engine);
    init(engine);
  }
  return <EngineContext.Provider value={engine}>{children}</EngineContext.Provider>;
}

/** The engine of the nearest EngineProvider. */
export function useEngine(): AgentEngine {
  const engine = useContext(EngineContext);
  if (!engine) throw new Error('useEngine() outside an EngineProvider');
  return engine;
}
