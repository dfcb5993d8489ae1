/**
 * Checks `settings.update` and `settings.testConnection` requests: the
 * shared per-field rules (the form applies the same ones), plus what only the
 * engine can check: that a CA is a certificate Node can load and that a
 * kubeconfig path exists. A bad request is an `invalid` error naming every
 * bad field; nothing is saved.
 */
import { X509Certificate } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { EngineError } from '../../../shared/errors';
import type { ConnectionTestRequest, SettingsUpdateRequest } from '../../../shared/settings';
import {
  normalizeSettingsUpdate,
  settingsFieldProblem,
  settingsUpdateProblems,
  type FieldProblem,
} from '../../../shared/settings-validation';
import { PRESET_NAMES } from '../../../shared/template-presets';

const RULES = { presets: PRESET_NAMES };

function refuse(channel: string, problems: FieldProblem[], tail: string): never {
  throw new EngineError(
    'invalid',
    `${channel}: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}${tail}`,
  );
}

/** Every certificate in the PEM loads (a PEM that looks right can still be garbage). */
export function caCertLoadProblem(pem: string): string | undefined {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  for (const block of blocks) {
    try {
      new X509Certificate(block);
    } catch (err) {
      return `is not a certificate Node can load (${(err as Error).message})`;
    }
  }
  return undefined;
}

function kubeconfigFileProblem(path: string): string | undefined {
  if (path === '') return undefined;
  if (!existsSync(path)) return `names ${path}, which does not exist`;
  if (!statSync(path).isFile()) return `names ${path}, which is not a file`;
  return undefined;
}

export function parseSettingsUpdate(request: unknown): SettingsUpdateRequest {
  const problems = settingsUpdateProblems(request, RULES);
  const r = (problems.length === 0 ? request : {}) as SettingsUpdateRequest;
  if (typeof r.rancherCaCert === 'string' && r.rancherCaCert.trim() !== '') {
    const problem = caCertLoadProblem(r.rancherCaCert);
    if (problem) problems.push({ field: 'rancherCaCert', problem });
  }
  if (typeof r.mainKubeconfig === 'string') {
    const problem = kubeconfigFileProblem(r.mainKubeconfig.trim());
    if (problem) problems.push({ field: 'mainKubeconfig', problem });
  }
  if (problems.length > 0) refuse('settings.update', problems, '; nothing was saved');
  return normalizeSettingsUpdate(r);
}

const TEST_FIELDS = new Set([
  'rancherUrl',
  'rancherToken',
  'rancherCaCert',
  'rancherInsecure',
  'timeoutSeconds',
]);

export function parseConnectionTestRequest(request: unknown): ConnectionTestRequest {
  if (request === undefined || request === null) return {};
  if (typeof request !== 'object' || Array.isArray(request))
    refuse('settings.testConnection', [{ field: '(request)', problem: 'must be an object' }], '');
  const r = request as Record<string, unknown>;
  const problems: FieldProblem[] = [];
  for (const [field, value] of Object.entries(r)) {
    if (!TEST_FIELDS.has(field)) problems.push({ field, problem: 'is not a connection setting' });
    else if (field === 'timeoutSeconds') {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 1 || value > 60)
        problems.push({ field, problem: 'must be a number of seconds from 1 to 60' });
    } else if (value !== undefined) {
      const problem = settingsFieldProblem(field as 'rancherUrl', value, RULES);
      if (problem) problems.push({ field, problem });
    }
  }
  if (problems.length === 0 && typeof r.rancherCaCert === 'string' && r.rancherCaCert.trim() !== '') {
    const problem = caCertLoadProblem(r.rancherCaCert);
    if (problem) problems.push({ field: 'rancherCaCert', problem });
  }
  if (problems.length > 0) refuse('settings.testConnection', problems, '');
  const normalized = normalizeSettingsUpdate(r as SettingsUpdateRequest);
  return {
    ...(normalized.rancherUrl !== undefined ? { rancherUrl: normalized.rancherUrl } : {}),
    ...(typeof normalized.rancherToken === 'string' ? { rancherToken: normalized.rancherToken } : {}),
    ...(normalized.rancherCaCert !== undefined ? { rancherCaCert: normalized.rancherCaCert } : {}),
    ...(normalized.rancherInsecure !== undefined ? { rancherInsecure: normalized.rancherInsecure } : {}),
    ...(typeof r.timeoutSeconds === 'number' ? { timeoutSeconds: r.timeoutSeconds } : {}),
  };
}
