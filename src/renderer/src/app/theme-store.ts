/**
 * Light or dark: follows the system (prefers-color-scheme) unless the user
 * picks one, which is remembered in this browser/app profile. The resolved
 * theme is set on <html data-theme>, where the CSS variables switch.
 */
import { create } from 'zustand';

export type ThemePreference = 'system' | 'light' | 'dark';
export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'scale-agent.theme';
const PREFERENCES: readonly ThemePreference[] = ['system', 'light', 'dark'];

interface ThemeState {
  preference: ThemePreference;
  theme: Theme;
  setPreference(p: ThemePreference): void;
  /** system → light → dark → system */
  cycle(): void;
}

function systemTheme(): Theme {
  return window.matchMedia?.('(prefers-color-scheme: light)').matches ? 'light' : 'dark';
}

function readPreference(): ThemePreference {
  try {
    const saved = window.localStorage.getItem(STORAGE_KEY);
    return PREFERENCES.includes(saved as ThemePreference) ? (saved as ThemePreference) : 'system';
  } catch {
    return 'system';
  }
}

const resolve = (p: ThemePreference): Theme => (p === 'system' ? systemTheme() : p);

export const useThemeStore = create<ThemeState>((set, get) => ({
  preference: 'system',
  theme: 'dark',
  setPreference(preference) {
    try {
      window.localStorage.setItem(STORAGE_KEY, preference);
    } catch {
      // storage unavailable: the choice lasts for this session
    }
    set({ preference, theme: resolve(preference) });
  },
  cycle() {
    const next = PREFERENCES[(PREFERENCES.indexOf(get().preference) + 1) % PREFERENCES.length]!;
    get().setPreference(next);
  },
}));

/** Applies the theme now (before the first paint) and follows system changes; call once at startup. */
export function connectThemeStore(): void {
  const preference = readPreference();
  useThemeStore.setState({ preference, theme: resolve(preference) });
  useThemeStore.subscribe((s) => {
    document.documentElement.dataset.theme = s.theme;
  });
  document.documentElement.dataset.theme = useThemeStore.getState().theme;
  window.matchMedia?.('(prefers-color-scheme: light)').addEventListener('change', () => {
    const { preference: p } = useThemeStore.getState();
    if (p === 'system') useThemeStore.setState({ theme: systemTheme() });
  });
}
