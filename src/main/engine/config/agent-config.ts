/**
 * The agent's configuration: the seed's keys (reference/original-go-agent.md)
 * plus ours, their defaults, and how each value is checked. A bad value is an
 * error that names where it came from, the key and the problem.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  concurrencyProblem,
  DEFAULT_BATCH_CONCURRENCY,
  parseConcurrency,
  type BatchConcurrency,
} from '../../../shared/cluster-names';
import { PRESET_NAMES } from '../../../shared/template-presets';

export type LogLevel = 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal';
export const LOG_LEVELS: readonly LogLevel[] = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

export interface AgentConfig {
  /** Rancher server URL; empty means no Rancher (clusters stay local). */
  RancherURL: string;
  /** Rancher API token `token-xxxxx:secret`. A secret: never logged. */
  BearerToken: string;
  /** File of the CA that signs Rancher's certificate, added to the system roots. */
  RancherCACert: string;
  /** Skip verifying Rancher's certificate. For throwaway test Ranchers only; logged loudly. */
  RancherInsecure: boolean;
  /** How often Rancher's cluster list is read: to notice clusters deleted there and show Rancher's state of each. */
  RancherDeletionWatchSeconds: number;
  /** How long a new cluster's registration token is retried while Rancher has not made the cluster's namespace. */
  RancherNamespaceWaitSeconds: number;
  /** How long a deletion waits for Rancher to finish removing the cluster (tunnels kept up) before finishing locally. */
  RancherRemovalWaitSeconds: number;
  /** The longest wait between a tunnel's reconnect attempts (exponential backoff with full jitter up to this). */
  TunnelBackoffMaxSeconds: number;
  /** Tunnel connects per second across all clusters (reconnect storms stay under it). */
  ConnectRatePerSecond: number;
  /** Port of the REST API and web UI. */
  ListenPort: number;
  /** Address the REST API and web UI bind to. */
  ListenAddress: string;
  /** Required when ListenAddress is not loopback. A secret. */
  AccessToken: string;
  LogLevel: LogLevel;
  /** kwokctl cluster name of the main cluster. */
  MainClusterName: string;
  /** HTTPS port of the main cluster's kube-apiserver. */
  MainAPIPort: number;
  /** First port for optional per-cluster local API endpoints. */
  ProxyBasePort: number;
  /** 'kwokctl' manages a local main cluster; 'external' uses MainKubeconfig. */
  MainClusterProvider: 'kwokctl' | 'external';
  /** Kubeconfig of an external main cluster (provider 'external'). */
  MainKubeconfig: string;
  /** Folder holding kwokctl, kwok, kube-apiserver, kube-controller-manager, etcd. */
  KubeBinDir: string;
  /** kwokctl's working folder (KWOK_WORKDIR); default ~/.kwok. */
  KwokWorkdir: string;
  /** The agent's own folder: config/, state.json, pki/. */
  HomeDir: string;
  /** Template preset of a new batch that names none. */
  DefaultTemplate: string;
  /** Clusters a new batch provisions at once when it names no concurrency. */
  DefaultConcurrency: BatchConcurrency;
  /** A fleet spec file (YAML) of clusters to keep: reconciled at start and whenever it changes. Empty: none. */
  Fleet: string;
  /** This agent's shard, from 0; -1 takes it from a StatefulSet pod's name (POD_NAME), else 0. */
  ShardIndex: number;
  /** Shards sharing the fleet spec: each owns the spec's clusters by a stable hash of the name. */
  ShardCount: number;
}

export type ConfigKey = keyof AgentConfig;

export const SECRET_KEYS: readonly ConfigKey[] = ['BearerToken', 'AccessToken'];

export function defaultConfig(home = homedir()): AgentConfig {
  return {
    RancherURL: '',
    BearerToken: '',
    RancherCACert: '',
    RancherInsecure: false,
    RancherDeletionWatchSeconds: 15,
    RancherNamespaceWaitSeconds: 60,
    RancherRemovalWaitSeconds: 120,
    TunnelBackoffMaxSeconds: 60,
    ConnectRatePerSecond: 20,
    ListenPort: 9090,
    ListenAddress: '127.0.0.1',
    AccessToken: '',
    LogLevel: 'info',
    MainClusterName: 'main-cluster',
    MainAPIPort: 8050,
    ProxyBasePort: 8440,
    MainClusterProvider: 'kwokctl',
    MainKubeconfig: '',
    KubeBinDir: '',
    KwokWorkdir: '',
    HomeDir: join(home, '.scale-cluster-agent'),
    DefaultTemplate: 'default',
    DefaultConcurrency: DEFAULT_BATCH_CONCURRENCY,
    Fleet: '',
    ShardIndex: -1,
    ShardCount: 1,
  };
}

/** A problem with one configuration value, said where it came from. */
export class ConfigError extends Error {
  constructor(
    readonly source: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`${source}: ${key}: ${problem}`);
    this.name = 'ConfigError';
  }
}

type Parser = (raw: unknown) => unknown;

function port(raw: unknown): number {
  const n =
    typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new Error(`must be a port number from 1 to 65535, got ${JSON.stringify(raw)}`);
  return n;
}

function text(raw: unknown): string {
  if (typeof raw === 'string') return raw.trim();
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  throw new Error(`must be a string, got ${raw === null ? 'null' : typeof raw}`);
}

function bool(raw: unknown): boolean {
  if (typeof raw === 'boolean') return raw;
  const v = text(raw).toLowerCase();
  if (['true', 'yes', '1', 'on'].includes(v)) return true;
  if (['false', 'no', '0', 'off', ''].includes(v)) return false;
  throw new Error(`must be true or false, got ${JSON.stringify(raw)}`);
}

function positiveNumber(max: number): (raw: unknown) => number {
  return (raw) => {
    const n =
      typeof raw === 'number' ? raw : typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : NaN;
    if (!Number.isFinite(n) || n <= 0 || n > max)
      throw new Error(`must be a number above 0 and at most ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
}

function url(raw: unknown): string {
  const value = text(raw).replace(/\/+$/, '');
  if (value === '') return '';
  let parsed: URL;
  try {
    parsed = new URL(value);
  } catch {
    throw new Error(
      `must be an http(s) URL such as https://rancher.example.com, got ${JSON.stringify(value)}`,
    );
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new Error(`must use https:// or http://, got ${parsed.protocol}`);
  }
  return value;
}

function oneOf<T extends string>(values: readonly T[]): (raw: unknown) => T {
  return (raw) => {
    const value = text(raw).toLowerCase();
    const found = values.find((v) => v.toLowerCase() === value);
    if (!found) throw new Error(`must be one of ${values.join(', ')}, got ${JSON.stringify(raw)}`);
    return found;
  };
}

function clusterName(raw: unknown): string {
  const value = text(raw);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value)) {
    throw new Error('must be a lowercase DNS label (a-z, 0-9, "-", at most 63 characters)');
  }
  return value;
}

function wholeNumber(min: number, max: number): (raw: unknown) => number {
  return (raw) => {
    const n = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max)
      throw new Error(`must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw)}`);
    return n;
  };
}

function batchConcurrency(raw: unknown): BatchConcurrency {
  const n = typeof raw === 'string' ? parseConcurrency(raw) : raw;
  const problem = concurrencyProblem(n);
  if (problem) throw new Error(`${problem}, got ${JSON.stringify(raw)}`);
  return n as BatchConcurrency;
}

const PARSERS: Record<ConfigKey, Parser> = {
  RancherURL: url,
  BearerToken: text,
  RancherCACert: text,
  RancherInsecure: bool,
  RancherDeletionWatchSeconds: positiveNumber(86_400),
  RancherNamespaceWaitSeconds: positiveNumber(3_600),
  RancherRemovalWaitSeconds: positiveNumber(3_600),
  TunnelBackoffMaxSeconds: positiveNumber(3_600),
  ConnectRatePerSecond: positiveNumber(10_000),
  ListenPort: port,
  ListenAddress: text,
  AccessToken: text,
  LogLevel: oneOf(LOG_LEVELS),
  MainClusterName: clusterName,
  MainAPIPort: port,
  ProxyBasePort: port,
  MainClusterProvider: oneOf(['kwokctl', 'external'] as const),
  MainKubeconfig: text,
  KubeBinDir: text,
  KwokWorkdir: text,
  HomeDir: text,
  DefaultTemplate: oneOf(PRESET_NAMES),
  DefaultConcurrency: batchConcurrency,
  Fleet: text,
  ShardIndex: wholeNumber(-1, 999),
  ShardCount: wholeNumber(1, 1000),
};

export const CONFIG_KEYS = Object.keys(PARSERS) as ConfigKey[];

/** Finds the canonical key for a name from a file, case-insensitively as Go's JSON decoding does. */
export function canonicalKey(name: string): ConfigKey | undefined {
  const lower = name.toLowerCase();
  return CONFIG_KEYS.find((k) => k.toLowerCase() === lower);
}

/** Checks and normalizes one value; throws ConfigError naming source and key. */
export function parseValue<K extends ConfigKey>(source: string, key: K, raw: unknown): AgentConfig[K] {
  try {
    return PARSERS[key](raw) as AgentConfig[K];
  } catch (err) {
    throw new ConfigError(source, key, (err as Error).message);
  }
}

/** A copy safe to log or show: secrets replaced by whether they are set. */
export function redactedConfig(config: AgentConfig): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...config };
  for (const key of SECRET_KEYS) copy[key] = config[key] ? '[set]' : '';
  return copy;
}
