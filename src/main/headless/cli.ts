/**
 * `scale-cluster-agent`: the engine without Electron.
 *   scale-cluster-agent serve [flags]   engine + REST API + web UI (default 127.0.0.1:9090)
 * Flags override the environment, which overrides the settings saved from the
 * Settings screen (<home>/settings.json), which override the config file.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CONFIG_KEYS, ConfigError, type ConfigKey } from '../engine/config/agent-config';
import { flagName } from '../engine/config/load-config';
import { createEngine, type CreatedEngine } from '../engine/create-engine';
import { ENGINE_VERSION } from '../engine/engine';
import { startWebServer } from '../engine/transport/web-server';
import { packageRoot } from '../engine/kube/package-root';

/** Secrets are not accepted as flags: command lines are visible to every local user. */
const FLAG_KEYS = CONFIG_KEYS.filter((k) => k !== 'BearerToken' && k !== 'AccessToken');

const USAGE = `Usage: scale-cluster-agent serve [flags]

Runs the agent engine with its REST API and web UI.

Flags (each overrides its environment variable, saved settings and the config file):
${FLAG_KEYS.map((k) => `  --${flagName(k)} <value>`).join('\n')}
  --config <path>          config file (default ~/.scale-cluster-agent/config/config)
  --no-main-cluster        do not bring up the main cluster on start
  --help, --version

Secrets are never flags: RANCHER_TOKEN and SCALE_AGENT_ACCESS_TOKEN come from the
environment; the Rancher token can also be saved, sealed, from the Settings screen.
`;

export async function main(argv: string[]): Promise<number> {
  const options: Record<string, { type: 'string' | 'boolean' }> = {
    config: { type: 'string' },
    'no-main-cluster': { type: 'boolean' },
    help: { type: 'boolean' },
    version: { type: 'boolean' },
  };
  for (const key of FLAG_KEYS) options[flagName(key)] = { type: 'string' };
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    process.stderr.write(`scale-cluster-agent: ${(err as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`scale-cluster-agent ${ENGINE_VERSION}\n`);
    return 0;
  }
  if (values.help || positionals[0] !== 'serve') {
    process.stdout.write(USAGE);
    return values.help ? 0 : 2;
  }

  const flags: Partial<Record<ConfigKey, unknown>> = {};
  for (const key of FLAG_KEYS) {
    const value = values[flagName(key)];
    if (value !== undefined) flags[key] = value;
  }
  let created: CreatedEngine;
  try {
    created = createEngine({
      shell: 'headless',
      flags,
      configPath: values.config as string | undefined,
      prettyLogs: Boolean(process.stderr.isTTY),
      ensureMainCluster: !values['no-main-cluster'],
    });
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`scale-cluster-agent: configuration error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { engine, config, logger } = created;
  const root = packageRoot();
  let web: Awaited<ReturnType<typeof startWebServer>>;
  try {
    web = await startWebServer({
      engine,
      logger,
      host: config.ListenAddress,
      port: config.ListenPort,
      accessToken: config.AccessToken,
      rendererDir: root ? join(root, 'out', 'renderer') : undefined,
    });
  } catch (err) {
    logger.error(
      { err },
      `Cannot serve on ${config.ListenAddress}:${config.ListenPort}: ${(err as Error).message}`,
    );
    return 1;
  }
  engine.start();
  logger.info({ url: web.url }, `Scale Cluster Agent serving the API and web UI on ${web.url}`);

  return new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        logger.warn(`${signal} again: exiting now`);
        process.exit(130);
      }
      stopping = true;
      logger.info(`${signal}: shutting down`);
      void Promise.all([web.close(), engine.stop()]).then(() => resolve(0));
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}

// Run when this file is the program (the built bundle's entry or the bin).
if (process.argv[1] && /headless(\.js|\/cli\.ts)$/.test(process.argv[1])) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err: unknown) => {
      process.stderr.write(`scale-cluster-agent: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}
