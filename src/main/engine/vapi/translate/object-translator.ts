/**
 * Rewrites Kubernetes JSON between a cluster's names and the main cluster's:
 * `toHost` for request bodies, `toCluster` for responses, list items, watch
 * events and Table rows. `toCluster` answers undefined for an object that is
 * not the cluster's, so lists and watches can drop it.
 */
import {
  CLUSTER_LABEL,
  CLUSTER_NAMESPACE_LABEL,
  LOGICAL_CLUSTER_LABEL,
} from '../../provisioning/main-cluster-names';
import type { ClusterView } from './cluster-view';

export type Json = Record<string, unknown>;

const NAMESPACE_NAME_LABEL = 'kubernetes.io/metadata.name';
const OWNED_CLUSTER_KINDS = new Set(['ClusterRole', 'ClusterRoleBinding']);
const HIDDEN_NAMESPACE_LABELS = [CLUSTER_LABEL, CLUSTER_NAMESPACE_LABEL, LOGICAL_CLUSTER_LABEL];

function meta(o: Json): Json | undefined {
  const m = o.metadata;
  return typeof m === 'object' && m !== null ? (m as Json) : undefined;
}

function labelsOf(m: Json | undefined): Record<string, string> | undefined {
  const l = m?.labels;
  return typeof l === 'object' && l !== null ? (l as Record<string, string>) : undefined;
}

function ownerReferences(m: Json | undefined): Json[] {
  const refs = m?.ownerReferences;
  return Array.isArray(refs) ? (refs as Json[]).filter((r) => typeof r === 'object' && r !== null) : [];
}

function isRbacOwner(ref: Json): boolean {
  return (
    OWNED_CLUSTER_KINDS.has(String(ref.kind)) &&
    String(ref.apiVersion).startsWith('rbac.authorization.k8s.io/')
  );
}

function isNamespaceOwner(ref: Json): boolean {
  return ref.kind === 'Namespace' && ref.apiVersion === 'v1';
}

export class ObjectTranslator {
  /**
   * `resourceKind` is the kind of the resource the request is about: list
   * items and Table rows (PartialObjectMetadata) do not say theirs.
   */
  constructor(
    private readonly view: ClusterView,
    private readonly resourceKind?: string,
  ) {}

  private kindOf(o: Json): string | undefined {
    const k = o.kind;
    return typeof k === 'string' && k !== 'PartialObjectMetadata' ? k : this.resourceKind;
  }

  /** Request body: cluster names -> host names. */
  toHost(o: Json): Json {
    const kind = this.kindOf(o);
    const m = meta(o);
    if (kind === 'Namespace' && m && typeof m.name === 'string') {
      const ns = m.name;
      this.view.rememberNamespace(ns);
      m.name = this.view.hostNs(ns);
      m.labels = {
        ...labelsOf(m),
        [CLUSTER_LABEL]: this.view.cluster,
        [CLUSTER_NAMESPACE_LABEL]: ns,
        [LOGICAL_CLUSTER_LABEL]: this.view.cluster,
      };
      delete (m.labels as Record<string, string>)[NAMESPACE_NAME_LABEL];
    } else if (kind && OWNED_CLUSTER_KINDS.has(kind) && m && typeof m.name === 'string') {
      m.name = this.view.ownedHostName(m.name);
      m.labels = { ...labelsOf(m), [CLUSTER_LABEL]: this.view.cluster };
      delete m.namespace;
    } else if (m && typeof m.namespace === 'string' && m.namespace !== '') {
      m.namespace = this.view.hostNs(m.namespace);
    }
    this.bindingsToHost(o);
    this.ownersToHost(m);
    if (Array.isArray(o.items)) o.items = (o.items as Json[]).map((i) => this.toHost(i));
    return o;
  }

  /** Response object: host names -> cluster names; undefined when not the cluster's. */
  toCluster(o: Json): Json | undefined {
    if (o.kind === 'Table') return this.tableToCluster(o);
    const kind = o.kind === 'Status' ? 'Status' : this.kindOf(o);
    if (Array.isArray(o.items)) {
      o.items = (o.items as Json[]).flatMap((i) => {
        const t = this.toCluster(i);
        return t ? [t] : [];
      });
      return o;
    }
    if (kind === 'Status') return this.statusToCluster(o);
    const m = meta(o);
    if (!m) return o;
    if (kind === 'Namespace') return this.namespaceToCluster(o, m);
    if (kind === 'Node' && labelsOf(m)?.[CLUSTER_LABEL] !== this.view.cluster) return undefined;
    if (kind && OWNED_CLUSTER_KINDS.has(kind)) {
      const name = this.view.clusterScopedName(String(m.name), labelsOf(m));
      if (name === undefined) return undefined;
      m.name = name;
      this.hideClusterLabel(m);
    }
    if (typeof m.namespace === 'string' && m.namespace !== '') {
      const ns = this.view.clusterNs(m.namespace);
      if (ns === undefined) return undefined;
      m.namespace = ns;
    }
    this.bindingsToCluster(o);
    this.ownersToCluster(m);
    this.eventToCluster(o);
    this.tokenSecretToCluster(o);
    return o;
  }

  private namespaceToCluster(o: Json, m: Json): Json | undefined {
    const ns = this.view.clusterNs(String(m.name));
    if (ns === undefined) return undefined;
    m.name = ns;
    const labels = labelsOf(m);
    if (labels) {
      for (const l of HIDDEN_NAMESPACE_LABELS) delete labels[l];
      if (labels[NAMESPACE_NAME_LABEL] !== undefined) labels[NAMESPACE_NAME_LABEL] = ns;
    }
    return o;
  }

  private hideClusterLabel(m: Json): void {
    const labels = labelsOf(m);
    if (labels) delete labels[CLUSTER_LABEL];
  }

  private tableToCluster(o: Json): Json {
    const rows = Array.isArray(o.rows) ? (o.rows as Json[]) : [];
    o.rows = rows.flatMap((row) => {
      const obj = row.object as Json | undefined;
      if (!obj) return [row];
      const before = meta(obj)?.name;
      const t = this.toCluster(obj);
      if (!t) return [];
      // The first cell is the name column; it changes with a namespace or owned name.
      const after = meta(t)?.name;
      const cells = row.cells as unknown[] | undefined;
      if (cells && before !== after && cells[0] === before) cells[0] = after;
      row.object = t;
      return [row];
    });
    return o;
  }

  private statusToCluster(o: Json): Json {
    if (typeof o.message === 'string') o.message = this.view.scrubMessage(o.message);
    const details = o.details as Json | undefined;
    if (details && typeof details.name === 'string') details.name = this.view.scrubMessage(details.name);
    // Invalid answers list a cause per field: "metadata.namespace: ... rc-1-team-a-ee6653 ...".
    if (details && Array.isArray(details.causes)) {
      for (const cause of details.causes as Json[]) {
        for (const key of ['message', 'field'] as const)
          if (typeof cause[key] === 'string') cause[key] = this.view.scrubMessage(cause[key]);
      }
    }
    return o;
  }

  private bindingsToHost(o: Json): void {
    const subjects = o.subjects;
    if (Array.isArray(subjects)) {
      for (const s of subjects as Json[])
        if (typeof s.namespace === 'string' && s.namespace) s.namespace = this.view.hostNs(s.namespace);
    }
    const ref = o.roleRef as Json | undefined;
    if (ref?.kind === 'ClusterRole' && typeof ref.name === 'string')
      ref.name = this.view.roleRefToHost(ref.name);
  }

  /**
   * Owner references to cluster-scoped owners name them as the cluster does.
   * The main cluster's garbage collector looks an owner up by name and
   * deletes what it owns when it is missing: Rancher's impersonation
   * ServiceAccount, owned by ClusterRole `cattle-impersonation-<user>`, was
   * collected at once (and its token Secret with it) until these were mapped.
   */
  private ownersToHost(m: Json | undefined): void {
    for (const ref of ownerReferences(m)) {
      if (typeof ref.name !== 'string') continue;
      if (isRbacOwner(ref)) ref.name = this.view.roleRefToHost(ref.name);
      else if (isNamespaceOwner(ref)) ref.name = this.view.hostNs(ref.name);
    }
  }

  private ownersToCluster(m: Json | undefined): void {
    for (const ref of ownerReferences(m)) {
      if (typeof ref.name !== 'string') continue;
      if (isRbacOwner(ref)) ref.name = this.view.roleRefFromHost(ref.name);
      else if (isNamespaceOwner(ref)) ref.name = this.view.clusterNs(ref.name) ?? ref.name;
    }
  }

  private bindingsToCluster(o: Json): void {
    const subjects = o.subjects;
    if (Array.isArray(subjects)) {
      for (const s of subjects as Json[]) {
        if (typeof s.namespace === 'string' && s.namespace)
          s.namespace = this.view.clusterNs(s.namespace) ?? s.namespace;
      }
    }
    const ref = o.roleRef as Json | undefined;
    if (ref?.kind === 'ClusterRole' && typeof ref.name === 'string')
      ref.name = this.view.roleRefFromHost(ref.name);
  }

  private eventToCluster(o: Json): void {
    for (const field of ['involvedObject', 'regarding', 'related']) {
      const ref = o[field] as Json | undefined;
      if (ref && typeof ref.namespace === 'string' && ref.namespace)
        ref.namespace = this.view.clusterNs(ref.namespace) ?? ref.namespace;
    }
  }

  /** Service-account token secrets carry their namespace in data. */
  private tokenSecretToCluster(o: Json): void {
    if (o.type !== 'kubernetes.io/service-account-token') return;
    const data = o.data as Record<string, string> | undefined;
    if (!data?.namespace) return;
    const host = Buffer.from(data.namespace, 'base64').toString('utf8');
    const ns = this.view.clusterNs(host);
    if (ns) data.namespace = Buffer.from(ns).toString('base64');
  }
}
