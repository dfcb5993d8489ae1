/**
 * Where saved settings live. Headless: a JSON file in the agent's home
 * (FileSettingsStore); desktop: electron-store (src/main/settings), each
 * sealing the API token with its own cipher. The engine sees only this.
 */
import type { SavedSettings } from './saved-settings';

export interface SettingsStore {
  readonly kind: 'file' | 'electron-store';
  /** The file the settings are in, for messages and the Settings screen. */
  readonly location: string;
  /** The saved settings (token unsealed) and anything worth a warning; empty when none were saved. */
  load(): { saved: SavedSettings; warnings: string[] };
  /** Replaces the saved settings, durably, with the token sealed. */
  save(saved: SavedSettings): void;
}
