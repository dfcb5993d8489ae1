/**
 * Settings as the engine keeps them in memory: only the fields the user saved
 * (the rest come from the config), the API token in clear text (it is in the
 * engine's memory anyway, as the config's BearerToken), and how each field
 * maps to a config key, since saved settings are a layer of the config.
 */
import type { SettingsField, SettingsValues } from '../../../shared/settings';
import type { AgentConfig, ConfigKey } from '../config/agent-config';

export type SavedSettings = Partial<SettingsValues> & { rancherToken?: string };

export const SETTINGS_CONFIG_KEYS: Readonly<Record<SettingsField, ConfigKey>> = {
  rancherUrl: 'RancherURL',
  rancherToken: 'BearerToken',
  rancherCaCert: 'RancherCACert',
  rancherInsecure: 'RancherInsecure',
  mainClusterProvider: 'MainClusterProvider',
  mainApiPort: 'MainAPIPort',
  mainKubeconfig: 'MainKubeconfig',
  defaultTemplate: 'DefaultTemplate',
  defaultConcurrency: 'DefaultConcurrency',
  connectRatePerSecond: 'ConnectRatePerSecond',
};

/** The values a config runs with, as settings (the CA is a file there, so its PEM is not known here). */
export function valuesFromConfig(config: AgentConfig): SettingsValues {
  return {
    rancherUrl: config.RancherURL,
    rancherCaCert: '',
    rancherInsecure: config.RancherInsecure,
    mainClusterProvider: config.MainClusterProvider,
    mainApiPort: config.MainAPIPort,
    mainKubeconfig: config.MainKubeconfig,
    defaultTemplate: config.DefaultTemplate,
    defaultConcurrency: config.DefaultConcurrency,
    connectRatePerSecond: config.ConnectRatePerSecond,
  };
}

/**
 * A hint that tells which token is saved without being usable: the first
 * characters of the token's name, never any of its secret part.
 */
export function tokenHint(token: string): string {
  if (!token) return '';
  const name = token.split(':')[0] ?? '';
  return `${name.slice(0, Math.min(8, Math.max(0, name.length - 3)))}…:****`;
}
