/**
 * The Settings screen's shapes: what the engine answers on `settings.get`,
 * what `settings.update` takes, and what a connection test reports. The
 * Rancher API token is write-only: it goes in with an update and never comes
 * back, only whether one is set and a hint that cannot be used to log in.
 */
import type { BatchConcurrency } from './cluster-names';

export type MainClusterProviderName = 'kwokctl' | 'external';

/** The editable, non-secret settings. */
export interface SettingsValues {
  /** Rancher server URL (http or https); empty means no Rancher. */
  rancherUrl: string;
  /** PEM of the CA that signs Rancher's certificate; empty uses the system roots. */
  rancherCaCert: string;
  /** Skip verifying Rancher's certificate (throwaway test Ranchers only). */
  rancherInsecure: boolean;
  mainClusterProvider: MainClusterProviderName;
  /** HTTPS port of the kwokctl main cluster's kube-apiserver. */
  mainApiPort: number;
  /** Kubeconfig of an external main cluster. */
  mainKubeconfig: string;
  /** Template preset a new batch uses when it names none. */
  defaultTemplate: string;
  /** Clusters a new batch provisions at once when it names no concurrency. */
  defaultConcurrency: BatchConcurrency;
  /** Tunnel connects per second across all clusters. */
  connectRatePerSecond: number;
}

export type SettingsField = keyof SettingsValues | 'rancherToken';

export const SETTINGS_FIELDS: readonly SettingsField[] = [
  'rancherUrl',
  'rancherToken',
  'rancherCaCert',
  'rancherInsecure',
  'mainClusterProvider',
  'mainApiPort',
  'mainKubeconfig',
  'defaultTemplate',
  'defaultConcurrency',
  'connectRatePerSecond',
];

/**
 * When a saved value takes effect. Rancher and the main cluster are wired
 * once at start (tunnels, clients, the kwokctl cluster), so they wait for the
 * next start; batch defaults and the connect rate are read on every use.
 */
export type AppliesWhen = 'now' | 'restart';

export const SETTINGS_APPLY: Readonly<Record<SettingsField, AppliesWhen>> = {
  rancherUrl: 'restart',
  rancherToken: 'restart',
  rancherCaCert: 'restart',
  rancherInsecure: 'restart',
  mainClusterProvider: 'restart',
  mainApiPort: 'restart',
  mainKubeconfig: 'restart',
  defaultTemplate: 'now',
  defaultConcurrency: 'now',
  connectRatePerSecond: 'now',
};

/** Names people read, for messages and labels. */
export const SETTINGS_LABELS: Readonly<Record<SettingsField, string>> = {
  rancherUrl: 'Rancher URL',
  rancherToken: 'Rancher API token',
  rancherCaCert: 'Rancher CA certificate',
  rancherInsecure: 'Skip TLS verification',
  mainClusterProvider: 'Main cluster provider',
  mainApiPort: 'Main API port',
  mainKubeconfig: 'Main cluster kubeconfig',
  defaultTemplate: 'Default template',
  defaultConcurrency: 'Default concurrency',
  connectRatePerSecond: 'Connect rate',
};

export interface SettingsView {
  /** Saved values, and for fields never saved the values the agent runs with. */
  values: SettingsValues;
  /** The token itself never leaves the engine: only whether it is set and a hint such as `token-ab…:****`. */
  token: { set: boolean; hint: string };
  /** Saved since the agent started and waiting for the next start. */
  pendingRestart: SettingsField[];
  /** Fields an environment variable or a flag sets; those win over saved settings. */
  overriddenBy: Partial<Record<SettingsField, string>>;
  applies: Readonly<Record<SettingsField, AppliesWhen>>;
  /** Template presets a default may name. */
  presets: string[];
  /** Where the settings are kept: a JSON file (headless) or electron-store (desktop). */
  storage: { kind: 'file' | 'electron-store'; location: string };
}

/**
 * Only the fields present change. `rancherToken`: a string sets it, null
 * clears it, absent keeps the saved one.
 */
export type SettingsUpdateRequest = Partial<SettingsValues> & { rancherToken?: string | null };

export interface SettingsChange {
  field: SettingsField;
  applies: AppliesWhen;
  /** Saved, but an environment variable or flag keeps winning while it is set. */
  overriddenBy?: string;
}

export interface SettingsUpdateResult {
  settings: SettingsView;
  changed: SettingsChange[];
  /** One sentence: what took effect now and what waits for the next start. */
  summary: string;
}

/** Values to test; any left out are taken from the saved settings. */
export interface ConnectionTestRequest {
  rancherUrl?: string;
  rancherToken?: string;
  rancherCaCert?: string;
  rancherInsecure?: boolean;
  /** How long to wait for Rancher's answer (1 to 60 s, default 10). */
  timeoutSeconds?: number;
}

/** What went wrong, one word each, so the UI can explain it. */
export type ConnectionFailure =
  | 'refused'
  | 'unreachable'
  | 'dns'
  | 'timeout'
  | 'tls-untrusted'
  | 'tls-hostname'
  | 'tls-expired'
  | 'tls-handshake'
  | 'unauthorized'
  | 'forbidden'
  | 'not-rancher'
  | 'http-error';

export type ConnectionTestResult =
  | {
      ok: true;
      url: string;
      /** Rancher's server-version setting, e.g. v2.12.3. */
      rancherVersion: string;
      insecure: boolean;
      ms: number;
      message: string;
    }
  | { ok: false; url: string; failure: ConnectionFailure; ms: number; message: string };
