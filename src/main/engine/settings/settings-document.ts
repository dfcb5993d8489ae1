/**
 * The stored form of the settings, the same for the JSON file (headless) and
 * electron-store (desktop): a schema version, the plain values, and the API
 * token sealed by the store's cipher, so no copy on disk holds the token.
 * Reading re-checks every value: a hand-edited bad value is dropped with a
 * warning that names it, never used and never silently lost.
 */
import { SETTINGS_FIELDS, type SettingsField } from '../../../shared/settings';
import { settingsFieldProblem } from '../../../shared/settings-validation';
import type { SecretCipher } from '../store/secret-box';
import { PRESET_NAMES } from '../../../shared/template-presets';
import type { SavedSettings } from './saved-settings';

export const SETTINGS_SCHEMA_VERSION = 1;

export interface SettingsDocument {
  schemaVersion: number;
  values: Record<string, unknown>;
  /** The API token sealed by the cipher (AES key file or Electron safeStorage); '' when cleared on purpose. */
  rancherTokenSealed?: string;
}

export interface DecodedSettings {
  saved: SavedSettings;
  warnings: string[];
}

export function encodeSettings(saved: SavedSettings, cipher: () => SecretCipher): SettingsDocument {
  const { rancherToken, ...values } = saved;
  return {
    schemaVersion: SETTINGS_SCHEMA_VERSION,
    values,
    ...(rancherToken !== undefined
      ? { rancherTokenSealed: rancherToken === '' ? '' : cipher().encrypt(rancherToken) }
      : {}),
  };
}

export function decodeSettings(doc: unknown, cipher: () => SecretCipher, source: string): DecodedSettings {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc))
    throw new Error(`${source}: settings must be a JSON object`);
  const d = doc as Partial<SettingsDocument>;
  if (d.schemaVersion !== SETTINGS_SCHEMA_VERSION)
    throw new Error(
      `${source}: settings schema version ${String(d.schemaVersion)} is not ${SETTINGS_SCHEMA_VERSION}`,
    );
  const warnings: string[] = [];
  const saved: SavedSettings = {};
  const values = typeof d.values === 'object' && d.values !== null ? d.values : {};
  for (const [field, value] of Object.entries(values)) {
    if (field === 'rancherToken' || !SETTINGS_FIELDS.includes(field as SettingsField)) {
      warnings.push(`${source}: unknown setting ${JSON.stringify(field)} ignored`);
      continue;
    }
    const problem = settingsFieldProblem(field as SettingsField, value, { presets: PRESET_NAMES });
    if (problem) {
      warnings.push(`${source}: setting ${field} ${problem}; ignored (set it again on the Settings screen)`);
      continue;
    }
    (saved as Record<string, unknown>)[field] = value;
  }
  if (d.rancherTokenSealed === '') saved.rancherToken = '';
  else if (typeof d.rancherTokenSealed === 'string') {
    try {
      saved.rancherToken = cipher().decrypt(d.rancherTokenSealed);
    } catch (err) {
      warnings.push(
        `${source}: the saved Rancher API token cannot be unsealed (${(err as Error).message}); ` +
          'was the key changed? Set the token again on the Settings screen',
      );
    }
  }
  return { saved, warnings };
}
