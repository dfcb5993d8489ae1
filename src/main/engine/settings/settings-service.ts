/**
 * The Settings screen's engine side: `settings.get`, `settings.update` and
 * `settings.testConnection`. Saved settings are a config layer read at start;
 * batch defaults and the connect rate also take effect at once, the rest at
 * the next start, and every answer says which. The API token goes in and
 * never comes out: answers carry only whether it is set and a hint.
 */
import type { BatchConcurrency } from '../../../shared/cluster-names';
import { readFileSync } from 'node:fs';
import { EngineError } from '../../../shared/errors';
import {
  SETTINGS_APPLY,
  SETTINGS_FIELDS,
  SETTINGS_LABELS,
  type ConnectionTestRequest,
  type ConnectionTestResult,
  type SettingsChange,
  type SettingsField,
  type SettingsUpdateResult,
  type SettingsValues,
  type SettingsView,
} from '../../../shared/settings';
import { crossFieldProblems } from '../../../shared/settings-validation';
import type { AgentConfig, ConfigKey } from '../config/agent-config';
import type { Logger } from '../telemetry/logger';
import { PRESET_NAMES } from '../../../shared/template-presets';
import { testRancherConnection } from './connection-test';
import { parseConnectionTestRequest, parseSettingsUpdate } from './parse-settings-requests';
import { SETTINGS_CONFIG_KEYS, tokenHint, valuesFromConfig, type SavedSettings } from './saved-settings';
import { writeCaFile } from './settings-layer';
import type { SettingsStore } from './settings-store';

const DEFAULT_TEST_TIMEOUT_S = 10;

/** The settings that take effect at once, as the running engine reads them. */
export interface LiveSettings {
  defaultTemplate: string;
  defaultConcurrency: BatchConcurrency;
  connectRatePerSecond: number;
}

export interface SettingsServiceOptions {
  store: SettingsStore;
  /** The configuration the engine started with (saved settings already layered in). */
  config: AgentConfig;
  /** Where config keys came from; keys set by the environment or a flag win over saved settings. */
  sources?: Partial<Record<ConfigKey, string>>;
  logger: Logger;
  /** Called when an at-once setting changed (the connect rate is pushed to the limiter). */
  onLiveChange?: (live: LiveSettings, changed: SettingsField[]) => void;
}

export class SettingsService {
  private saved: SavedSettings;
  /** The values the engine started with; a saved value that differs waits for the next start. */
  private readonly running: SettingsValues;
  private liveValues: LiveSettings;

  constructor(private readonly options: SettingsServiceOptions) {
    const { saved, warnings } = options.store.load();
    for (const w of warnings) options.logger.warn(w);
    this.saved = saved;
    const { config } = options;
    this.running = {
      ...valuesFromConfig(config),
      rancherCaCert: config.RancherCACert ? readOrEmpty(config.RancherCACert) : '',
    };
    this.liveValues = {
      defaultTemplate: config.DefaultTemplate,
      defaultConcurrency: config.DefaultConcurrency,
      connectRatePerSecond: config.ConnectRatePerSecond,
    };
  }

  /** Batch defaults and connect rate in effect now. */
  get live(): LiveSettings {
    return this.liveValues;
  }

  /** The environment variable or flag that sets this field, if any (it wins over saved settings). */
  private overriddenBy(field: SettingsField): string | undefined {
    const source = this.options.sources?.[SETTINGS_CONFIG_KEYS[field]];
    return source && (source.startsWith('environment ') || source.startsWith('flag ')) ? source : undefined;
  }

  private currentToken(): string {
    return this.saved.rancherToken ?? this.options.config.BearerToken;
  }

  private values(): SettingsValues {
    return { ...this.running, ...this.liveValues, ...withoutToken(this.saved) };
  }

  /** Saved, different from what the engine runs with, and not overridden: waits for the next start. */
  private waitsForRestart(field: SettingsField): boolean {
    if (SETTINGS_APPLY[field] !== 'restart' || this.overriddenBy(field)) return false;
    const saved = this.saved[field];
    if (saved === undefined) return false;
    const running = field === 'rancherToken' ? this.options.config.BearerToken : this.running[field];
    return saved !== running;
  }

  view(): SettingsView {
    const token = this.currentToken();
    const overriddenBy: Partial<Record<SettingsField, string>> = {};
    for (const field of SETTINGS_FIELDS) {
      const by = this.overriddenBy(field);
      if (by) overriddenBy[field] = by;
    }
    return {
      values: this.values(),
      token: { set: token !== '', hint: tokenHint(token) },
      pendingRestart: SETTINGS_FIELDS.filter((f) => this.waitsForRestart(f)),
      overriddenBy,
      applies: SETTINGS_APPLY,
      presets: [...PRESET_NAMES],
      storage: { kind: this.options.store.kind, location: this.options.store.location },
    };
  }

  update(request: unknown): SettingsUpdateResult {
    const update = parseSettingsUpdate(request);
    const next: SavedSettings = { ...this.saved };
    const changed: SettingsChange[] = [];
    for (const field of SETTINGS_FIELDS) {
      if (!(field in update)) continue;
      const value = (update as Record<string, unknown>)[field];
      const before = field === 'rancherToken' ? this.currentToken() : this.values()[field];
      if (field === 'rancherToken' && value === null) {
        // Cleared: saved as empty, so the layer also overrides a token from the config file.
        next.rancherToken = '';
      } else {
        (next as Record<string, unknown>)[field] = value;
      }
      const after = (next as Record<string, unknown>)[field];
      if (after === before) continue;
      const by = this.overriddenBy(field);
      changed.push({ field, applies: SETTINGS_APPLY[field], ...(by ? { overriddenBy: by } : {}) });
    }
    const nextValues = { ...this.values(), ...withoutToken(next) };
    const tokenSet = (next.rancherToken ?? this.options.config.BearerToken) !== '';
    const problems = crossFieldProblems(
      nextValues,
      tokenSet || this.overriddenBy('rancherToken') !== undefined,
    );
    if (problems.length > 0) {
      throw new EngineError(
        'invalid',
        `settings.update: ${problems.map((p) => `${p.field} ${p.problem}`).join('; ')}; nothing was saved`,
      );
    }
    if (changed.length > 0) {
      this.options.store.save(next);
      this.saved = next;
      if (typeof next.rancherCaCert === 'string' && next.rancherCaCert !== '')
        writeCaFile(this.options.config.HomeDir, next.rancherCaCert);
      this.applyLive(changed);
      this.options.logger.info(
        { changed: changed.map((c) => c.field) },
        `Settings saved (${this.options.store.location}): ${changed.map((c) => SETTINGS_LABELS[c.field]).join(', ')}`,
      );
    }
    return { settings: this.view(), changed, summary: summarize(changed) };
  }

  private applyLive(changed: SettingsChange[]): void {
    const now = changed.filter((c) => c.applies === 'now' && !c.overriddenBy).map((c) => c.field);
    if (now.length === 0) return;
    const values = this.values();
    this.liveValues = {
      defaultTemplate: now.includes('defaultTemplate')
        ? values.defaultTemplate
        : this.liveValues.defaultTemplate,
      defaultConcurrency: now.includes('defaultConcurrency')
        ? values.defaultConcurrency
        : this.liveValues.defaultConcurrency,
      connectRatePerSecond: now.includes('connectRatePerSecond')
        ? values.connectRatePerSecond
        : this.liveValues.connectRatePerSecond,
    };
    this.options.onLiveChange?.(this.liveValues, now);
  }

  async testConnection(request: unknown): Promise<ConnectionTestResult> {
    const r: ConnectionTestRequest = parseConnectionTestRequest(request);
    const values = this.values();
    const url = r.rancherUrl ?? values.rancherUrl;
    const token = r.rancherToken ?? this.currentToken();
    if (!url)
      throw new EngineError(
        'invalid',
        'settings.testConnection: rancherUrl is required: no Rancher URL is given or saved',
      );
    if (!token)
      throw new EngineError(
        'invalid',
        'settings.testConnection: rancherToken is required: no API token is given or saved',
      );
    const caPem = r.rancherCaCert ?? values.rancherCaCert;
    const result = await testRancherConnection({
      url,
      token,
      caPem,
      insecure: r.rancherInsecure ?? values.rancherInsecure,
      timeoutMs: (r.timeoutSeconds ?? DEFAULT_TEST_TIMEOUT_S) * 1000,
    });
    if (result.ok)
      this.options.logger.info(
        { url, version: result.rancherVersion },
        `Rancher connection test passed: ${url}`,
      );
    else
      this.options.logger.warn(
        { url, failure: result.failure },
        `Rancher connection test failed: ${result.message}`,
      );
    return result;
  }
}

function withoutToken(saved: SavedSettings): Partial<SettingsValues> {
  const { rancherToken: _token, ...rest } = saved;
  return rest;
}

/** The CA file the config names, as PEM (an unreadable one counts as none: the import reports it). */
function readOrEmpty(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

/** "Applied now: Default template. At next start: Rancher URL, Rancher API token." */
export function summarize(changed: SettingsChange[]): string {
  if (changed.length === 0) return 'Nothing changed.';
  const label = (c: SettingsChange): string => SETTINGS_LABELS[c.field];
  const now = changed.filter((c) => c.applies === 'now' && !c.overriddenBy).map(label);
  const later = changed.filter((c) => c.applies === 'restart' && !c.overriddenBy).map(label);
  const overridden = changed.filter((c) => c.overriddenBy).map((c) => `${label(c)} (${c.overriddenBy})`);
  const parts = ['Saved.'];
  if (now.length) parts.push(`Applied now: ${now.join(', ')}.`);
  if (later.length) parts.push(`At next start: ${later.join(', ')}.`);
  if (overridden.length) parts.push(`Saved but overridden while set: ${overridden.join(', ')}.`);
  return parts.join(' ');
}
