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
} from './cluster';
import type { MainClusterInfo } from './main-cluster';

export interface EngineInfo {
  version: string;
  /** 'desktop' inside Electron, 'headless' for `scale-cluster-agent serve`. */
  shell: 'desktop' | 'headless';
  rancherUrl: string;
  startedAt: string;
}

/** Request/response calls: channel name -> request and response types. */
export interface RequestChannels {
  'engine.info': { request: void; response: EngineInfo };
  'mainCluster.get': { request: void; response: MainClusterInfo };
  'clusters.list': { request: void; response: ClusterRecord[] };
  'clusters.get': { request: { name: string }; response: ClusterRecord };
  'clusters.create': { request: CreateClusterRequest; response: ClusterRecord };
  'clusters.delete': { request: { name: string }; response: { name: string } };
  'clusters.retry': { request: { name: string }; response: ClusterRecord };
  'clusters.import': { request: { name: string }; response: ClusterRecord };
  'batches.create': { request: CreateBatchRequest; response: BatchStatus };
  'batches.get': { request: { id: string }; response: BatchStatus };
  'batches.list': { request: void; response: BatchStatus[] };
  'batches.cancel': { request: { id: string }; response: BatchStatus };
  'batches.retry': { request: { id: string }; response: BatchStatus };
}

/** Events the engine pushes: channel name -> payload type. */
export interface EventChannels {
  'mainCluster.changed': MainClusterInfo;
  'clusters.changed': ClustersChange;
}

export type RequestChannel = keyof RequestChannels;
export type EventChannel = keyof EventChannels;
export type RequestOf<C extends RequestChannel> = RequestChannels[C]['request'];
export type ResponseOf<C extends RequestChannel> = RequestChannels[C]['response'];

export const REQUEST_CHANNELS: readonly RequestChannel[] = [
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
];

export const EVENT_CHANNELS: readonly EventChannel[] = ['mainCluster.changed', 'clusters.changed'];

export function isRequestChannel(value: unknown): value is RequestChannel {
  return typeof value === 'string' && (REQUEST_CHANNELS as readonly string[]).includes(value);
}

/** What a UI holds: call a channel, listen to events. Both transports implement it. */
export interface EngineClient {
  call<C extends RequestChannel>(channel: C, request: RequestOf<C>): Promise<ResponseOf<C>>;
  on<E extends EventChannel>(channel: E, listener: (payload: EventChannels[E]) => void): () => void;
}
