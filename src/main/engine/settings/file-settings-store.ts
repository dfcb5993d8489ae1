/**
 * Headless settings: `<home>/settings.json`, written atomically with a
 * backup copy (0600), the API token sealed by the engine's SecretCipher (the
 * AES key in `<home>/state.key` or SCALE_AGENT_STATE_KEY). A corrupt file
 * falls back to the backup with a warning.
 */
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { readWithBackup, writeFileAtomic } from '../store/atomic-file';
import type { SecretCipher } from '../store/secret-box';
import type { SavedSettings } from './saved-settings';
import { decodeSettings, encodeSettings } from './settings-document';
import type { SettingsStore } from './settings-store';

export const SETTINGS_FILE = 'settings.json';

export class FileSettingsStore implements SettingsStore {
  readonly kind = 'file';
  readonly location: string;

  /** `cipher` is asked for only when there is a token to seal or unseal. */
  constructor(
    homeDir: string,
    private readonly cipher: () => SecretCipher,
  ) {
    this.location = join(homeDir, SETTINGS_FILE);
  }

  load(): { saved: SavedSettings; warnings: string[] } {
    const read = readWithBackup(this.location, (text) =>
      decodeSettings(JSON.parse(text) as unknown, this.cipher, this.location),
    );
    if (!read) return { saved: {}, warnings: [] };
    const { saved, warnings } = read.value;
    if (read.problem) warnings.unshift(`${read.problem}: using the backup copy of the settings`);
    return { saved, warnings };
  }

  save(saved: SavedSettings): void {
    mkdirSync(dirname(this.location), { recursive: true, mode: 0o700 });
    writeFileAtomic(this.location, `${JSON.stringify(encodeSettings(saved, this.cipher), null, 2)}\n`, 0o600);
  }
}
