import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, redactedConfig } from './agent-config';
import { parseConfigText } from './config-file';
import { flagName, loadConfig } from './load-config';

function homeWith(configText?: string): string {
  const home = mkdtempSync(join(tmpdir(), 'sca-config-'));
  if (configText !== undefined) {
    const dir = join(home, 'config');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'config'), configText);
  }
  return home;
}

describe('config file formats', () => {
  it('reads the seed JSON form with case-insensitive keys', () => {
    const { values } = parseConfigText(
      'f',
      '{"RancherURL":"https://r.example.com/","listenport":9191,"MainAPIPort":"8051"}',
    );
    expect(values).toEqual({ RancherURL: 'https://r.example.com', ListenPort: 9191, MainAPIPort: 8051 });
  });

  it('reads YAML and key: value lines', () => {
    const { values, unknownKeys } = parseConfigText(
      'f',
      'RancherURL: https://rancher.local\nBearerToken: token-abcde:secretsecret\nLogLevel: DEBUG\nSomethingOld: 1\n',
    );
    expect(values).toEqual({
      RancherURL: 'https://rancher.local',
      BearerToken: 'token-abcde:secretsecret',
      LogLevel: 'debug',
    });
    expect(unknownKeys).toEqual(['SomethingOld']);
  });

  it('names the file, key and problem for a bad value', () => {
    expect(() => parseConfigText('/etc/x/config', 'ListenPort: 99999')).toThrow(
      /^\/etc\/x\/config: ListenPort: must be a port number from 1 to 65535, got 99999$/,
    );
    expect(() => parseConfigText('/etc/x/config', 'RancherURL: ftp://x')).toThrow(
      /RancherURL: must use https:\/\/ or http:\/\//,
    );
    expect(() => parseConfigText('/etc/x/config', 'LogLevel: loud')).toThrow(
      /LogLevel: must be one of trace, debug/,
    );
  });

  it('names the file when the document itself is malformed', () => {
    expect(() => parseConfigText('/c', '{"ListenPort": 9090,')).toThrow(/^\/c: \(file\): is not valid JSON/);
    expect(() => parseConfigText('/c', '- a\n- b')).toThrow(/^\/c: \(file\): must be a mapping/);
    expect(() => parseConfigText('/c', 'a: [unclosed')).toThrow(ConfigError);
  });
});

describe('loadConfig precedence', () => {
  it('uses the seed defaults with no file', () => {
    const home = homeWith();
    const { config } = loadConfig({ homeDir: home, env: {} });
    expect(config).toMatchObject({
      ListenPort: 9090,
      ListenAddress: '127.0.0.1',
      MainClusterName: 'main-cluster',
      MainAPIPort: 8050,
      ProxyBasePort: 8440,
      LogLevel: 'info',
    });
    expect(config.HomeDir).toBe(home);
  });

  it('flags override the environment, which overrides the file', () => {
    const home = homeWith('ListenPort: 1111\nLogLevel: warn\nMainAPIPort: 7000\n');
    const env = { SCALE_AGENT_PORT: '2222', SCALE_AGENT_LOG: 'debug' };
    const { config } = loadConfig({ homeDir: home, env, flags: { ListenPort: '3333' } });
    expect(config.ListenPort).toBe(3333);
    expect(config.LogLevel).toBe('debug');
    expect(config.MainAPIPort).toBe(7000);
  });

  it('reports a bad environment value by variable name', () => {
    const home = homeWith();
    expect(() => loadConfig({ homeDir: home, env: { SCALE_AGENT_PORT: 'ninety' } })).toThrow(
      'environment SCALE_AGENT_PORT: ListenPort: must be a port number from 1 to 65535, got "ninety"',
    );
  });

  it('reports a bad flag by flag name', () => {
    const home = homeWith();
    expect(() => loadConfig({ homeDir: home, env: {}, flags: { MainClusterName: 'Main_Cluster' } })).toThrow(
      /^flag --main-cluster-name: MainClusterName:/,
    );
  });

  it('warns about unknown keys in the file', () => {
    const home = homeWith('{"ListenPort": 9090, "Bogus": true}');
    expect(loadConfig({ homeDir: home, env: {} }).warnings).toEqual([
      `${join(home, 'config', 'config')}: unknown key "Bogus" ignored`,
    ]);
  });

  it('never shows secrets in the redacted copy', () => {
    const home = homeWith('BearerToken: token-abcde:supersecretvalue\n');
    const { config } = loadConfig({ homeDir: home, env: { SCALE_AGENT_ACCESS_TOKEN: 'hunter2' } });
    const shown = JSON.stringify(redactedConfig(config));
    expect(shown).not.toContain('supersecretvalue');
    expect(shown).not.toContain('hunter2');
    expect(shown).toContain('"BearerToken":"[set]"');
  });

  it('derives flag names from keys', () => {
    expect(flagName('ListenPort')).toBe('listen-port');
    expect(flagName('RancherURL')).toBe('rancher-url');
    expect(flagName('MainAPIPort')).toBe('main-api-port');
  });
});
