import { useEffect, useState } from 'react';
import { SCREENS } from '../screens';

export function App(): React.JSX.Element {
  const [active, setActive] = useState(SCREENS[0]?.id ?? 'clusters');
  // Alt+<digit> switches screens, from anywhere in the app.
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      if (!e.altKey || e.ctrlKey || e.metaKey) return;
      const screen = SCREENS.find((s) => s.key === e.key);
      if (screen) {
        e.preventDefault();
        setActive(screen.id);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const screen = SCREENS.find((s) => s.id === active) ?? SCREENS[0];
  return (
    <div className="app">
      <header className="topbar">
        <h1>Scale Cluster Agent</h1>
        <nav className="nav" aria-label="Screens">
          {SCREENS.map((s) => (
            <button
              key={s.id}
              type="button"
              className={s.id === screen?.id ? 'nav-item active' : 'nav-item'}
              aria-current={s.id === screen?.id ? 'page' : undefined}
              title={`${s.label} (Alt+${s.key})`}
              data-testid={`nav-${s.id}`}
              onClick={() => setActive(s.id)}
            >
              {s.label}
            </button>
          ))}
        </nav>
      </header>
      <div className="screen" data-testid={`screen-${screen?.id}`}>
        {screen?.render()}
      </div>
    </div>
  );
}
