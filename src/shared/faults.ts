/**
 * Fault injection: what can be injected, what an active fault looks like,
 * and the rules a request must follow. Shared so the Faults screen shows a
 * problem at the field before anything is sent and the engine refuses the
 * same input with the same words.
 *
 * Kinds use the same words as the `kind` label of the fault metrics.
 *   latency          every chunk a simulated cluster sends back through its tunnels is held `ms`
 *                    (a request's round trip takes that much longer)
 *   bandwidth        a cluster's tunnelled connections share `bytesPerSecond`, each direction
 *   api_errors       the cluster's virtual API answers a Kubernetes Status error (`code`) to a
 *                    `rate` share of requests
 *   pause_heartbeats the cluster's nodes stop heartbeating and go NotReady until cleared
 *   drop_tunnels     drops the clusters' tunnels once, now (they reconnect by themselves)
 *   refuse_connects  refuses every tunnel connect for `seconds` (all clusters)
 *   storm            drops tunnels round-robin at `ratePerSecond` for `seconds` (all clusters)
 */

/** Kinds that stay in effect for chosen clusters until they expire or are cleared. */
export const TARGETED_FAULT_KINDS = ['latency', 'bandwidth', 'api_errors', 'pause_heartbeats'] as const;
export type TargetedFaultKind = (typeof TARGETED_FAULT_KINDS)[number];

/** Every kind a fault list can show (the metrics' `kind` label values). */
export const ACTIVE_FAULT_KINDS = [...TARGETED_FAULT_KINDS, 'refuse_connects', 'storm'] as const;
export type ActiveFaultKind = (typeof ACTIVE_FAULT_KINDS)[number];

export const FAULT_KINDS = [...ACTIVE_FAULT_KINDS, 'drop_tunnels'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/** Status codes the virtual API can be made to answer. */
export const API_ERROR_CODES = [500, 503, 429] as const;
export type ApiErrorCode = (typeof API_ERROR_CODES)[number];

export const FAULT_LIMITS = {
  maxSeconds: 86_400,
  maxLatencyMs: 60_000,
  minBytesPerSecond: 1024,
  maxBytesPerSecond: 1024 * 1024 * 1024,
  maxStormRate: 1000,
  maxStormSeconds: 3600,
} as const;

/** The clusters a request names; omitted means every cluster, those made later included. */
interface Targeted {
  clusters?: string[];
  /** How long the fault lasts; omitted means until it is cleared. */
  seconds?: number;
}

export type InjectFaultRequest =
  | ({ kind: 'latency'; ms: number } & Targeted)
  | ({ kind: 'bandwidth'; bytesPerSecond: number } & Targeted)
  | ({ kind: 'api_errors'; rate: number; code?: ApiErrorCode } & Targeted)
  | ({ kind: 'pause_heartbeats' } & Targeted)
  | { kind: 'drop_tunnels'; clusters?: string[] }
  | { kind: 'refuse_connects'; seconds: number }
  | { kind: 'storm'; ratePerSecond: number; seconds: number };

export interface FaultParameters {
  ms?: number;
  bytesPerSecond?: number;
  rate?: number;
  code?: ApiErrorCode;
  ratePerSecond?: number;
}

export interface ActiveFault {
  /** `f-` and 8 hex digits; `refuse_connects` and `storm` for those two (there is one of each at most). */
  id: string;
  kind: ActiveFaultKind;
  /** The clusters it applies to, or 'all' (clusters made later included). */
  clusters: string[] | 'all';
  parameters: FaultParameters;
  since: string;
  /** When it ends by itself; null: until cleared. */
  until: string | null;
}

export interface InjectFaultResponse {
  /** The fault now in effect (null for drop_tunnels, which acts once). */
  fault: ActiveFault | null;
  /** Clusters whose tunnels were dropped (drop_tunnels only). */
  dropped?: number;
}

export interface ClearFaultsRequest {
  /** One fault; omitted clears every fault. */
  id?: string;
}

export interface ClearFaultsResponse {
  cleared: ActiveFault[];
}

const FIELDS: Record<FaultKind, readonly string[]> = {
  latency: ['kind', 'clusters', 'seconds', 'ms'],
  bandwidth: ['kind', 'clusters', 'seconds', 'bytesPerSecond'],
  api_errors: ['kind', 'clusters', 'seconds', 'rate', 'code'],
  pause_heartbeats: ['kind', 'clusters', 'seconds'],
  drop_tunnels: ['kind', 'clusters'],
  refuse_connects: ['kind', 'seconds'],
  storm: ['kind', 'ratePerSecond', 'seconds'],
};

export function isFaultKind(value: unknown): value is FaultKind {
  return typeof value === 'string' && (FAULT_KINDS as readonly string[]).includes(value);
}

function numberProblem(
  value: unknown,
  field: string,
  min: number,
  max: number,
  opts: { integer?: boolean; minExclusive?: boolean } = {},
): string | undefined {
  const what = opts.integer ? 'a whole number' : 'a number';
  const range = `${opts.minExclusive ? 'above' : 'from'} ${min} ${opts.minExclusive ? 'and at most' : 'to'} ${max}`;
  if (typeof value !== 'number' || !Number.isFinite(value)) return `"${field}" must be ${what} ${range}`;
  if (opts.integer && !Number.isInteger(value)) return `"${field}" must be ${what} ${range}, got ${value}`;
  if ((opts.minExclusive ? value <= min : value < min) || value > max)
    return `"${field}" must be ${what} ${range}, got ${value}`;
  return undefined;
}

function clustersProblem(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || !value.every((n) => typeof n === 'string'))
    return '"clusters" must be a list of cluster names (omit it for all clusters)';
  if (value.length === 0) return '"clusters" must name at least one cluster (omit it for all clusters)';
  return undefined;
}

/**
 * The first problem of an injection request, or undefined when it is valid.
 * Whether the named clusters exist is the engine's to check.
 */
export function injectFaultProblem(request: unknown): string | undefined {
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    return 'a fault request must be an object such as {"kind": "latency", "ms": 200}';
  const r = request as Record<string, unknown>;
  if (!isFaultKind(r.kind)) return `"kind" must be one of ${FAULT_KINDS.join(', ')}`;
  const unknown = Object.keys(r).filter((k) => !FIELDS[r.kind as FaultKind].includes(k));
  if (unknown.length > 0)
    return `unknown field ${unknown.map((k) => JSON.stringify(k)).join(', ')} for a ${r.kind} fault (it takes ${FIELDS[
      r.kind
    ]
      .filter((f) => f !== 'kind')
      .join(', ')})`;
  const clusters = clustersProblem(r.clusters);
  if (clusters) return clusters;
  const optionalSeconds = (): string | undefined =>
    r.seconds === undefined
      ? undefined
      : numberProblem(r.seconds, 'seconds', 0, FAULT_LIMITS.maxSeconds, { minExclusive: true });
  switch (r.kind) {
    case 'latency':
      return numberProblem(r.ms, 'ms', 1, FAULT_LIMITS.maxLatencyMs, { integer: true }) ?? optionalSeconds();
    case 'bandwidth':
      return (
        numberProblem(
          r.bytesPerSecond,
          'bytesPerSecond',
          FAULT_LIMITS.minBytesPerSecond,
          FAULT_LIMITS.maxBytesPerSecond,
          { integer: true },
        ) ?? optionalSeconds()
      );
    case 'api_errors':
      if (r.code !== undefined && !(API_ERROR_CODES as readonly unknown[]).includes(r.code))
        return `"code" must be one of ${API_ERROR_CODES.join(', ')}`;
      return numberProblem(r.rate, 'rate', 0, 1, { minExclusive: true }) ?? optionalSeconds();
    case 'pause_heartbeats':
      return optionalSeconds();
    case 'drop_tunnels':
      return undefined;
    case 'refuse_connects':
      return numberProblem(r.seconds, 'seconds', 0, FAULT_LIMITS.maxSeconds, { minExclusive: true });
    case 'storm':
      return (
        numberProblem(r.ratePerSecond, 'ratePerSecond', 0, FAULT_LIMITS.maxStormRate, {
          minExclusive: true,
        }) ?? numberProblem(r.seconds, 'seconds', 0, FAULT_LIMITS.maxStormSeconds, { minExclusive: true })
      );
  }
  return undefined;
}

/** One line for a fault's parameters, as the Faults screen and logs show them. */
export function describeFaultParameters(kind: FaultKind, p: FaultParameters): string {
  switch (kind) {
    case 'latency':
      return `+${p.ms ?? 0} ms per round trip`;
    case 'bandwidth':
      return `${formatRate(p.bytesPerSecond ?? 0)} per cluster, each direction`;
    case 'api_errors':
      return `${Math.round((p.rate ?? 0) * 1000) / 10}% of requests answer ${p.code ?? 503}`;
    case 'pause_heartbeats':
      return 'nodes NotReady';
    case 'refuse_connects':
      return 'every tunnel connect refused';
    case 'storm':
      return `${p.ratePerSecond ?? 0} drops/s`;
    case 'drop_tunnels':
      return 'tunnels dropped once';
  }
  return '';
}

function formatRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1024 * 1024) return `${Math.round((bytesPerSecond / 1024 / 1024) * 10) / 10} MiB/s`;
  if (bytesPerSecond >= 1024) return `${Math.round((bytesPerSecond / 1024) * 10) / 10} KiB/s`;
  return `${bytesPerSecond} B/s`;
}

/** The `faults.changed` event: the whole list, after any injection, clear or expiry. */
export interface FaultsChangedEvent {
  faults: ActiveFault[];
}
