import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../shared/errors';
import { defaultConfig, type AgentConfig, type ConfigKey } from '../config/agent-config';
import { loadConfig } from '../config/load-config';
import { AesSecretBox } from '../store/secret-box';
import { createLogger } from '../telemetry/logger';
import { createCa } from '../vapi/pki/x509';
import { FileSettingsStore, SETTINGS_FILE } from './file-settings-store';
import { SettingsService, type LiveSettings } from './settings-service';
import { settingsConfigLayer, SETTINGS_CA_FILE } from './settings-layer';

const TOKEN = 'token-abcde:s3cr3tvalue0123456789abcdefghijklmnopqrstuv';
const SECRET_PART = TOKEN.split(':')[1]!;

function fixture(
  options: { sources?: Partial<Record<ConfigKey, string>>; config?: Partial<AgentConfig> } = {},
) {
  const home = mkdtempSync(join(tmpdir(), 'sca-settings-'));
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  const cipher = () => AesSecretBox.fromEnvOrFile(join(home, 'state.key'), {});
  const store = new FileSettingsStore(home, cipher);
  const config: AgentConfig = { ...defaultConfig(), HomeDir: home, ...options.config };
  const live: { value?: LiveSettings; changed?: string[] } = {};
  const make = () =>
    new SettingsService({
      store,
      config,
      sources: options.sources,
      logger,
      onLiveChange: (value, changed) => Object.assign(live, { value, changed }),
    });
  return { home, lines, store, config, live, make, service: make(), file: join(home, SETTINGS_FILE) };
}

function invalid(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).code).toBe('invalid');
    return (err as Error).message;
  }
  throw new Error('expected an invalid error');
}

describe('settings: sealed storage', () => {
  it('saves the token sealed: the file never holds it, get never returns it, a restart reads it back', () => {
    const f = fixture();
    const result = f.service.update({ rancherUrl: 'https://rancher.example.com/', rancherToken: TOKEN });
    expect(result.changed.map((c) => [c.field, c.applies])).toEqual([
      ['rancherUrl', 'restart'],
      ['rancherToken', 'restart'],
    ]);
    const onDisk = readFileSync(f.file, 'utf8');
    expect(onDisk).not.toContain(SECRET_PART);
    expect(onDisk).not.toContain(TOKEN);
    expect(JSON.parse(onDisk)).toMatchObject({
      schemaVersion: 1,
      values: { rancherUrl: 'https://rancher.example.com' },
      rancherTokenSealed: expect.stringMatching(/^v1:/),
    });
    // No copy anywhere in the home holds it (the backup, the key file, a CA file).
    for (const name of readdirSync(f.home))
      expect(readFileSync(join(f.home, name), 'utf8')).not.toContain(SECRET_PART);

    for (const answer of [result, f.service.view()]) {
      const text = JSON.stringify(answer);
      expect(text).not.toContain(SECRET_PART);
    }
    expect(f.service.view().token).toEqual({ set: true, hint: 'token-ab…:****' });
    expect(JSON.stringify(f.lines)).not.toContain(SECRET_PART);

    // Next start: the layer gives the config the unsealed token and the URL.
    const loaded = loadConfig({
      homeDir: f.home,
      env: {},
      settingsLayer: (home) => settingsConfigLayer(f.store, home),
    });
    expect(loaded.config.BearerToken).toBe(TOKEN);
    expect(loaded.config.RancherURL).toBe('https://rancher.example.com');
    expect(loaded.sources.RancherURL).toBe(`settings ${f.file}`);
  });

  it('a token sealed with another key is reported, not used', () => {
    const f = fixture();
    f.service.update({ rancherToken: TOKEN });
    writeFileSync(join(f.home, 'state.key'), Buffer.alloc(32, 7).toString('base64'));
    const again = f.make();
    expect(again.view().token.set).toBe(false);
    expect(f.lines.join('\n')).toMatch(/cannot be unsealed.*Set the token again/);
  });

  it('falls back to the backup copy with a warning when the file is corrupt', () => {
    const f = fixture();
    f.service.update({ defaultConcurrency: 8 });
    f.service.update({ defaultConcurrency: 9 });
    writeFileSync(f.file, '{ torn');
    const again = f.make();
    expect(again.view().values.defaultConcurrency).toBe(8);
    expect(f.lines.join('\n')).toMatch(/unreadable.*using the backup copy/);
  });

  it('drops a hand-edited bad value with a warning naming it', () => {
    const f = fixture();
    writeFileSync(
      f.file,
      JSON.stringify({ schemaVersion: 1, values: { mainApiPort: 99999, defaultTemplate: 'tiny' } }),
    );
    const again = f.make();
    expect(again.view().values).toMatchObject({ mainApiPort: 8050, defaultTemplate: 'tiny' });
    expect(f.lines.join('\n')).toMatch(/setting mainApiPort must be a whole number from 1 to 65535; ignored/);
  });
});

describe('settings: validation', () => {
  it('refuses bad input naming the field, and saves nothing', () => {
    const f = fixture();
    const cases: [unknown, RegExp][] = [
      [{ rancherUrl: 'ftp://rancher.example.com' }, /rancherUrl must use https:\/\//],
      [{ rancherUrl: 'not a url' }, /rancherUrl must be a URL/],
      [{ rancherToken: 'hunter2' }, /rancherToken must look like token-xxxxx:<secret>/],
      [{ mainApiPort: 0 }, /mainApiPort must be a whole number from 1 to 65535/],
      [{ mainApiPort: '8050' }, /mainApiPort must be a whole number/],
      [
        { defaultTemplate: 'gigantic' },
        /defaultTemplate must be one of the presets tiny, default, medium, large/,
      ],
      [{ defaultConcurrency: 65 }, /defaultConcurrency .*1 to 64/],
      [{ defaultConcurrency: 'fast' }, /defaultConcurrency .*must be "auto" or a whole number/],
      [
        { rancherCaCert: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----' },
        /rancherCaCert is not a certificate Node can load/,
      ],
      [
        { mainKubeconfig: '/nowhere/kubeconfig' },
        /mainKubeconfig names \/nowhere\/kubeconfig, which does not exist/,
      ],
      [{ rancherUrl: 'https://rancher.example.com' }, /rancherToken is required when a Rancher URL is set/],
      [{ mainClusterProvider: 'external' }, /mainKubeconfig is required for an external main cluster/],
      [{ surprise: 1 }, /surprise is not a setting/],
      [{ defaultConcurrency: 8, rancherUrl: 'gopher://x' }, /rancherUrl .*; nothing was saved/],
    ];
    for (const [request, message] of cases) {
      expect(invalid(() => f.service.update(request))).toMatch(message);
      expect(existsSync(f.file)).toBe(false);
    }
    expect(f.service.view().values.defaultConcurrency).toBe('auto');
  });

  it('accepts a real CA and writes it where the config can name it', async () => {
    const f = fixture();
    const { certPem } = await createCa('test rancher ca');
    f.service.update({ rancherCaCert: certPem });
    expect(f.service.view().values.rancherCaCert.trim()).toBe(certPem.trim());
    const layer = settingsConfigLayer(f.store, f.home);
    expect(layer.values.RancherCACert).toBe(join(f.home, SETTINGS_CA_FILE));
    expect(readFileSync(join(f.home, SETTINGS_CA_FILE), 'utf8').trim()).toBe(certPem.trim());
  });
});

describe('settings: what applies when', () => {
  it('batch defaults and the connect rate apply at once; Rancher and the main cluster at the next start', () => {
    const f = fixture();
    const result = f.service.update({
      defaultTemplate: 'tiny',
      defaultConcurrency: 12,
      connectRatePerSecond: 5,
      mainApiPort: 8123,
    });
    expect(result.changed).toEqual([
      { field: 'mainApiPort', applies: 'restart' },
      { field: 'defaultTemplate', applies: 'now' },
      { field: 'defaultConcurrency', applies: 'now' },
      { field: 'connectRatePerSecond', applies: 'now' },
    ]);
    expect(result.summary).toBe(
      'Saved. Applied now: Default template, Default concurrency, Connect rate. At next start: Main API port.',
    );
    expect(f.service.live).toEqual({
      defaultTemplate: 'tiny',
      defaultConcurrency: 12,
      connectRatePerSecond: 5,
    });
    expect(f.live.changed).toEqual(['defaultTemplate', 'defaultConcurrency', 'connectRatePerSecond']);
    expect(result.settings.pendingRestart).toEqual(['mainApiPort']);
    // Saving the value the agent runs with again is no change and nothing waits.
    const back = f.service.update({ mainApiPort: 8050 });
    expect(back.changed).toEqual([{ field: 'mainApiPort', applies: 'restart' }]);
    expect(back.settings.pendingRestart).toEqual([]);
    expect(f.service.update({ mainApiPort: 8050 }).summary).toBe('Nothing changed.');
  });

  it('says when the environment or a flag keeps overriding a saved value', () => {
    const f = fixture({
      sources: {
        ConnectRatePerSecond: 'environment SCALE_AGENT_CONNECT_RATE',
        MainAPIPort: 'flag --main-api-port',
      },
    });
    expect(f.service.view().overriddenBy).toEqual({
      connectRatePerSecond: 'environment SCALE_AGENT_CONNECT_RATE',
      mainApiPort: 'flag --main-api-port',
    });
    const result = f.service.update({ connectRatePerSecond: 3, mainApiPort: 9000 });
    expect(result.summary).toMatch(
      /Saved but overridden while set: Main API port \(flag --main-api-port\), Connect rate/,
    );
    expect(f.service.live.connectRatePerSecond).toBe(20);
    expect(result.settings.pendingRestart).toEqual([]);
  });

  it('layers saved settings above the config file and below the environment and flags', () => {
    const f = fixture();
    f.service.update({ mainApiPort: 8111, defaultTemplate: 'medium', connectRatePerSecond: 7 });
    const configDir = join(f.home, 'config');
    mkdirSync(configDir, { recursive: true });
    writeFileSync(
      join(configDir, 'config'),
      'MainAPIPort: 8222\nDefaultTemplate: large\nProxyBasePort: 9000\n',
    );
    const loaded = loadConfig({
      homeDir: f.home,
      env: { SCALE_AGENT_CONNECT_RATE: '9' },
      flags: { DefaultTemplate: 'tiny' },
      settingsLayer: (home) => settingsConfigLayer(f.store, home),
    });
    expect(loaded.config.MainAPIPort).toBe(8111); // settings over the file
    expect(loaded.config.ProxyBasePort).toBe(9000); // the file where settings say nothing
    expect(loaded.config.ConnectRatePerSecond).toBe(9); // environment over settings
    expect(loaded.config.DefaultTemplate).toBe('tiny'); // flag over all
    expect(loaded.sources).toMatchObject({
      MainAPIPort: `settings ${f.file}`,
      ProxyBasePort: join(configDir, 'config'),
      ConnectRatePerSecond: 'environment SCALE_AGENT_CONNECT_RATE',
      DefaultTemplate: 'flag --default-template',
    });
  });

  it('clears the token with null', () => {
    const f = fixture();
    f.service.update({ rancherToken: TOKEN });
    expect(f.service.update({ rancherToken: null }).settings.token).toEqual({ set: false, hint: '' });
    // Cleared on purpose (saved as empty), so a token in the config file does not come back at the next start.
    expect(JSON.parse(readFileSync(f.file, 'utf8')).rancherTokenSealed).toBe('');
    const loaded = loadConfig({
      homeDir: f.home,
      env: { RANCHER_TOKEN: 'token-zzzzz:fromtheenvironment00000000' },
      settingsLayer: (home) => settingsConfigLayer(f.store, home),
    });
    expect(loaded.config.BearerToken).toBe('token-zzzzz:fromtheenvironment00000000');
    expect(
      loadConfig({ homeDir: f.home, env: {}, settingsLayer: (h) => settingsConfigLayer(f.store, h) }).config
        .BearerToken,
    ).toBe('');
  });
});
