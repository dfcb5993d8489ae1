/**
 * Builds the effective configuration: defaults, then the config file, then
 * the settings saved from the Settings screen, then the environment, then
 * command-line flags (each overrides the one before). Saved settings sit
 * above the file because they are the user's latest word through the app,
 * and below the environment and flags because those are said for one run
 * on purpose (the Settings screen shows such a field as overridden).
 */
import { join } from 'node:path';
import { defaultConfig, parseValue, type AgentConfig, type ConfigKey } from './agent-config';
import { readConfigFile } from './config-file';

/** Environment variables and the key each sets. The first four are the seed's. */
export const ENV_KEYS: Record<string, ConfigKey> = {
  RANCHER_URL: 'RancherURL',
  RANCHER_TOKEN: 'BearerToken',
  RANCHER_CA_CERT: 'RancherCACert',
  RANCHER_INSECURE: 'RancherInsecure',
  SCALE_AGENT_CONNECT_RATE: 'ConnectRatePerSecond',
  SCALE_AGENT_DELETION_WATCH_SECONDS: 'RancherDeletionWatchSeconds',
  SCALE_AGENT_NAMESPACE_WAIT_SECONDS: 'RancherNamespaceWaitSeconds',
  SCALE_AGENT_REMOVAL_WAIT_SECONDS: 'RancherRemovalWaitSeconds',
  SCALE_AGENT_TUNNEL_BACKOFF_MAX_SECONDS: 'TunnelBackoffMaxSeconds',
  SCALE_AGENT_PORT: 'ListenPort',
  SCALE_AGENT_LOG: 'LogLevel',
  SCALE_AGENT_LISTEN: 'ListenAddress',
  SCALE_AGENT_ACCESS_TOKEN: 'AccessToken',
  SCALE_AGENT_MAIN_CLUSTER: 'MainClusterName',
  SCALE_AGENT_MAIN_API_PORT: 'MainAPIPort',
  SCALE_AGENT_MAIN_PROVIDER: 'MainClusterProvider',
  SCALE_AGENT_MAIN_KUBECONFIG: 'MainKubeconfig',
  SCALE_AGENT_KUBE_BIN_DIR: 'KubeBinDir',
  KWOK_WORKDIR: 'KwokWorkdir',
  SCALE_AGENT_DEFAULT_TEMPLATE: 'DefaultTemplate',
  SCALE_AGENT_DEFAULT_CONCURRENCY: 'DefaultConcurrency',
  SCALE_AGENT_FLEET: 'Fleet',
  SCALE_AGENT_SHARD_INDEX: 'ShardIndex',
  SCALE_AGENT_SHARD_COUNT: 'ShardCount',
};

export interface LoadConfigOptions {
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, already mapped to keys. */
  flags?: Partial<Record<ConfigKey, unknown>>;
  /** Explicit config file path (--config); default `<home>/config/config`. */
  configPath?: string;
  /** Base folder for defaults (tests point it at a temp dir). */
  homeDir?: string;
  /**
   * The saved settings' layer, read once the home folder is known: values
   * already checked, and where they are kept (named as their source).
   */
  settingsLayer?: (homeDir: string) => { values: Partial<AgentConfig>; source: string };
}

export interface LoadedConfig {
  config: AgentConfig;
  configPath: string;
  /** Warnings worth logging once the logger exists (unknown keys, ...). */
  warnings: string[];
  /** Where each key not left at its default came from: the file's path, the settings, `environment X`, `flag --x`. */
  sources: Partial<Record<ConfigKey, string>>;
}

export function loadConfig(options: LoadConfigOptions = {}): LoadedConfig {
  const env = options.env ?? process.env;
  const flags = options.flags ?? {};
  const config = defaultConfig();
  // The agent's home can itself come from the environment or a flag, and
  // decides where the default config file lives.
  const homeOverride = flags.HomeDir ?? env.SCALE_AGENT_HOME ?? options.homeDir;
  if (homeOverride !== undefined) config.HomeDir = parseValue('home', 'HomeDir', homeOverride);

  const configPath = options.configPath ?? join(config.HomeDir, 'config', 'config');
  const sources: Partial<Record<ConfigKey, string>> = {};
  if (homeOverride !== undefined) sources.HomeDir = 'home';
  const file = readConfigFile(configPath);
  Object.assign(config, file.values);
  for (const key of Object.keys(file.values) as ConfigKey[]) sources[key] = configPath;
  const warnings = file.unknownKeys.map((k) => `${configPath}: unknown key ${JSON.stringify(k)} ignored`);

  if (options.settingsLayer) {
    const layer = options.settingsLayer(config.HomeDir);
    Object.assign(config, layer.values);
    for (const key of Object.keys(layer.values) as ConfigKey[]) sources[key] = layer.source;
  }
  for (const [name, key] of Object.entries(ENV_KEYS)) {
    const raw = env[name];
    if (raw !== undefined && raw !== '') {
      assign(config, key, parseValue(`environment ${name}`, key, raw));
      sources[key] = `environment ${name}`;
    }
  }
  for (const [key, raw] of Object.entries(flags) as [ConfigKey, unknown][]) {
    if (raw !== undefined) {
      assign(config, key, parseValue(`flag --${flagName(key)}`, key, raw));
      sources[key] = `flag --${flagName(key)}`;
    }
  }
  return { config, configPath, warnings, sources };
}

function assign<K extends ConfigKey>(config: AgentConfig, key: K, value: AgentConfig[K]): void {
  config[key] = value;
}

/** Flag names are the keys in kebab case: ListenPort -> listen-port. */
export function flagName(key: ConfigKey): string {
  return key
    .replace(/URL/g, 'Url')
    .replace(/API/g, 'Api')
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase();
}
