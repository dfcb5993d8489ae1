/**
 * The one typed channel map between the engine and every UI. The desktop app
 * carries it over Electron IPC, web mode over a WebSocket; both use these
 * names and shapes, so a screen works the same in either shell.
 */
import type {
  BatchStatus,
  ClusterRecord,
  ClustersChange,
  CreateBatchRequest,
  CreateClusterRequest,
  TemplateSpec,
} from './cluster';
import type { TemplateSummary } from './template-summary';
import type { ClusterNode } from './cluster-nodes';
import type { FleetStatus } from './fleet';
import type { AddAgentRequest, AgentCallRequest, AgentEvent, AgentInfo } from './agents';
import type { MainClusterInfo } from './main-cluster';
import type { LogsAppended, LogsTailRequest, LogsTailResponse } from './logs';
import type {
  ConnectionTestRequest,
  ConnectionTestResult,
  SettingsUpdateRequest,
  SettingsUpdateResult,
  SettingsView,
} from './settings';
import type * as Inspector from './inspector';
import type {
  ActiveFault,
  ClearFaultsRequest,
  ClearFaultsResponse,
  FaultsChangedEvent,
  InjectFaultRequest,
  InjectFaultResponse,
} from './faults';
import type {
  ProfileFile,
  TelemetryHistory,
  TelemetryHistoryRequest,
  TelemetrySampleEvent,
} from './telemetry';

export interface EngineInfo {
  version: string;
  /** 'desktop' inside Electron, 'headless' for `scale-cluster-agent serve`. */
  shell: 'desktop' | 'headless';
  rancherUrl: string;
  /** Tunnel connects per second across all clusters (the global limit). */
  connectRatePerSecond: number;
  startedAt: string;
  /** Random per engine process: tells an agent apart from itself when agents are added to a UI. */
  instanceId: string;
}

/** Request/response calls: channel name -> request and response types. */
export interface RequestChannels {
  /** The engine's load samples, oldest first, as columns (the last `seconds`, or all kept). */
  'telemetry.history': { request: TelemetryHistoryRequest; response: TelemetryHistory };
  'engine.info': { request: void; response: EngineInfo };
  'mainCluster.get': { request: void; response: MainClusterInfo };
  'clusters.list': { request: void; response: ClusterRecord[] };
  'clusters.get': { request: { name: string }; response: ClusterRecord };
  'clusters.create': { request: CreateClusterRequest; response: ClusterRecord };
  /** `note` when the agent finished a removal Rancher did not finish in time. */
  'clusters.delete': { request: { name: string }; response: { name: string; note?: string } };
  'clusters.retry': { request: { name: string }; response: ClusterRecord };
  'clusters.import': { request: { name: string }; response: ClusterRecord };
  'batches.create': { request: CreateBatchRequest; response: BatchStatus };
  'batches.get': { request: { id: string }; response: BatchStatus };
  'batches.list': { request: void; response: BatchStatus[] };
  'batches.cancel': { request: { id: string }; response: BatchStatus };
  'batches.retry': { request: { id: string }; response: BatchStatus };
  /** Settings (src/shared/settings.ts); the API token is write-only and never in a response. */
  'settings.get': { request: void; response: SettingsView };
  'settings.update': { request: SettingsUpdateRequest; response: SettingsUpdateResult };
  'settings.testConnection': { request: ConnectionTestRequest | void; response: ConnectionTestResult };
  /** The newest redacted log lines that match (src/shared/logs.ts). */
  'logs.tail': { request: LogsTailRequest | void; response: LogsTailResponse };
  /** Tunnel inspector (src/shared/inspector.ts): sessions with counters, watch leases, history pages, export. */
  'inspector.sessions': {
    request: Inspector.InspectorSessionsRequest | void;
    response: Inspector.InspectorSessionInfo[];
  };
  'inspector.watch': { request: Inspector.InspectorWatchRequest; response: Inspector.InspectorWatchResponse };
  'inspector.unwatch': {
    request: Inspector.InspectorUnwatchRequest;
    response: { cluster: string; watchers: number };
  };
  'inspector.frames': {
    request: Inspector.InspectorFramesRequest;
    response: Inspector.InspectorFramesResponse;
  };
  'inspector.export': {
    request: Inspector.InspectorExportRequest;
    response: Inspector.InspectorExportResponse;
  };
  'inspector.reconnect': {
    request: Inspector.InspectorReconnectRequest;
    response: { cluster: string; session: Inspector.TunnelSessionKind };
  };
  'templates.list': { request: void; response: TemplateSummary[] };
  /** A ready cluster's nodes with capacity, allocatable and what their pods request. */
  'clusters.nodes': { request: { name: string }; response: ClusterNode[] };
  /** A kubeconfig for the cluster's local endpoint (started on first use); holds a fresh token. */
  'clusters.kubeconfig': { request: { name: string }; response: { kubeconfig: string } };
  /** Closes the cluster's tunnel sessions now; they reconnect at once (under the connect rate limit). */
  /** When Rancher last pinged each imported cluster over its Steve tunnel (ISO times). */
  'clusters.lastPings': { request: void; response: Record<string, string> };
  'clusters.reconnect': { request: { name: string }; response: { name: string; sessions: number } };
  /** Totals of a preset or custom template (YAML/JSON text or object), or an `invalid` error naming the field. */
  'templates.check': { request: { template: TemplateSpec }; response: TemplateSummary };
  /** Fault injection (src/shared/faults.ts): what is in effect, inject one (by kind), clear one or all. */
  'faults.list': { request: void; response: ActiveFault[] };
  'faults.inject': { request: InjectFaultRequest; response: InjectFaultResponse };
  'faults.clear': { request: ClearFaultsRequest | void; response: ClearFaultsResponse };
  /** A CPU profile of the engine over `seconds` (1 to 300): a `.cpuprofile` for Chrome DevTools. */
  'debug.cpuProfile': { request: { seconds: number }; response: ProfileFile };
  /** A heap snapshot of the engine: a `.heapsnapshot` for Chrome DevTools. */
  'debug.heapSnapshot': { request: void; response: ProfileFile };
  /** Other agents shown in this UI (their clusters beside this agent's). */
  'agents.list': { request: void; response: AgentInfo[] };
  'agents.add': { request: AddAgentRequest; response: AgentInfo };
  'agents.remove': { request: { name: string }; response: { name: string } };
  /** A call relayed to another agent, answered as that agent answers it. */
  'agents.call': { request: AgentCallRequest; response: unknown };
  /** The fleet spec in force and how far this agent (shard) has got with it. */
  'fleet.status': { request: void; response: FleetStatus };
  /** Re-reads the fleet spec file and applies it now. */
  'fleet.reconcile': { request: void; response: FleetStatus };
}

/** Events the engine pushes: channel name -> payload type. */
export interface EventChannels {
  /** The engine's load, once a second (see src/shared/telemetry.ts). */
  'telemetry.sample': TelemetrySampleEvent;
  'mainCluster.changed': MainClusterInfo;
  'clusters.changed': ClustersChange;
  /** New redacted log lines, batched at most 4 times a second. */
  'logs.appended': LogsAppended;
  /** New frames and counters of watched tunnel sessions, at most 10 times a second. */
  'inspector.batch': Inspector.InspectorBatch;
  /** The faults in effect, after any injection, clear or expiry. */
  'faults.changed': FaultsChangedEvent;
  /** The other agents' list and connection states. */
  'agents.changed': AgentInfo[];
  /** Another agent's event, relayed. */
  'agents.event': AgentEvent;
}

export type RequestChannel = keyof RequestChannels;
export type EventChannel = keyof EventChannels;
export type RequestOf<C extends RequestChannel> = RequestChannels[C]['request'];
export type ResponseOf<C extends RequestChannel> = RequestChannels[C]['response'];

export const REQUEST_CHANNELS: readonly RequestChannel[] = [
  'telemetry.history',
  'engine.info',
  'mainCluster.get',
  'clusters.list',
  'clusters.get',
  'clusters.create',
  'clusters.delete',
  'clusters.retry',
  'clusters.import',
  'batches.create',
  'batches.get',
  'batches.list',
  'batches.cancel',
  'batches.retry',
  'settings.get',
  'settings.update',
  'settings.testConnection',
  'logs.tail',
  'inspector.sessions',
  'inspector.watch',
  'inspector.unwatch',
  'inspector.frames',
  'inspector.export',
  'inspector.reconnect',
  'templates.list',
  'clusters.nodes',
  'clusters.kubeconfig',
  'clusters.reconnect',
  'clusters.lastPings',
  'templates.check',
  'faults.list',
  'faults.inject',
  'faults.clear',
  'debug.cpuProfile',
  'debug.heapSnapshot',
  'fleet.status',
  'fleet.reconcile',
  'agents.list',
  'agents.add',
  'agents.remove',
  'agents.call',
];

export const EVENT_CHANNELS: readonly EventChannel[] = [
  'mainCluster.changed',
  'clusters.changed',
  'logs.appended',
  'telemetry.sample',
  'inspector.batch',
  'faults.changed',
  'agents.changed',
  'agents.event',
];

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(value);
}

/** What a UI holds: call a channel, listen to events. Both transports implement it. */
export interface EngineClient {
  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void;
}
