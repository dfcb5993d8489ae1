import { describe, expect, it } from 'vitest';
import type { SettingsValues } from './settings';
import {
  caCertProblem,
  crossFieldProblems,
  normalizeSettingsUpdate,
  rancherTokenProblem,
  rancherUrlProblem,
  settingsUpdateProblems,
} from './settings-validation';

const RULES = { presets: ['tiny', 'default', 'medium', 'large'] };
const TOKEN = 'token-abcde:s3cr3tvalue0123456789abcdefghijklmnopqrstuv';
const PEM = `-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIRAJ4=\n-----END CERTIFICATE-----`;

const VALUES: SettingsValues = {
  rancherUrl: '',
  rancherCaCert: '',
  rancherInsecure: false,
  mainClusterProvider: 'kwokctl',
  mainApiPort: 8050,
  mainKubeconfig: '',
  defaultTemplate: 'default',
  defaultConcurrency: 4,
  connectRatePerSecond: 20,
};

describe('settings field rules', () => {
  it('accepts http(s) URLs and empty (no Rancher), refuses everything else with the reason', () => {
    expect(rancherUrlProblem('https://rancher.example.com/')).toBeUndefined();
    expect(rancherUrlProblem('http://127.0.0.1:8443')).toBeUndefined();
    expect(rancherUrlProblem('')).toBeUndefined();
    expect(rancherUrlProblem('ftp://rancher.example.com')).toMatch(/https:\/\/ \(or http:\/\/\), got ftp:/);
    expect(rancherUrlProblem('rancher.example.com')).toMatch(/must be a URL/);
    expect(rancherUrlProblem('https://admin:pw@rancher.example.com')).toMatch(/user name or password/);
    expect(rancherUrlProblem('https://rancher.example.com/?x=1')).toMatch(/query/);
    expect(rancherUrlProblem(42)).toBe('must be a string');
  });

  it("accepts only Rancher's token-xxxxx:secret shape", () => {
    expect(rancherTokenProblem(TOKEN)).toBeUndefined();
    expect(rancherTokenProblem(`  ${TOKEN}\n`)).toBeUndefined();
    for (const bad of ['s3cr3t', 'token-abcde:short', 'token-abc:0123456789012345678901', `Bearer ${TOKEN}`])
      expect(rancherTokenProblem(bad)).toMatch(/token-xxxxx:<secret>/);
  });

  it('checks CA PEM structure, one or more certificates', () => {
    expect(caCertProblem('')).toBeUndefined();
    expect(caCertProblem(PEM)).toBeUndefined();
    expect(caCertProblem(`${PEM}\n${PEM}\n`)).toBeUndefined();
    expect(caCertProblem('not a cert')).toMatch(/PEM/);
    expect(caCertProblem(`${PEM}\ngarbage`)).toMatch(/PEM/);
  });

  it('names every bad field of an update, unknown ones too', () => {
    const problems = settingsUpdateProblems(
      {
        rancherUrl: 'ftp://x',
        mainApiPort: 70000,
        defaultTemplate: 'huge',
        defaultConcurrency: 0,
        connectRatePerSecond: -1,
        mainClusterProvider: 'kind',
        rancherInsecure: 'yes',
        colour: 'blue',
      },
      RULES,
    );
    expect(Object.fromEntries(problems.map((p) => [p.field, p.problem]))).toEqual({
      rancherUrl: expect.stringMatching(/https/),
      mainApiPort: 'must be a whole number from 1 to 65535',
      defaultTemplate: expect.stringMatching(/tiny, default, medium, large, got "huge"/),
      defaultConcurrency: expect.stringMatching(/1 to 64/),
      connectRatePerSecond: expect.stringMatching(/above 0/),
      mainClusterProvider: 'must be kwokctl or external',
      rancherInsecure: 'must be true or false',
      colour: 'is not a setting',
    });
    expect(settingsUpdateProblems({ rancherToken: null, mainApiPort: 8051 }, RULES)).toEqual([]);
    expect(settingsUpdateProblems('x', RULES)[0]?.field).toBe('(request)');
  });

  it('needs a token with a Rancher URL and a kubeconfig for an external main cluster', () => {
    expect(crossFieldProblems({ ...VALUES, rancherUrl: 'https://r.example.com' }, false)).toEqual([
      { field: 'rancherToken', problem: 'is required when a Rancher URL is set' },
    ]);
    expect(crossFieldProblems({ ...VALUES, rancherUrl: 'https://r.example.com' }, true)).toEqual([]);
    expect(crossFieldProblems({ ...VALUES, mainClusterProvider: 'external' }, false)[0]?.field).toBe(
      'mainKubeconfig',
    );
  });

  it('normalizes what it stores', () => {
    expect(
      normalizeSettingsUpdate({
        rancherUrl: ' https://r.example.com/// ',
        rancherToken: ` ${TOKEN} `,
        rancherCaCert: `${PEM}\n\n`,
      }),
    ).toEqual({ rancherUrl: 'https://r.example.com', rancherToken: TOKEN, rancherCaCert: `${PEM}\n` });
  });
});
