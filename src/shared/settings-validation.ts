/**
 * The rules for each setting, shared so the Settings form shows a problem at
 * the field before anything is sent and the engine refuses the same input
 * with the same words. Each check answers a problem sentence or undefined.
 */
import { concurrencyProblem } from './cluster-names';
import type { SettingsField, SettingsUpdateRequest, SettingsValues } from './settings';

export interface SettingsRules {
  /** Template presets a default may name. */
  presets: readonly string[];
}

export interface FieldProblem {
  field: SettingsField | string;
  problem: string;
}

/** Rancher's API tokens: `token-` and 5 characters, a colon, then the secret. */
const TOKEN_SHAPE = /^token-[a-z0-9]{5}:[a-z0-9]{20,128}$/i;
const PEM_CERT = /^-----BEGIN CERTIFICATE-----\r?\n[A-Za-z0-9+/=\r\n]+-----END CERTIFICATE-----$/;

/** Trims and drops trailing slashes, as the agent stores URLs. */
export function normalizeRancherUrl(value: string): string {
  return value.trim().replace(/\/+$/, '');
}

export function rancherUrlProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const url = normalizeRancherUrl(value);
  if (url === '') return undefined;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be a URL such as https://rancher.example.com, got ${JSON.stringify(url)}`;
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:')
    return `must use https:// (or http://), got ${parsed.protocol}//`;
  if (parsed.username || parsed.password)
    return 'must not carry a user name or password: put the API token in its own field';
  if (parsed.search || parsed.hash) return 'must not have a query or fragment';
  if (!parsed.hostname) return 'must name a host';
  return undefined;
}

export function rancherTokenProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (!TOKEN_SHAPE.test(value.trim()))
    return "must look like token-xxxxx:<secret> (the bearer token of an API key made in Rancher's Account & API Keys)";
  return undefined;
}

/** A structural check of PEM text; the engine also parses the certificate. */
export function caCertProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  const pem = value.trim();
  if (pem === '') return undefined;
  const blocks = pem.split(/(?<=-----END CERTIFICATE-----)\s*/).filter((b) => b.trim() !== '');
  if (blocks.length === 0 || !blocks.every((b) => PEM_CERT.test(b.trim())))
    return 'must be PEM text from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----';
  return undefined;
}

function booleanProblem(value: unknown): string | undefined {
  return typeof value === 'boolean' ? undefined : 'must be true or false';
}

export function mainApiPortProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65535)
    return 'must be a whole number from 1 to 65535';
  return undefined;
}

function providerProblem(value: unknown): string | undefined {
  return value === 'kwokctl' || value === 'external' ? undefined : 'must be kwokctl or external';
}

function kubeconfigProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'must be a string';
  if (/[\0\r\n]/.test(value)) return 'must be a file path on one line';
  return undefined;
}

export function connectRateProblem(value: unknown): string | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 10_000)
    return 'must be a number above 0 and at most 10000 connects per second';
  return undefined;
}

type FieldCheck = (value: unknown, rules: SettingsRules) => string | undefined;

const FIELD_CHECKS: Record<SettingsField, FieldCheck> = {
  rancherUrl: rancherUrlProblem,
  rancherToken: (v) => (v === null ? undefined : rancherTokenProblem(v)),
  rancherCaCert: caCertProblem,
  rancherInsecure: booleanProblem,
  mainClusterProvider: providerProblem,
  mainApiPort: mainApiPortProblem,
  mainKubeconfig: kubeconfigProblem,
  defaultTemplate: (v, rules) =>
    typeof v === 'string' && rules.presets.includes(v)
      ? undefined
      : `must be one of the presets ${rules.presets.join(', ')}, got ${JSON.stringify(v)}`,
  defaultConcurrency: (v) => concurrencyProblem(v),
  connectRatePerSecond: connectRateProblem,
};

export function settingsFieldProblem(
  field: SettingsField,
  value: unknown,
  rules: SettingsRules,
): string | undefined {
  return FIELD_CHECKS[field](value, rules);
}

/** Every problem in an update request, field by field (unknown fields too); empty when it is valid. */
export function settingsUpdateProblems(request: unknown, rules: SettingsRules): FieldProblem[] {
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return [{ field: '(request)', problem: 'must be an object such as {"rancherUrl": "https://…"}' }];
  const problems: FieldProblem[] = [];
  for (const [field, value] of Object.entries(request as Record<string, unknown>)) {
    if (!(field in FIELD_CHECKS)) {
      problems.push({ field, problem: 'is not a setting' });
      continue;
    }
    const problem = FIELD_CHECKS[field as SettingsField](value, rules);
    if (problem) problems.push({ field, problem });
  }
  return problems;
}

/**
 * Checks that hold between fields, on the values as they would be saved:
 * a Rancher URL needs a token, and an external main cluster needs its kubeconfig.
 */
export function crossFieldProblems(values: SettingsValues, tokenSet: boolean): FieldProblem[] {
  const problems: FieldProblem[] = [];
  if (normalizeRancherUrl(values.rancherUrl) !== '' && !tokenSet)
    problems.push({ field: 'rancherToken', problem: 'is required when a Rancher URL is set' });
  if (values.mainClusterProvider === 'external' && values.mainKubeconfig.trim() === '')
    problems.push({ field: 'mainKubeconfig', problem: 'is required for an external main cluster' });
  return problems;
}

/** Typed values of a valid update, trimmed as they are stored. */
export function normalizeSettingsUpdate(request: SettingsUpdateRequest): SettingsUpdateRequest {
  const out: SettingsUpdateRequest = { ...request };
  if (typeof out.rancherUrl === 'string') out.rancherUrl = normalizeRancherUrl(out.rancherUrl);
  if (typeof out.rancherToken === 'string') out.rancherToken = out.rancherToken.trim();
  if (typeof out.rancherCaCert === 'string')
    out.rancherCaCert = out.rancherCaCert.trim() === '' ? '' : `${out.rancherCaCert.trim()}\n`;
  if (typeof out.mainKubeconfig === 'string') out.mainKubeconfig = out.mainKubeconfig.trim();
  return out;
}
