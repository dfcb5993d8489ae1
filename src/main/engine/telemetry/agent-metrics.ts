/**
 * Prometheus metrics (GET /metrics). Gauges are computed when scraped from
 * the engine's own state; counters are incremented where things happen.
 * Labels stay bounded at any number of clusters: status, tunnel kind and
 * state, direction, verb and code, never a cluster name.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ClusterRecord, TunnelInfo } from '../../../shared/cluster';
import { CLUSTER_STATUSES } from '../../../shared/cluster';
import type { KubeRestStats } from '../kube/kube-rest';
import type { TunnelTraffic } from '../../../shared/telemetry';

export interface MetricsSources {
  clusters: () => ClusterRecord[];
  kubeStats: () => KubeRestStats | undefined;
  traffic: () => Record<'main' | 'steve', TunnelTraffic> | undefined;
  faults: () => Record<string, number>;
  /** Clusters each targeted fault kind covers now. */
  faultClusters?: () => Record<string, number>;
  /** Simulated nodes held NotReady by paused heartbeats. */
  pausedNodes?: () => number;
}

const KINDS = ['main', 'steve'] as const;
const TUNNEL_STATES: TunnelInfo['state'][] = ['stopped', 'connecting', 'connected', 'waiting', 'refused'];

export class AgentMetrics {
  readonly registry = new Registry();
  readonly tunnelConnects: Counter<'kind'>;
  readonly tunnelReconnects: Counter<'kind'>;
  readonly tunnelRefusals: Counter<'kind'>;
  readonly vapiRequests: Counter<'verb' | 'code'>;
  readonly vapiCachedReads: Counter<'what'>;
  readonly vapiDuration: Histogram<'verb'>;
  readonly faultApiErrors: Counter<'code'>;
  readonly faultShapedBytes: Counter<'kind'>;

  constructor(sources: MetricsSources) {
    const r = this.registry;
    collectDefaultMetrics({ register: r, prefix: 'scale_agent_' });
    new Gauge({
      name: 'scale_agent_clusters',
      help: 'Simulated clusters by status',
      labelNames: ['status'],
      registers: [r],
      collect() {
        const counts = new Map<string, number>(CLUSTER_STATUSES.map((s) => [s, 0]));
        for (const c of sources.clusters()) counts.set(c.status, (counts.get(c.status) ?? 0) + 1);
        for (const [status, n] of counts) this.set({ status }, n);
      },
    });
    new Gauge({
      name: 'scale_agent_tunnel_sessions',
      help: 'Tunnels to Rancher by kind and state',
      labelNames: ['kind', 'state'],
      registers: [r],
      collect() {
        const counts = new Map<string, number>();
        for (const kind of KINDS) for (const state of TUNNEL_STATES) counts.set(`${kind}/${state}`, 0);
        for (const c of sources.clusters()) {
          if (!c.tunnels) continue;
          for (const kind of KINDS) {
            const key = `${kind}/${c.tunnels[kind].state}`;
            counts.set(key, (counts.get(key) ?? 0) + 1);
          }
        }
        for (const [key, n] of counts) {
          const [kind = '', state = ''] = key.split('/');
          this.set({ kind, state }, n);
        }
      },
    });
    const trafficCounter = (name: string, help: string, field: 'frames' | 'bytes') =>
      new Counter({
        name,
        help,
        labelNames: ['kind', 'direction'],
        registers: [r],
        collect() {
          const t = sources.traffic();
          if (!t) return;
          this.reset();
          for (const kind of KINDS) {
            this.inc({ kind, direction: 'in' }, field === 'frames' ? t[kind].framesIn : t[kind].bytesIn);
            this.inc({ kind, direction: 'out' }, field === 'frames' ? t[kind].framesOut : t[kind].bytesOut);
          }
        },
      });
    trafficCounter('scale_agent_tunnel_frames_total', 'remotedialer frames carried by the tunnels', 'frames');
    trafficCounter(
      'scale_agent_tunnel_bytes_total',
      'remotedialer frame bytes carried by the tunnels',
      'bytes',
    );
    this.tunnelConnects = new Counter({
      name: 'scale_agent_tunnel_connects_total',
      help: 'Successful tunnel connects',
      labelNames: ['kind'],
      registers: [r],
    });
    this.tunnelReconnects = new Counter({
      name: 'scale_agent_tunnel_reconnects_total',
      help: 'Tunnel connects after the first for a cluster',
      labelNames: ['kind'],
      registers: [r],
    });
    this.tunnelRefusals = new Counter({
      name: 'scale_agent_tunnel_auth_failures_total',
      help: 'Tunnels Rancher refused (400/401: cluster gone)',
      labelNames: ['kind'],
      registers: [r],
    });
    // Every kind shows from the start, at zero, so rates and alerts need no special case.
    for (const kind of KINDS)
      for (const c of [this.tunnelConnects, this.tunnelReconnects, this.tunnelRefusals]) c.inc({ kind }, 0);
    this.vapiRequests = new Counter({
      name: 'scale_agent_vapi_requests_total',
      help: "Requests to the simulated clusters' APIs",
      labelNames: ['verb', 'code'],
      registers: [r],
    });
    this.vapiCachedReads = new Counter({
      name: 'scale_agent_vapi_cached_reads_total',
      help: "Reads of a simulated cluster's API answered without the main apiserver: a namespace from the engine's watch, an OpenAPI document from the copy all clusters share",
      labelNames: ['what'],
      registers: [r],
    });
    this.vapiDuration = new Histogram({
      name: 'scale_agent_vapi_request_duration_seconds',
      help: "Time to answer a simulated cluster's API request (watches: until they end)",
      labelNames: ['verb'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5, 30],
      registers: [r],
    });
    const kubeCounter = (name: string, help: string, field: keyof KubeRestStats) =>
      new Counter({
        name,
        help,
        registers: [r],
        collect() {
          const s = sources.kubeStats();
          if (!s) return;
          this.reset();
          this.inc(s[field]);
        },
      });
    kubeCounter(
      'scale_agent_apiserver_requests_total',
      'Requests from the engine to the main apiserver',
      'requests',
    );
    kubeCounter(
      'scale_agent_apiserver_errors_total',
      'Failed requests from the engine to the main apiserver',
      'errors',
    );
    new Gauge({
      name: 'scale_agent_faults_active',
      help: 'Injected faults in effect, by kind',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        for (const [kind, n] of Object.entries(sources.faults())) this.set({ kind }, n);
      },
    });
    new Gauge({
      name: 'scale_agent_fault_clusters',
      help: 'Clusters an injected fault covers now, by kind',
      labelNames: ['kind'],
      registers: [r],
      collect() {
        for (const [kind, n] of Object.entries(sources.faultClusters?.() ?? {})) this.set({ kind }, n);
      },
    });
    new Gauge({
      name: 'scale_agent_fault_paused_nodes',
      help: 'Simulated nodes held NotReady by paused heartbeats',
      registers: [r],
      collect() {
        this.set(sources.pausedNodes?.() ?? 0);
      },
    });
    this.faultApiErrors = new Counter({
      name: 'scale_agent_fault_api_errors_total',
      help: 'Virtual API requests answered with an injected error, by status code',
      labelNames: ['code'],
      registers: [r],
    });
    this.faultShapedBytes = new Counter({
      name: 'scale_agent_fault_shaped_bytes_total',
      help: 'Tunnelled bytes held back by an injected latency or bandwidth fault',
      labelNames: ['kind'],
      registers: [r],
    });
    for (const code of ['429', '500', '503']) this.faultApiErrors.inc({ code }, 0);
    for (const kind of ['latency', 'bandwidth']) this.faultShapedBytes.inc({ kind }, 0);
  }

  /** Counts what changed in one cluster's tunnels. */
  tunnelsChanged(before: ClusterRecord['tunnels'], after: NonNullable<ClusterRecord['tunnels']>): void {
    for (const kind of KINDS) {
      const was = before?.[kind];
      const now = after[kind];
      const added = now.connects - (was?.connects ?? 0);
      if (added > 0) {
        this.tunnelConnects.inc({ kind }, added);
        const firstTime = (was?.connects ?? 0) === 0 ? 1 : 0;
        if (added - firstTime > 0) this.tunnelReconnects.inc({ kind }, added - firstTime);
      }
      if (now.state === 'refused' && was?.state !== 'refused') this.tunnelRefusals.inc({ kind });
    }
  }

  observeVapi(method: string, watch: boolean, code: number, ms: number): void {
    const verb = watch ? 'watch' : method.toLowerCase();
    this.vapiRequests.inc({ verb, code: String(code) });
    this.vapiDuration.observe({ verb }, ms / 1000);
  }
}
