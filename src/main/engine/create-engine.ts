/**
 * The one way a shell makes the engine: the configuration (file, saved
 * settings, environment, flags), the logger with the ring behind the Logs
 * screen, and the Engine over them. The desktop app and the headless CLI
 * differ only in what they pass here (where settings and secrets live, how
 * logs print, the Electron processes to sample).
 */
import { join } from 'node:path';
import type { EngineInfo } from '../../shared/channels';
import type { AppProcessMetric } from '../../shared/telemetry';
import { redactedConfig, type AgentConfig, type ConfigKey } from './config/agent-config';
import { loadConfig } from './config/load-config';
import { Engine } from './engine';
import { FileSettingsStore } from './settings/file-settings-store';
import { settingsConfigLayer } from './settings/settings-layer';
import type { SettingsStore } from './settings/settings-store';
import { AesSecretBox, type SecretCipher } from './store/secret-box';
import { LogRing } from './telemetry/log-ring';
import { createLogger, type Logger } from './telemetry/logger';

export interface CreateEngineOptions {
  shell: EngineInfo['shell'];
  /** Values from command-line flags, already mapped to keys (headless). */
  flags?: Partial<Record<ConfigKey, unknown>>;
  /** An explicit config file (--config). */
  configPath?: string;
  /** Where saved settings live, once the home folder is known; default `<home>/settings.json` sealed with the state key. */
  settingsStore?: (homeDir: string) => SettingsStore;
  /** Seals secrets in the state file (desktop: Electron safeStorage); default the AES key file. */
  cipher?: SecretCipher;
  /** Human-readable log lines instead of JSON. */
  prettyLogs: boolean;
  /** Bring the main cluster up on start (default true). */
  ensureMainCluster?: boolean;
  /** The desktop app's processes, sampled each second for the Memory screen. */
  appProcesses?: () => AppProcessMetric[];
}

export interface CreatedEngine {
  engine: Engine;
  config: AgentConfig;
  logger: Logger;
}

/** Makes the engine (not started). A bad configuration throws ConfigError, saying which source and key. */
export function createEngine(options: CreateEngineOptions): CreatedEngine {
  const storeFor =
    options.settingsStore ??
    ((home: string) =>
      new FileSettingsStore(home, () => AesSecretBox.fromEnvOrFile(join(home, 'state.key'))));
  let settingsStore: SettingsStore | undefined;
  const loaded = loadConfig({
    flags: options.flags,
    configPath: options.configPath,
    settingsLayer: (home) => settingsConfigLayer((settingsStore = storeFor(home)), home),
  });
  const { config } = loaded;
  // The Logs screen reads the logger's redacted output from this ring.
  const logRing = new LogRing();
  const logger = createLogger({ level: config.LogLevel, pretty: options.prettyLogs, copyTo: logRing });
  for (const warning of loaded.warnings) logger.warn(warning);
  logger.debug({ config: redactedConfig(config) }, 'effective configuration');
  if (!config.RancherURL)
    logger.info('No Rancher configured (RancherURL): clusters are simulated locally only');
  const engine = new Engine({
    config,
    logger,
    shell: options.shell,
    ensureMainCluster: options.ensureMainCluster,
    configSources: loaded.sources,
    logRing,
    cipher: options.cipher,
    settingsStore,
    appProcesses: options.appProcesses,
  });
  return { engine, config, logger };
}
