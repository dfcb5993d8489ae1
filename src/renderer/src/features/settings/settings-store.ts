/**
 * The Settings screen's state: what the engine says is saved, the form's
 * draft (text as typed), a newly typed API token (write-only: the engine
 * never sends one back, so this holds only what the user typed, and is
 * forgotten once saved), and the last save and connection-test results.
 */
import { parseConcurrency } from '../../../../shared/cluster-names';
import { create } from 'zustand';
import type {
  ConnectionTestResult,
  SettingsField,
  SettingsUpdateRequest,
  SettingsUpdateResult,
  SettingsValues,
  SettingsView,
} from '../../../../shared/settings';
import { storeEngine } from '../../engine/store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('settings store');
export const bindSettingsStore = engine.bind;

/** The form as typed: numbers stay text until they are checked. */
export interface SettingsDraft {
  rancherUrl: string;
  rancherCaCert: string;
  rancherInsecure: boolean;
  mainClusterProvider: SettingsValues['mainClusterProvider'];
  mainApiPort: string;
  mainKubeconfig: string;
  defaultTemplate: string;
  defaultConcurrency: string;
  connectRatePerSecond: string;
}

export function draftOf(values: SettingsValues): SettingsDraft {
  return {
    ...values,
    mainApiPort: String(values.mainApiPort),
    defaultConcurrency: String(values.defaultConcurrency),
    connectRatePerSecond: String(values.connectRatePerSecond),
  };
}

function toNumber(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

/** The draft as typed values (numbers that do not parse become NaN, which the checks refuse). */
export function valuesOf(draft: SettingsDraft): SettingsValues {
  return {
    ...draft,
    mainApiPort: toNumber(draft.mainApiPort),
    defaultConcurrency: parseConcurrency(draft.defaultConcurrency),
    connectRatePerSecond: toNumber(draft.connectRatePerSecond),
  };
}

/** Fields whose draft differs from what is saved, with their typed values. */
export function changedValues(view: SettingsView, draft: SettingsDraft): Partial<SettingsValues> {
  const typed = valuesOf(draft);
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(typed) as [keyof SettingsValues, unknown][]) {
    const saved = view.values[field];
    const same = field === 'rancherCaCert' ? String(value).trim() === String(saved).trim() : value === saved;
    if (!same) out[field] = value;
  }
  return out as Partial<SettingsValues>;
}

/** "settings.update: rancherUrl must …; mainApiPort must …; nothing was saved" as field -> problem. */
export function serverFieldErrors(message: string): Partial<Record<SettingsField, string>> {
  const body = message
    .replace(/^settings\.(update|testConnection): /, '')
    .replace(/; nothing was saved$/, '');
  const out: Record<string, string> = {};
  for (const part of body.split('; ')) {
    const m = /^([a-zA-Z]+) (.+)$/.exec(part);
    if (m?.[1] && m[2]) out[m[1]] = m[2];
  }
  return out as Partial<Record<SettingsField, string>>;
}

interface SettingsState {
  view: SettingsView | undefined;
  draft: SettingsDraft | undefined;
  /** A new token typed by the user; '' when none. Never filled from the engine. */
  token: string;
  /** The user asked to remove the saved token. */
  clearToken: boolean;
  loadError: string | undefined;
  saving: boolean;
  saveResult: SettingsUpdateResult | undefined;
  saveError: string | undefined;
  serverErrors: Partial<Record<SettingsField, string>>;
  testing: boolean;
  testResult: ConnectionTestResult | undefined;
  testError: string | undefined;
  load(): Promise<void>;
  edit(patch: Partial<SettingsDraft>): void;
  setToken(token: string): void;
  setClearToken(clear: boolean): void;
  reset(): void;
  save(): Promise<void>;
  testConnection(): Promise<void>;
}

export const useSettingsStore = create<SettingsState>((set, get) => ({
  view: undefined,
  draft: undefined,
  token: '',
  clearToken: false,
  loadError: undefined,
  saving: false,
  saveResult: undefined,
  saveError: undefined,
  serverErrors: {},
  testing: false,
  testResult: undefined,
  testError: undefined,

  async load() {
    try {
      const view = await engine.call('settings.get', undefined);
      // Keep what the user is typing if the form is already open.
      set((s) => ({ view, draft: s.draft ?? draftOf(view.values), loadError: undefined }));
    } catch (err) {
      set({ loadError: (err as Error).message });
    }
  },

  edit(patch) {
    set((s) => (s.draft ? { draft: { ...s.draft, ...patch }, saveResult: undefined, serverErrors: {} } : {}));
  },

  setToken(token) {
    set({ token, clearToken: false, saveResult: undefined, serverErrors: {} });
  },

  setClearToken(clearToken) {
    set({ clearToken, token: '', saveResult: undefined });
  },

  reset() {
    const { view } = get();
    if (view) set({ draft: draftOf(view.values), token: '', clearToken: false, serverErrors: {} });
  },

  async save() {
    const { view, draft, token, clearToken } = get();
    if (!view || !draft) return;
    const request: SettingsUpdateRequest = { ...changedValues(view, draft) };
    if (token.trim() !== '') request.rancherToken = token.trim();
    else if (clearToken) request.rancherToken = null;
    set({ saving: true, saveError: undefined, serverErrors: {} });
    try {
      const result = await engine.call('settings.update', request);
      // The typed token is forgotten: from now on only its hint exists in the UI.
      set({
        view: result.settings,
        draft: draftOf(result.settings.values),
        token: '',
        clearToken: false,
        saveResult: result,
      });
    } catch (err) {
      const message = (err as Error).message;
      set({ saveError: message, serverErrors: serverFieldErrors(message) });
    } finally {
      set({ saving: false });
    }
  },

  async testConnection() {
    const { draft, token } = get();
    if (!draft) return;
    set({ testing: true, testResult: undefined, testError: undefined });
    try {
      const testResult = await engine.call('settings.testConnection', {
        rancherUrl: draft.rancherUrl,
        rancherCaCert: draft.rancherCaCert,
        rancherInsecure: draft.rancherInsecure,
        ...(token.trim() !== '' ? { rancherToken: token.trim() } : {}),
      });
      set({ testResult });
    } catch (err) {
      set({ testError: (err as Error).message });
    } finally {
      set({ testing: false });
    }
  },
}));
