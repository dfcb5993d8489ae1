/**
 * The app shell: navigation between the screens of screens.tsx, the status
 * bar, and the keyboard shortcuts. Screens opt into the common shortcuts by
 * marking elements: `data-shortcut="filter"` gets the focus on '/', and
 * `data-shortcut="new"` is clicked on 'n', so the shell needs to know
 * nothing about any screen.
 */
import { useCallback, useEffect, useRef, useState, useTransition } from 'react';
// Before the screens: their own sheets come later in the page and refine the shell's.
import './app-shell.css';
import { SCREENS } from './screens';
import { useThemeStore } from './theme-store';
import { ShortcutHelp } from './ShortcutHelp';
import { StatusBar } from './StatusBar';
import { AgentSwitcher } from '../features/agents/AgentSwitcher';

/** Typing in a field must not trigger single-key shortcuts. */
function isTyping(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  return (
    target.isContentEditable ||
    target instanceof HTMLTextAreaElement ||
    target instanceof HTMLSelectElement ||
    (target instanceof HTMLInputElement && !['checkbox', 'radio', 'button'].includes(target.type))
  );
}

export function App(): React.JSX.Element {
  const [active, setActive] = useState(SCREENS[0]?.id ?? 'clusters');
  // A screen switch renders as a transition: the click or key returns at once and the new
  // screen (a 1,000-option cluster picker, say) is built in slices instead of one long task.
  const [, startSwitch] = useTransition();
  const show = useCallback((id: string) => startSwitch(() => setActive(id)), []);
  const [helpOpen, setHelpOpen] = useState(false);
  const screenRef = useRef<HTMLDivElement>(null);
  const closeHelp = useCallback(() => setHelpOpen(false), []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      // Alt+<digit> switches screens, from anywhere in the app.
      if (e.altKey && !e.ctrlKey && !e.metaKey) {
        const screen = SCREENS.find((s) => s.key === e.key);
        if (screen) {
          e.preventDefault();
          show(screen.id);
        }
        return;
      }
      if (e.ctrlKey || e.metaKey || e.altKey || isTyping(e.target)) return;
      const dialogOpen = document.querySelector('[role="dialog"]') !== null;
      const inScreen = (selector: string): HTMLElement | null =>
        screenRef.current?.querySelector<HTMLElement>(selector) ?? null;
      const helpShown = document.querySelector('[data-testid="shortcut-help"]') !== null;
      if (e.key === '?' && (helpShown || !dialogOpen)) {
        e.preventDefault();
        setHelpOpen(!helpShown);
      } else if (dialogOpen) {
        return;
      } else if (e.key === '/') {
        const filter = inScreen('[data-shortcut="filter"]');
        if (filter) {
          e.preventDefault();
          filter.focus();
        }
      } else if (e.key === 'n') {
        const button = inScreen('[data-shortcut="new"]');
        if (button && !(button as HTMLButtonElement).disabled) {
          e.preventDefault();
          button.click();
        }
      } else if (e.key === 't') {
        useThemeStore.getState().cycle();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [show]);

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
              onClick={() => show(s.id)}
            >
              {s.label}
            </button>
          ))}
        </nav>
        <AgentSwitcher />
      </header>
      <div className="screen" ref={screenRef} data-testid={`screen-${screen?.id}`}>
        {screen?.render()}
      </div>
      <StatusBar onShortcuts={() => setHelpOpen(true)} />
      {helpOpen && <ShortcutHelp onClose={closeHelp} />}
    </div>
  );
}
