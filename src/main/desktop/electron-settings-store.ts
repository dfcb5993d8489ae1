/**
 * The desktop app's settings: electron-store (a JSON file in the app's user
 * data folder, written atomically), with the API token sealed by Electron
 * safeStorage, i.e. the operating system's keychain, where it is available.
 * Same document as the headless file (settings-document.ts), other home.
 */
import Store from 'electron-store';
import type { SavedSettings } from '../engine/settings/saved-settings';
import { decodeSettings, encodeSettings, type SettingsDocument } from '../engine/settings/settings-document';
import type { SettingsStore } from '../engine/settings/settings-store';
import type { SecretCipher } from '../engine/store/secret-box';

interface StoreShape extends Record<string, unknown> {
  settings?: SettingsDocument;
}

export class ElectronSettingsStore implements SettingsStore {
  readonly kind = 'electron-store';
  private readonly store: Store<StoreShape>;

  /** `cipher` is asked for only when there is a token to seal or unseal. */
  constructor(
    private readonly cipher: () => SecretCipher,
    options: { cwd?: string } = {},
  ) {
    try {
      // An unreadable file is an error the user sees, never silently replaced by defaults.
      this.store = new Store<StoreShape>({ name: 'settings', clearInvalidConfig: false, ...options });
    } catch (err) {
      throw new Error(`the desktop settings file cannot be read: ${(err as Error).message}`, { cause: err });
    }
  }

  get location(): string {
    return this.store.path;
  }

  load(): { saved: SavedSettings; warnings: string[] } {
    const doc = this.store.get('settings');
    if (doc === undefined) return { saved: {}, warnings: [] };
    return decodeSettings(doc, this.cipher, this.location);
  }

  save(saved: SavedSettings): void {
    this.store.set('settings', encodeSettings(saved, this.cipher));
  }
}
