/**
 * Saved settings as a layer of the configuration (see load-config.ts for the
 * order). The config names Rancher's CA by file, so a saved PEM is written to
 * `<home>/rancher-ca.pem` and the layer points RancherCACert there.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseValue, type AgentConfig, type ConfigKey } from '../config/agent-config';
import { writeFileAtomic } from '../store/atomic-file';
import { SETTINGS_CONFIG_KEYS, type SavedSettings } from './saved-settings';
import type { SettingsStore } from './settings-store';

export const SETTINGS_CA_FILE = 'rancher-ca.pem';

export interface SettingsLayer {
  values: Partial<AgentConfig>;
  source: string;
}

/**
 * The layer for loadConfig's `settingsLayer` option, from a store. Problems
 * reading it (a bad value dropped, a backup used, a token that cannot be
 * unsealed) are logged by the engine's SettingsService, which reads the same store.
 */
export function settingsConfigLayer(store: SettingsStore, homeDir: string): SettingsLayer {
  const { saved } = store.load();
  const source = `settings ${store.location}`;
  return { values: configValuesOf(saved, homeDir, source), source };
}

export function configValuesOf(saved: SavedSettings, homeDir: string, source: string): Partial<AgentConfig> {
  const values: Partial<Record<ConfigKey, unknown>> = {};
  for (const [field, value] of Object.entries(saved)) {
    const key = SETTINGS_CONFIG_KEYS[field as keyof typeof SETTINGS_CONFIG_KEYS];
    if (!key || value === undefined) continue;
    values[key] =
      field === 'rancherCaCert'
        ? value === ''
          ? ''
          : writeCaFile(homeDir, value as string)
        : parseValue(source, key, value);
  }
  return values as Partial<AgentConfig>;
}

/** Writes the saved CA where the config can name it (only when it changed). */
export function writeCaFile(homeDir: string, pem: string): string {
  const path = join(homeDir, SETTINGS_CA_FILE);
  if (existsSync(path) && readFileSync(path, 'utf8') === pem) return path;
  mkdirSync(homeDir, { recursive: true, mode: 0o700 });
  writeFileAtomic(path, pem, 0o644);
  return path;
}
