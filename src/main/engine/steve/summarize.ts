/**
 * What Steve adds to every object it serves: `metadata.state` (a summary of
 * the object's health), `metadata.relationships`, and `status.conditions`
 * with `error` / `transitioning` / `lastUpdateTime` on each condition.
 *
 * Reproduced here from the Go sources Rancher's Steve v0.9.18 runs:
 *  - github.com/rancher/wrangler/v3 v3.7.0, pkg/summary: SummarizeWithOptions
 *    and its chain of summarizers (summarizers.go, coretypes.go,
 *    cattletypes.go), NormalizeConditions (condition.go);
 *  - sigs.k8s.io/cli-utils v0.37.2, pkg/kstatus/status: Compute, which
 *    wrangler's checkStandard step calls (generic.go, core.go, status.go);
 *  - github.com/rancher/steve v0.9.18: pkg/summarycache (how a summary's
 *    relationships become `metadata.relationships`, and the reverse entries
 *    other objects contribute), pkg/resources/common/formatter.go (messages
 *    joined with ":") and pkg/resources/formatters Pod (a pod's state name is
 *    its table STATUS cell).
 *
 * Objects are read the way Steve reads them: as JSON decoded into Kubernetes
 * "unstructured" maps, where whole numbers are int64. A JS number that is not
 * an integer counts as a Go float64, which the int64 readers reject.
 *
 * Left out on purpose: the Cluster API summarizers (cluster.x-k8s.io Machine,
 * MachineSet, MachineDeployment, Cluster go through the generic step here),
 * the CATTLE_WRANGLER_CHECK_GVK_ERROR_MAPPING override, and Go's fmt rendering
 * of maps and lists when a non-scalar sits where a string is expected.
 */

export interface SteveState {
  name: string;
  error: boolean;
  transitioning: boolean;
  message: string;
}

export interface SteveRelationship {
  toId?: string;
  toType?: string;
  toNamespace?: string;
  fromId?: string;
  fromType?: string;
  rel: string;
  selector?: string;
  state?: string;
  message?: string;
  error?: boolean;
  transitioning?: boolean;
}

export interface SummarizeOptions {
  /**
   * wrangler's HasObservedGeneration: Steve sets it only for custom resources
   * whose OpenAPI schema has `status.observedGeneration`. Off for built-in kinds.
   */
  hasObservedGeneration?: boolean;
}

export interface RelationshipOptions {
  /**
   * Whether Steve's schema for a kind is namespaced. Defaults to a table of the
   * built-in cluster-scoped kinds; anything else counts as namespaced.
   */
  isNamespaced?: (apiVersion: string, kind: string) => boolean;
  /** Clock for the summaries of related objects (reverse relationships). */
  now?: number;
}

type SchemaIdOf = (apiVersion: string, kind: string) => string | undefined;
type Obj = Record<string, unknown>;

// ---------------------------------------------------------------------------
// Reading untyped JSON with Go's semantics
// ---------------------------------------------------------------------------

function isMap(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function own(m: Obj, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(m, key) ? m[key] : undefined;
}

/** Go's `_, ok := m[key]`: present, even as null (an undefined property is absent, as in JSON). */
function has(m: Obj, key: string): boolean {
  return own(m, key) !== undefined;
}

/** wrangler data.GetValueN: walks maps only; anything else on the way yields nothing. */
function valueAt(obj: unknown, ...path: string[]): unknown {
  let cur = obj;
  for (const key of path) {
    if (!isMap(cur)) return undefined;
    cur = own(cur, key);
  }
  return cur;
}

/** data.Object.Map: the map at a path, or nothing. */
function mapAt(obj: unknown, ...path: string[]): Obj | undefined {
  const v = valueAt(obj, ...path);
  return isMap(v) ? v : undefined;
}

/** data.Object.Slice: the list at a path; items that are not maps read as empty maps. */
function sliceAt(obj: unknown, ...path: string[]): Obj[] {
  const v = valueAt(obj, ...path);
  return Array.isArray(v) ? v.map((item) => (isMap(item) ? item : {})) : [];
}

/** wrangler convert.ToString: the first item of a list, "" for nothing, trimmed. */
function goString(v: unknown): string {
  const single = Array.isArray(v) ? v[0] : v;
  if (single === undefined || single === null) return '';
  if (typeof single === 'string') return single.trim();
  if (typeof single === 'number' || typeof single === 'boolean') return String(single);
  return JSON.stringify(single).trim();
}

function strAt(obj: unknown, ...path: string[]): string {
  return goString(valueAt(obj, ...path));
}

/** convert.ToBool. */
function goBool(v: unknown): boolean {
  const single = Array.isArray(v) ? v[0] : v;
  if (typeof single === 'boolean') return single;
  return ['true', 't', 'yes', 'y'].includes(goString(single).toLowerCase());
}

/** data.Object.StringSlice (convert.ToStringSlice). */
function stringSliceAt(obj: unknown, ...path: string[]): string[] {
  const v = valueAt(obj, ...path);
  if (Array.isArray(v)) return v.map(goString);
  if (typeof v === 'string') return [v];
  return [];
}

/** unstructured's getNestedString: the string at a path, "" for anything else. */
function plainString(obj: unknown, ...path: string[]): string {
  const v = valueAt(obj, ...path);
  return typeof v === 'string' ? v : '';
}

/** Thrown where a Go reader returns an error (kstatus then gives up). */
class ShapeError extends Error {}

/**
 * unstructured.NestedFieldNoCopy: `found` is false when a key is missing or a
 * map on the way is null; a non-map on the way is an error. An `undefined`
 * property counts as missing (JSON drops it).
 */
function nestedField(obj: Obj, path: string[]): { found: boolean; value: unknown } {
  let cur: unknown = obj;
  for (const key of path) {
    if (cur === null || cur === undefined) return { found: false, value: undefined };
    if (!isMap(cur)) throw new ShapeError(`${path.join('.')}: not a map`);
    cur = own(cur, key);
    if (cur === undefined) return { found: false, value: undefined };
  }
  return { found: true, value: cur };
}

/** unstructured.NestedInt64: missing gives undefined; anything but a whole number is an error. */
function nestedInt64(obj: Obj, ...path: string[]): number | undefined {
  const { found, value } = nestedField(obj, path);
  if (!found) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value))
    throw new ShapeError(`${path.join('.')}: not int64`);
  return value;
}

/** unstructured.NestedString: missing gives undefined; anything but a string is an error. */
function nestedString(obj: Obj, ...path: string[]): string | undefined {
  const { found, value } = nestedField(obj, path);
  if (!found) return undefined;
  if (typeof value !== 'string') throw new ShapeError(`${path.join('.')}: not a string`);
  return value;
}

/** kstatus GetIntField: a whole number at the path, else the default; never an error. */
function intField(obj: Obj, path: string, fallback: number): number {
  try {
    const { found, value } = nestedField(obj, path.split('.'));
    return found && typeof value === 'number' && Number.isInteger(value) ? value : fallback;
  } catch {
    return fallback;
  }
}

/** kstatus GetStringField. */
function stringField(obj: Obj, path: string, fallback: string): string {
  try {
    const { found, value } = nestedField(obj, path.split('.'));
    return found && typeof value === 'string' ? value : fallback;
  } catch {
    return fallback;
  }
}

/** convert.ToTimestamp: RFC 3339 text to epoch milliseconds, undefined when it does not parse. */
function toTimestamp(v: unknown): number | undefined {
  const text = goString(v);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text)) return undefined;
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Go's time.Unix(ms/1000, 0): whole seconds, in milliseconds. */
function wholeSeconds(ms: number): number {
  return Math.trunc(ms / 1000) * 1000;
}

interface GroupVersion {
  group: string;
  version: string;
}

/** schema.ParseGroupVersion; undefined where Go returns an error (more than one "/"). */
function parseGroupVersion(apiVersion: string): GroupVersion | undefined {
  if (apiVersion === '' || apiVersion === '/') return { group: '', version: '' };
  const parts = apiVersion.split('/');
  if (parts.length === 1) return { group: '', version: apiVersion };
  if (parts.length === 2) return { group: parts[0] ?? '', version: parts[1] ?? '' };
  return undefined;
}

/** schema.FromAPIVersionAndKind: an unparsable apiVersion leaves group and version empty. */
function groupVersionOf(apiVersion: string): GroupVersion {
  return parseGroupVersion(apiVersion) ?? { group: '', version: '' };
}

/** Steve's converter.GVKToSchemaID: "pod", "apps.deployment". */
function gvkToSchemaId(apiVersion: string, kind: string): string {
  const { group } = groupVersionOf(apiVersion);
  return (group === '' ? kind : `${group}.${kind}`).toLowerCase();
}

// ---------------------------------------------------------------------------
// Conditions
// ---------------------------------------------------------------------------

interface Condition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

function toCondition(raw: Obj): Condition {
  return {
    type: goString(own(raw, 'type')),
    status: goString(own(raw, 'status')),
    reason: goString(own(raw, 'reason')),
    message: goString(own(raw, 'message')),
  };
}

/** Conditions kept in the `cattle.io/status` annotation (JSON); none when it does not parse. */
function annotationConditions(obj: Obj): Obj[] {
  const text = strAt(obj, 'metadata', 'annotations', 'cattle.io/status');
  if (text === '') return [];
  try {
    return sliceAt(JSON.parse(text), 'conditions');
  } catch {
    return [];
  }
}

/** wrangler getConditions: `status.conditions`, then the annotation's. */
function conditionsOf(obj: Obj): Condition[] {
  return [...sliceAt(obj, 'status', 'conditions'), ...annotationConditions(obj)].map(toCondition);
}

// ---------------------------------------------------------------------------
// The summary and its steps, in wrangler's order
// ---------------------------------------------------------------------------

interface LabelSelectorRequirement {
  key: string;
  operator: string;
  values: string[];
}

interface LabelSelector {
  matchLabels: [string, string][];
  matchExpressions: LabelSelectorRequirement[];
}

/** wrangler summary.Relationship. `inbound`: the other object points at this one (owner, applies). */
interface Relationship {
  name: string;
  namespace: string;
  kind: string;
  apiVersion: string;
  inbound: boolean;
  type: string;
  selector?: LabelSelector;
}

interface Summary {
  state: string;
  error: boolean;
  transitioning: boolean;
  message: string[];
  relationships: Relationship[];
  hasObservedGeneration: boolean;
}

type Summarizer = (obj: Obj, conditions: Condition[], s: Summary, now: number) => void;

/** Placeholder in the state tables: use the condition's reason as the state. */
const REASON = '%REASON%';

/** Conditions whose False status is an error and Unknown a transition. */
const TRANSITIONING_UNKNOWN = new Map<string, string>([
  ['Active', 'activating'],
  ['AddonDeploy', 'provisioning'],
  ['AgentDeployed', 'provisioning'],
  ['BackingNamespaceCreated', 'configuring'],
  ['Built', 'building'],
  ['CertsGenerated', 'provisioning'],
  ['ConfigOK', 'configuring'],
  ['Created', 'creating'],
  ['CreatorMadeOwner', 'configuring'],
  ['DefaultNamespaceAssigned', 'configuring'],
  ['DefaultNetworkPolicyCreated', 'configuring'],
  ['DefaultProjectCreated', 'configuring'],
  ['DockerProvisioned', 'provisioning'],
  ['Deployed', 'deploying'],
  ['Drained', 'draining'],
  ['Downloaded', 'downloading'],
  ['etcd', 'provisioning'],
  ['Inactive', 'deactivating'],
  ['Initialized', 'initializing'],
  ['Installed', 'installing'],
  ['NodesCreated', 'provisioning'],
  ['Pending', 'pending'],
  ['PodScheduled', 'scheduling'],
  ['Provisioned', 'provisioning'],
  ['Reconciled', 'reconciling'],
  ['Refreshed', 'refreshed'],
  ['Registered', 'registering'],
  ['Removed', 'removing'],
  ['Saved', 'saving'],
  ['Updated', 'updating'],
  ['Updating', 'updating'],
  ['Upgraded', 'upgrading'],
  ['Waiting', 'waiting'],
  ['InitialRolesPopulated', 'activating'],
  ['ScalingActive', 'pending'],
  ['AbleToScale', 'pending'],
  ['RunCompleted', 'running'],
  ['Processed', 'processed'],
  ['NodeHealthy', REASON],
  ['NodeReady', REASON],
]);

/** Conditions whose False status is a transition and Unknown an error. */
const TRANSITIONING_FALSE = new Map<string, string>([
  ['Completed', 'activating'],
  ['Ready', 'unavailable'],
  ['Available', 'updating'],
  ['BootstrapConfigReady', REASON],
  ['InfrastructureReady', REASON],
  ['MachinesReady', 'updating'],
]);

/** Conditions whose True status is a transition. */
const TRANSITIONING_TRUE = new Map<string, string>([
  ['Reconciling', 'reconciling'],
  ['ScalingUp', REASON],
  ['ScalingDown', REASON],
  ['Deleting', REASON],
  ['Paused', REASON],
]);

/** Per group/version/kind: condition type -> the statuses that mean an error. */
const ERROR_CONDITIONS = new Map<string, Map<string, string[]>>([
  [
    'helm.cattle.io/v1/HelmChart',
    new Map([
      ['JobCreated', []],
      ['Failed', ['True']],
    ]),
  ],
  [
    '/v1/Node',
    new Map([
      ['OutOfDisk', ['True']],
      ['MemoryPressure', ['True']],
      ['DiskPressure', ['True']],
      ['NetworkUnavailable', ['True']],
    ]),
  ],
  [
    'apps/v1/Deployment',
    new Map([
      ['ReplicaFailure', ['True']],
      ['Progressing', ['False']],
    ]),
  ],
  ['apps/v1/ReplicaSet', new Map([['ReplicaFailure', ['True']]])],
]);

/** Every kind without its own entry above. */
const FALLBACK_ERROR_CONDITIONS = new Map([
  ['Stalled', ['True']],
  ['Failed', ['True']],
]);

const STEP_COUNTER_MESSAGE = /^\d+ of \d+ completed$/;

/** 1. An object that summarises itself (`status.display`, else `status.summary`). */
function checkStatusSummary(obj: Obj, _c: Condition[], s: Summary): void {
  let own_ = mapAt(obj, 'status', 'display');
  if (!own_ || Object.keys(own_).length === 0) own_ = mapAt(obj, 'status', 'summary');
  if (!own_ || Object.keys(own_).length === 0) return;
  if (has(own_, 'state')) s.state = goString(own_.state);
  if (has(own_, 'transitioning')) s.transitioning = goBool(own_.transitioning);
  if (has(own_, 'error')) s.error = goBool(own_.error);
  if (has(own_, 'message')) s.message.push(goString(own_.message));
}

/** 2. Conditions that mean an error for this kind, and any condition whose reason is "Error". */
function checkErrors(obj: Obj, conditions: Condition[], s: Summary): void {
  if (conditions.length === 0) return;
  const gv = parseGroupVersion(plainString(obj, 'apiVersion'));
  const key = gv ? `${gv.group}/${gv.version}/${plainString(obj, 'kind')}` : '';
  const mapping = ERROR_CONDITIONS.get(key) ?? FALLBACK_ERROR_CONDITIONS;
  for (const c of conditions) {
    const errorStatuses = mapping.get(c.type);
    const reasonIsError = c.reason === 'Error';
    if (!errorStatuses && !reasonIsError) continue;
    if (reasonIsError || (errorStatuses ?? []).includes(c.status)) {
      s.error = true;
      s.message.push(c.message);
      if (s.state === 'active' || s.state === '') s.state = 'error';
    }
  }
}

/**
 * 3. States from well-known condition types. wrangler's checkTransitioning
 * sends Cluster API kinds to their own functions (left out here) and every
 * other kind to this one, checkGenericTransitioning.
 */
function checkGenericTransitioning(_obj: Obj, conditions: Condition[], s: Summary): void {
  const stateFor = (table: Map<string, string>, c: Condition): string | undefined => {
    const state = table.get(c.type);
    return state === REASON ? c.reason : state;
  };

  for (const c of conditions) {
    const state = stateFor(TRANSITIONING_UNKNOWN, c);
    if (state === undefined) continue;
    if (c.status === 'False') {
      s.error = true;
      s.state = state;
      s.message.push(c.message);
    } else if (c.status === 'Unknown' && s.state === '') {
      s.transitioning = true;
      s.state = state;
      s.message.push(c.message);
    }
  }

  for (const c of conditions) {
    if (s.state !== '') break;
    const state = stateFor(TRANSITIONING_TRUE, c);
    if (state === undefined) continue;
    if (c.status === 'True') {
      s.transitioning = true;
      s.state = state;
      s.message.push(c.message);
    }
  }

  let notReady = false;
  let readyMessage = '';
  for (const c of conditions) {
    if (s.state !== '') break;
    if (c.type === 'Ready' && c.status === 'False') {
      notReady = true;
      readyMessage = STEP_COUNTER_MESSAGE.test(c.message) ? '' : c.message;
      continue;
    }
    const state = stateFor(TRANSITIONING_FALSE, c);
    if (state === undefined) continue;
    if (c.status === 'False') {
      s.transitioning = true;
      s.state = state;
      s.message.push(c.message);
    } else if (c.status === 'Unknown') {
      s.error = true;
      s.state = state;
      s.message.push(c.message);
    }
  }

  if (s.state === '' && notReady) {
    s.transitioning = true;
    s.state = 'unavailable';
    s.message.push(readyMessage);
  }
}

/** 4. Norman-style `spec.active`. */
function checkActive(obj: Obj, _c: Condition[], s: Summary): void {
  if (s.state !== '') return;
  const active = strAt(obj, 'spec', 'active');
  if (active === 'true') s.state = 'active';
  else if (active === 'false') s.state = 'inactive';
}

/** 5. `status.phase`: Succeeded and Bound always win; any other phase fills an empty state. */
function checkPhase(obj: Obj, _c: Condition[], s: Summary): void {
  const phase = strAt(obj, 'status', 'phase');
  if (phase === 'Succeeded') {
    s.state = 'succeeded';
    s.transitioning = false;
  } else if (phase === 'Bound') {
    s.state = 'bound';
    s.transitioning = false;
  } else if (phase !== '' && s.state === '') {
    s.state = phase;
  }
}

/** 6. A cattle.io object with an empty condition list, created (norman `metadata.created`) under 5 s ago. */
function checkInitializing(obj: Obj, conditions: Condition[], s: Summary, now: number): void {
  const status = mapAt(obj, 'status');
  const hasConditions = status !== undefined && has(status, 'conditions');
  if (s.state !== '' || !hasConditions || conditions.length !== 0) return;
  if (!strAt(obj, 'apiVersion').includes('cattle.io')) return;
  const created = toTimestamp(valueAt(obj, 'metadata', 'created'));
  if (created !== undefined && wholeSeconds(created) + 5_000 > now) {
    s.state = 'initializing';
    s.transitioning = true;
  }
}

/** Like wrangler's kv.RSplit: the part after the first separator, or the whole text. */
function afterSeparator(text: string, sep: string): string {
  const i = text.indexOf(sep);
  return (i < 0 ? text : text.slice(i + sep.length)).trim();
}

/** 7. Norman's `metadata.removed` (Kubernetes' own deletionTimestamp is kstatus' business, step 8). */
function checkRemoving(obj: Obj, conditions: Condition[], s: Summary, now: number): void {
  const removed = strAt(obj, 'metadata', 'removed');
  if (removed === '') return;
  s.state = 'removing';
  s.transitioning = true;

  let finalizers = stringSliceAt(obj, 'metadata', 'finalizers');
  if (finalizers.length === 0) finalizers = stringSliceAt(obj, 'spec', 'finalizers');

  for (const c of conditions) {
    if (c.type === 'Removed' && (c.status === 'Unknown' || c.status === 'False') && c.message !== '') {
      s.message.push(c.message);
    }
  }

  const first = finalizers[0];
  if (first === undefined) return;
  let waitingOn = afterSeparator(first, 'controller.cattle.io/');
  if (waitingOn === 'foregroundDeletion') waitingOn = 'object cleanup';
  s.message.push(`waiting on ${waitingOn}`);
  const since = toTimestamp(removed);
  if (since !== undefined && wholeSeconds(since) + 5 * 60_000 < now) s.error = true;
}

/** 8. kstatus, when nothing above has set a state. */
function checkStandard(obj: Obj, _c: Condition[], s: Summary, now: number): void {
  if (s.state !== '') return;
  // wrangler skips norman-mapped objects, whose `type` starts with "/".
  if (strAt(obj, 'type').startsWith('/')) return;
  const result = kstatusCompute(obj, now);
  if (!result) return;
  switch (result.status) {
    case 'InProgress':
      s.state = 'in-progress';
      s.transitioning = true;
      break;
    case 'Failed':
      s.state = 'failed';
      s.error = true;
      break;
    case 'Current':
      s.state = 'active';
      break;
    case 'Terminating':
      s.state = 'removing';
      s.transitioning = true;
      break;
  }
  s.message.push(result.message);
}

/** 9. A LoadBalancer Service still waiting for an ingress address. */
function checkLoadBalancer(obj: Obj, _c: Condition[], s: Summary): void {
  if (s.state !== 'active' && s.state !== '') return;
  if (strAt(obj, 'kind') !== 'Service') return;
  const isLoadBalancer =
    strAt(obj, 'spec', 'serviceKind') === 'LoadBalancer' || strAt(obj, 'spec', 'type') === 'LoadBalancer';
  if (isLoadBalancer && sliceAt(obj, 'status', 'loadBalancer', 'ingress').length === 0) {
    s.state = 'pending';
    s.transitioning = true;
    s.message.push('Load balancer is being provisioned');
  }
}

/**
 * wrangler's isKind, including its quirk: a group without a trailing "/"
 * matches every apiVersion that is not exactly that group.
 */
function isKind(obj: Obj, kind: string, ...groups: string[]): boolean {
  if (strAt(obj, 'kind') !== kind) return false;
  const apiVersion = strAt(obj, 'apiVersion');
  if (groups.length === 0) return apiVersion === 'v1';
  return groups.some((group) => {
    if (group === '') return apiVersion === 'v1';
    if (group.endsWith('/')) return apiVersion.startsWith(group);
    return apiVersion !== group;
  });
}

/** The kinds whose selector and pod template wrangler follows. */
function isPodController(obj: Obj): boolean {
  return (
    isKind(obj, 'ReplicaSet', 'apps/', 'extension/') ||
    isKind(obj, 'DaemonSet', 'apps/', 'extension/') ||
    isKind(obj, 'StatefulSet', 'apps/', 'extension/') ||
    isKind(obj, 'Deployment', 'apps/', 'extension/') ||
    isKind(obj, 'Job', 'batch/') ||
    isKind(obj, 'Service')
  );
}

function uses(kind: string, name: string): Relationship {
  return { name, namespace: '', kind, apiVersion: 'v1', inbound: false, type: 'uses' };
}

/**
 * ConfigMaps or Secrets named by the containers' `envFrom` and `env[].valueFrom`
 * (regular containers only, as wrangler). `seen` is shared with the volumes.
 */
function envRefs(spec: Obj, seen: Set<string>, field: 'configMap' | 'secret', kind: string): Relationship[] {
  const out: Relationship[] = [];
  const add = (name: string): void => {
    if (name === '' || seen.has(name)) return;
    seen.add(name);
    out.push(uses(kind, name));
  };
  for (const container of sliceAt(spec, 'spec', 'containers')) {
    for (const env of sliceAt(container, 'envFrom')) add(strAt(env, `${field}Ref`, 'name'));
    for (const env of sliceAt(container, 'env')) add(strAt(env, 'valueFrom', `${field}KeyRef`, 'name'));
  }
  return out;
}

function configMapRefs(pod: Obj): Relationship[] {
  const seen = new Set<string>();
  const out: Relationship[] = [];
  for (const vol of sliceAt(pod, 'spec', 'volumes')) {
    const name = strAt(vol, 'configMap', 'name');
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    out.push(uses('ConfigMap', name));
  }
  return [...out, ...envRefs(pod, seen, 'configMap', 'ConfigMap')];
}

function secretRefs(pod: Obj): Relationship[] {
  const seen = new Set<string>();
  const out: Relationship[] = [];
  for (const vol of sliceAt(pod, 'spec', 'volumes')) {
    const name = strAt(vol, 'secret', 'secretName');
    if (name === '' || seen.has(name)) continue;
    seen.add(name);
    out.push(uses('Secret', name));
  }
  return [...out, ...envRefs(pod, seen, 'secret', 'Secret')];
}

function projectedVolumeRefs(pod: Obj): Relationship[] {
  const out: Relationship[] = [];
  for (const vol of sliceAt(pod, 'spec', 'volumes')) {
    for (const source of sliceAt(vol, 'projected', 'sources')) {
      const secret = strAt(source, 'secret', 'name');
      if (secret !== '') out.push(uses('Secret', secret));
      const configMap = strAt(source, 'configMap', 'name');
      if (configMap !== '') out.push(uses('ConfigMap', configMap));
    }
  }
  return out;
}

/**
 * What a pod (or a pod template: `{metadata, spec}`) uses. Always one
 * ServiceAccount entry, even with no name. Image pull secrets are looked up
 * at the top level of the pod, where Kubernetes never puts them, so wrangler
 * never finds any; kept that way. No entry for the node or for
 * PersistentVolumeClaim volumes: wrangler makes none.
 */
function podRefs(pod: Obj): Relationship[] {
  const pullSecrets = sliceAt(pod, 'imagePullSecrets')
    .map((ref) => strAt(ref, 'name'))
    .filter((name) => name !== '')
    .map((name) => uses('Secret', name));
  return [
    ...configMapRefs(pod),
    ...secretRefs(pod),
    uses('ServiceAccount', strAt(pod, 'spec', 'serviceAccountName')),
    ...projectedVolumeRefs(pod),
    ...pullSecrets,
  ];
}

/** 10. A v1 Pod's ConfigMaps, Secrets and ServiceAccount. */
function checkPod(obj: Obj, _c: Condition[], s: Summary): void {
  if (!isKind(obj, 'Pod') || strAt(obj, 'apiVersion') !== 'v1') return;
  s.relationships.push(...podRefs(obj));
}

/**
 * A `spec.selector` read as metav1.LabelSelector. With `matchLabels` or
 * `matchExpressions` present it is decoded as JSON would be (undefined when
 * the types do not fit: wrangler then adds nothing); otherwise the whole map
 * is a plain label map, as a Service's selector is.
 */
function readSelector(selector: Obj): LabelSelector | undefined {
  if (!has(selector, 'matchLabels') && !has(selector, 'matchExpressions')) {
    return { matchLabels: Object.entries(selector).map(([k, v]) => [k, goString(v)]), matchExpressions: [] };
  }
  const labels = selector.matchLabels ?? null;
  const exprs = selector.matchExpressions ?? null;
  if (labels !== null && !isMap(labels)) return undefined;
  if (exprs !== null && !Array.isArray(exprs)) return undefined;
  const asString = (v: unknown): string | undefined =>
    v === null || v === undefined ? '' : typeof v === 'string' ? v : undefined;
  const matchLabels: [string, string][] = [];
  for (const [k, v] of Object.entries(labels ?? {})) {
    const value = asString(v);
    if (value === undefined) return undefined;
    matchLabels.push([k, value]);
  }
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const e of (exprs ?? []) as unknown[]) {
    if (e === null) {
      // JSON null decodes to an empty requirement, which then fails validation.
      matchExpressions.push({ key: '', operator: '', values: [] });
      continue;
    }
    if (!isMap(e)) return undefined;
    const key = asString(e.key);
    const operator = asString(e.operator);
    const rawValues = e.values ?? null;
    if (key === undefined || operator === undefined) return undefined;
    if (rawValues !== null && !Array.isArray(rawValues)) return undefined;
    const values = ((rawValues ?? []) as unknown[]).map(asString);
    if (values.some((v) => v === undefined)) return undefined;
    matchExpressions.push({ key, operator, values: values as string[] });
  }
  return { matchLabels, matchExpressions };
}

/** 11. Workloads "create" the pods their selector matches; Services "select" them. */
function checkHasPodSelector(obj: Obj, _c: Condition[], s: Summary): void {
  const raw = mapAt(obj, 'spec', 'selector');
  if (!raw || !isPodController(obj)) return;
  const selector = readSelector(raw);
  if (!selector) return;
  s.relationships.push({
    name: '',
    namespace: '',
    kind: 'Pod',
    apiVersion: 'v1',
    inbound: false,
    type: own(obj, 'kind') === 'Service' ? 'selects' : 'creates',
    selector,
  });
}

/** 12. What the workload's pod template uses (as step 10, on `spec.template`). */
function checkHasPodTemplate(obj: Obj, _c: Condition[], s: Summary): void {
  const template = mapAt(obj, 'spec', 'template');
  if (!template || !isPodController(obj)) return;
  s.relationships.push(...podRefs(template));
}

/**
 * unstructured GetOwnerReferences: nothing at all when the list is not a
 * list or holds a non-map.
 */
function ownerReferences(obj: Obj): Obj[] {
  const refs = valueAt(obj, 'metadata', 'ownerReferences');
  if (!Array.isArray(refs) || !refs.every(isMap)) return [];
  return refs;
}

/** 13. Owner references: the owner points at this object. */
function checkOwner(obj: Obj, _c: Condition[], s: Summary): void {
  for (const ref of ownerReferences(obj)) {
    s.relationships.push({
      name: plainString(ref, 'name'),
      namespace: '',
      kind: plainString(ref, 'kind'),
      apiVersion: plainString(ref, 'apiVersion'),
      inbound: true,
      type: 'owner',
    });
  }
}

/** 14. Objects applied by a wrangler apply set (objectset.rio.cattle.io annotations), when unowned. */
function checkApplyOwned(obj: Obj, _c: Condition[], s: Summary): void {
  if (sliceAt(obj, 'metadata', 'ownerReferences').length > 0) return;
  const annotations = mapAt(obj, 'metadata', 'annotations') ?? {};
  const gvk = goString(own(annotations, 'objectset.rio.cattle.io/owner-gvk'));
  const sep = ', Kind=';
  const i = gvk.indexOf(sep);
  if (i <= 0) return;
  s.relationships.push({
    name: goString(own(annotations, 'objectset.rio.cattle.io/owner-name')),
    namespace: goString(own(annotations, 'objectset.rio.cattle.io/owner-namespace')),
    kind: gvk.slice(i + sep.length),
    apiVersion: gvk.slice(0, i),
    inbound: true,
    type: 'applies',
  });
}

/** 15. A deployed catalog.cattle.io App's resources (isKind's quirk: any App). */
function checkCattleTypes(obj: Obj, _c: Condition[], s: Summary): void {
  if (!isKind(obj, 'App', 'catalog.cattle.io')) return;
  if (strAt(obj, 'status', 'summary', 'state') !== 'deployed') return;
  for (const res of sliceAt(obj, 'spec', 'resources')) {
    s.relationships.push({
      name: strAt(res, 'name'),
      namespace: strAt(res, 'namespace'),
      kind: strAt(res, 'kind'),
      apiVersion: strAt(res, 'apiVersion'),
      inbound: false,
      type: 'helmresource',
    });
  }
}

/** 16. generation vs observedGeneration, only with HasObservedGeneration and an empty state. */
function checkGeneration(obj: Obj, _c: Condition[], s: Summary): void {
  if (s.state !== '' || !s.hasObservedGeneration) return;
  try {
    const generation = nestedInt64(obj, 'metadata', 'generation');
    if (generation === undefined) return;
    const observed = nestedInt64(obj, 'status', 'observedGeneration') ?? 0;
    if (observed !== generation) {
      s.state = 'in-progress';
      s.transitioning = true;
    }
  } catch {
    // wrangler leaves the summary alone when either field is not an int64.
  }
}

/** A cattle.io object's Ready=False condition with a message is an error (conditions only). */
function checkCattleReady(obj: Obj, conditions: Condition[], s: Summary): void {
  if (!strAt(obj, 'apiVersion').includes('cattle.io/')) return;
  const c = conditions.find((c) => c.type === 'Ready' && c.status === 'False' && c.message !== '');
  if (c) {
    s.message.push(c.message);
    s.error = true;
  }
}

const SUMMARIZERS: Summarizer[] = [
  checkStatusSummary,
  checkErrors,
  checkGenericTransitioning,
  checkActive,
  checkPhase,
  checkInitializing,
  checkRemoving,
  checkStandard,
  checkLoadBalancer,
  checkPod,
  checkHasPodSelector,
  checkHasPodTemplate,
  checkOwner,
  checkApplyOwned,
  checkCattleTypes,
  checkGeneration,
];

/** The steps wrangler runs on each condition alone, to flag it. */
const CONDITION_SUMMARIZERS: Summarizer[] = [
  checkErrors,
  checkGenericTransitioning,
  checkRemoving,
  checkCattleReady,
];

function emptySummary(hasObservedGeneration = false): Summary {
  return {
    state: '',
    error: false,
    transitioning: false,
    message: [],
    relationships: [],
    hasObservedGeneration,
  };
}

/** Trimmed, non-empty, first occurrence only. */
function dedupMessages(messages: string[]): string[] {
  const out: string[] = [];
  for (const m of messages.map((m) => m.trim())) if (m !== '' && !out.includes(m)) out.push(m);
  return out;
}

/** wrangler SummarizeWithOptions. */
function summarizeObject(obj: Obj, now: number, options: SummarizeOptions = {}): Summary {
  const s = emptySummary(options.hasObservedGeneration ?? false);
  const conditions = conditionsOf(obj);
  for (const step of SUMMARIZERS) step(obj, conditions, s, now);
  if (s.state === '') s.state = 'active';
  s.state = s.state.toLowerCase();
  s.message = dedupMessages(s.message);
  return s;
}

// ---------------------------------------------------------------------------
// kstatus (cli-utils) Compute, as checkStandard uses it
// ---------------------------------------------------------------------------

type KStatus = 'InProgress' | 'Failed' | 'Current' | 'Terminating';

interface KResult {
  status: KStatus;
  message: string;
}

const current = (message: string): KResult => ({ status: 'Current', message });
const inProgress = (message: string): KResult => ({ status: 'InProgress', message });
const failed = (message: string): KResult => ({ status: 'Failed', message });

/** kstatus GetObjectWithConditions: decoding `status.conditions` strictly; wrong types are an error. */
function kstatusConditions(obj: Obj): Condition[] {
  const status = own(obj, 'status') ?? null;
  if (status === null) return [];
  if (!isMap(status)) throw new ShapeError('status: not a map');
  const list = own(status, 'conditions') ?? null;
  if (list === null) return [];
  if (!Array.isArray(list)) throw new ShapeError('status.conditions: not a list');
  const field = (c: Obj, key: string): string => {
    const v = own(c, key) ?? null;
    if (v === null) return '';
    if (typeof v !== 'string') throw new ShapeError(`condition ${key}: not a string`);
    return v;
  };
  return list.map((c: unknown) => {
    if (c === null) return { type: '', status: '', reason: '', message: '' };
    if (!isMap(c)) throw new ShapeError('condition: not a map');
    return {
      type: field(c, 'type'),
      status: field(c, 'status'),
      reason: field(c, 'reason'),
      message: field(c, 'message'),
    };
  });
}

/** Deletion, generation not yet observed, Reconciling=True, Stalled=True: for every kind. */
function kstatusGeneric(obj: Obj): KResult | undefined {
  const deletion = nestedString(obj, 'metadata', 'deletionTimestamp');
  if (deletion !== undefined && deletion !== '')
    return { status: 'Terminating', message: 'Resource scheduled for deletion' };

  const generation = nestedInt64(obj, 'metadata', 'generation');
  if (generation !== undefined) {
    const observed = nestedInt64(obj, 'status', 'observedGeneration');
    if (observed !== undefined && observed !== generation) {
      const kind = plainString(obj, 'kind');
      return inProgress(`${kind} generation is ${generation}, but latest observed generation is ${observed}`);
    }
  }

  for (const c of kstatusConditions(obj)) {
    if (c.type === 'Reconciling' && c.status === 'True') return inProgress(c.message);
    if (c.type === 'Stalled' && c.status === 'True') return failed(c.message);
  }
  return undefined;
}

function kstatusAlwaysReady(): KResult {
  return current('Resource is always ready');
}

function kstatusStatefulSet(obj: Obj): KResult {
  if (stringField(obj, 'spec.updateStrategy.type', '') === 'OnDelete') {
    return current('StatefulSet is using the ondelete update strategy');
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const currentReplicas = intField(obj, 'status.currentReplicas', 0);
  const updated = intField(obj, 'status.updatedReplicas', 0);
  const replicas = intField(obj, 'status.replicas', 0);
  const partition = intField(obj, 'spec.updateStrategy.rollingUpdate.partition', -1);

  if (spec > replicas) return inProgress(`Replicas: ${replicas}/${spec}`);
  if (spec > ready) return inProgress(`Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress(`Pending termination: ${replicas - spec}`);
  if (partition !== -1) {
    if (updated < spec - partition) return inProgress(`updated: ${updated}/${spec - partition}`);
    return current(`Partition rollout complete. updated: ${updated}`);
  }
  if (spec > currentReplicas) return inProgress(`current: ${currentReplicas}/${spec}`);
  if (stringField(obj, 'status.currentRevision', '') !== stringField(obj, 'status.updateRevision', '')) {
    return inProgress('Waiting for updated revision to match current');
  }
  return current(`All replicas scheduled as expected. Replicas: ${replicas}`);
}

const MAX_INT32 = 2147483647;

function kstatusDeployment(obj: Obj): KResult {
  let progressing = intField(obj, 'spec.progressDeadlineSeconds', MAX_INT32) === MAX_INT32;
  let available = false;
  for (const c of kstatusConditions(obj)) {
    if (c.type === 'Progressing') {
      if (c.reason === 'ProgressDeadlineExceeded') return failed('Progress deadline exceeded');
      if (c.status === 'True' && c.reason === 'NewReplicaSetAvailable') progressing = true;
    } else if (c.type === 'Available' && c.status === 'True') {
      available = true;
    }
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const replicas = intField(obj, 'status.replicas', 0);
  const updated = intField(obj, 'status.updatedReplicas', 0);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const availableReplicas = intField(obj, 'status.availableReplicas', 0);

  if (spec > replicas) return inProgress(`Replicas: ${replicas}/${spec}`);
  if (spec > updated) return inProgress(`Updated: ${updated}/${spec}`);
  if (replicas > spec) return inProgress(`Pending termination: ${replicas - spec}`);
  if (updated > availableReplicas) return inProgress(`Available: ${availableReplicas}/${updated}`);
  if (spec > ready) return inProgress(`Ready: ${ready}/${spec}`);
  if (!progressing) return inProgress('ReplicaSet not Available');
  if (!available) return inProgress('Deployment not Available');
  return current(`Deployment is available. Replicas: ${replicas}`);
}

function kstatusReplicaSet(obj: Obj): KResult {
  if (kstatusConditions(obj).some((c) => c.type === 'ReplicaFailure' && c.status === 'True')) {
    return inProgress('Replica Failure condition. Check Pods');
  }
  const spec = intField(obj, 'spec.replicas', 1);
  const replicas = intField(obj, 'status.replicas', 0);
  const ready = intField(obj, 'status.readyReplicas', 0);
  const available = intField(obj, 'status.availableReplicas', 0);
  const labelled = intField(obj, 'status.fullyLabeledReplicas', 0);

  if (spec > labelled) return inProgress(`Labelled: ${labelled}/${spec}`);
  if (spec > available) return inProgress(`Available: ${available}/${spec}`);
  if (spec > ready) return inProgress(`Ready: ${ready}/${spec}`);
  if (replicas > spec) return inProgress(`Pending termination: ${replicas - spec}`);
  return current(`ReplicaSet is available. Replicas: ${replicas}`);
}

function kstatusDaemonSet(obj: Obj): KResult {
  const kind = plainString(obj, 'kind');
  if (nestedInt64(obj, 'metadata', 'generation') === undefined) {
    return inProgress(`${kind} metadata.generation not found`);
  }
  if (nestedInt64(obj, 'status', 'observedGeneration') === undefined) {
    return inProgress(`${kind} status.observedGeneration not found`);
  }
  const desired = intField(obj, 'status.desiredNumberScheduled', -1);
  const currentNumber = intField(obj, 'status.currentNumberScheduled', 0);
  const updated = intField(obj, 'status.updatedNumberScheduled', 0);
  const available = intField(obj, 'status.numberAvailable', 0);
  const ready = intField(obj, 'status.numberReady', 0);

  if (desired === -1) return inProgress('Missing .status.desiredNumberScheduled');
  if (desired > currentNumber) return inProgress(`Current: ${currentNumber}/${desired}`);
  if (desired > updated) return inProgress(`Updated: ${updated}/${desired}`);
  if (desired > available) return inProgress(`Available: ${available}/${desired}`);
  if (desired > ready) return inProgress(`Ready: ${ready}/${desired}`);
  return current(`All replicas scheduled as expected. Replicas: ${desired}`);
}

function kstatusPvc(obj: Obj): KResult {
  const phase = stringField(obj, 'status.phase', 'unknown');
  return phase === 'Bound' ? current('PVC is Bound') : inProgress(`PVC is not Bound. phase: ${phase}`);
}

/** Container names whose waiting reason is CrashLoopBackOff. */
function crashLoopingContainers(obj: Obj): string[] {
  const statuses = valueAt(obj, 'status', 'containerStatuses');
  if (!Array.isArray(statuses)) return [];
  return statuses
    .filter((cs): cs is Obj => isMap(cs) && typeof cs.name === 'string')
    .filter((cs) => valueAt(cs, 'state', 'waiting', 'reason') === 'CrashLoopBackOff')
    .map((cs) => cs.name as string);
}

function kstatusPod(obj: Obj, now: number): KResult {
  const conditions = kstatusConditions(obj);
  const phase = stringField(obj, 'status.phase', '');
  switch (phase) {
    case 'Succeeded':
      return current('Pod has completed successfully');
    case 'Failed':
      return current('Pod has completed, but not successfully');
    case 'Running': {
      if (conditions.some((c) => c.type === 'Ready' && c.status === 'True')) return current('Pod is Ready');
      const crashing = crashLoopingContainers(obj);
      if (crashing.length > 0) return failed(`Containers in CrashLoop state: ${crashing.join(',')}`);
      return inProgress('Pod is running but is not Ready');
    }
    case 'Pending': {
      const unscheduled = conditions.find((c) => c.type === 'PodScheduled' && c.status === 'False');
      if (unscheduled?.reason === 'Unschedulable') {
        // Unschedulable for up to 15 s after creation is still in progress.
        const created = toTimestamp(plainString(obj, 'metadata', 'creationTimestamp')) ?? -Infinity;
        return now - 15_000 < created
          ? inProgress('Pod has not been scheduled')
          : failed('Pod could not be scheduled');
      }
      return inProgress('Pod is in the Pending phase');
    }
    case '':
      return inProgress('Pod phase not available');
    default:
      throw new ShapeError(`unknown phase ${phase}`);
  }
}

function kstatusJob(obj: Obj): KResult {
  const parallelism = intField(obj, 'spec.parallelism', 1);
  const completions = intField(obj, 'spec.completions', parallelism);
  const succeeded = intField(obj, 'status.succeeded', 0);
  const active = intField(obj, 'status.active', 0);
  const failedPods = intField(obj, 'status.failed', 0);
  const startTime = stringField(obj, 'status.startTime', '');
  for (const c of kstatusConditions(obj)) {
    if (c.type === 'Complete' && c.status === 'True') {
      return current(`Job Completed. succeeded: ${succeeded}/${completions}`);
    }
    if (c.type === 'Failed' && c.status === 'True')
      return failed(`Job Failed. failed: ${failedPods}/${completions}`);
  }
  if (startTime === '') return inProgress('Job not started');
  return current(`Job in progress. success:${succeeded}, active: ${active}, failed: ${failedPods}`);
}

function kstatusService(obj: Obj): KResult {
  if (
    stringField(obj, 'spec.type', 'ClusterIP') === 'LoadBalancer' &&
    stringField(obj, 'spec.clusterIP', '') === ''
  ) {
    return inProgress('ClusterIP not set. Service type: LoadBalancer');
  }
  return current('Service is ready');
}

function kstatusPdb(): KResult {
  return current('AllowedDisruptions has been computed.');
}

function kstatusCrd(obj: Obj): KResult {
  for (const c of kstatusConditions(obj)) {
    if (c.type === 'NamesAccepted' && c.status === 'False') return failed(c.message);
    if (c.type === 'Established') {
      if (c.status === 'False' && c.reason !== 'Installing') return failed(c.message);
      if (c.status === 'True') return current('CRD is established');
    }
  }
  return inProgress('Install in progress');
}

/** kstatus' per-kind functions, keyed "group/Kind" ("Kind" for the core group). */
const KSTATUS_BY_KIND = new Map<string, (obj: Obj, now: number) => KResult>([
  ['Service', kstatusService],
  ['Pod', kstatusPod],
  ['Secret', kstatusAlwaysReady],
  ['PersistentVolumeClaim', kstatusPvc],
  ['apps/StatefulSet', kstatusStatefulSet],
  ['apps/DaemonSet', kstatusDaemonSet],
  ['extensions/DaemonSet', kstatusDaemonSet],
  ['apps/Deployment', kstatusDeployment],
  ['extensions/Deployment', kstatusDeployment],
  ['apps/ReplicaSet', kstatusReplicaSet],
  ['extensions/ReplicaSet', kstatusReplicaSet],
  ['policy/PodDisruptionBudget', kstatusPdb],
  ['batch/CronJob', kstatusAlwaysReady],
  ['ConfigMap', kstatusAlwaysReady],
  ['batch/Job', kstatusJob],
  ['apiextensions.k8s.io/CustomResourceDefinition', kstatusCrd],
]);

/** Any other kind: its Ready condition if it has one. */
function kstatusReadyCondition(obj: Obj): KResult | undefined {
  for (const c of kstatusConditions(obj)) {
    if (c.type !== 'Ready') continue;
    if (c.status === 'True') return current('Resource is Ready');
    if (c.status === 'False' || c.status === 'Unknown') return inProgress(c.message);
  }
  return undefined;
}

/** kstatus Compute; undefined where it returns an error (wrangler then sets nothing). */
function kstatusCompute(obj: Obj, now: number): KResult | undefined {
  try {
    const generic = kstatusGeneric(obj);
    if (generic) return generic;
    const gv = parseGroupVersion(plainString(obj, 'apiVersion'));
    if (gv) {
      const kind = plainString(obj, 'kind');
      const byKind = KSTATUS_BY_KIND.get(gv.group === '' ? kind : `${gv.group}/${kind}`);
      if (byKind) return byKind(obj, now);
    }
    return kstatusReadyCondition(obj) ?? current('Resource is current');
  } catch (e) {
    if (e instanceof ShapeError) return undefined;
    throw e;
  }
}

// ---------------------------------------------------------------------------
// Public: state, pod state, conditions
// ---------------------------------------------------------------------------

/**
 * Steve's `metadata.state` for an object: wrangler's summary, messages joined
 * with ":". Keys in Go's (sorted) order.
 */
export function summarize(
  obj: Record<string, unknown>,
  now = Date.now(),
  options?: SummarizeOptions,
): SteveState {
  const s = summarizeObject(obj, now, options);
  return { error: s.error, message: s.message.join(':'), name: s.state, transitioning: s.transitioning };
}

/**
 * norman's convert.LowerTitle: lowercases the leading capitals of a word, or
 * of an acronym up to the capital that starts the next word
 * ("CrashLoopBackOff" -> "crashLoopBackOff", "OOMKilled" -> "oomKilled").
 */
function lowerTitle(text: string): string {
  const chars = Array.from(text);
  const isUpper = (c: string | undefined): boolean => c !== undefined && /^\p{Lu}$/u.test(c);
  for (let i = 0; i < chars.length; i++) {
    if (isUpper(chars[i]) && (i === 0 || i === chars.length - 1 || isUpper(chars[i + 1]))) {
      chars[i] = (chars[i] ?? '').toLowerCase();
    } else {
      break;
    }
  }
  return chars.join('');
}

/**
 * Steve's Pod formatter: when the row has a STATUS cell (`metadata.fields[2]`),
 * `metadata.state.name` becomes that cell, lower-titled. An empty cell gives
 * "" (Steve sets that too); a missing cell gives undefined (state untouched).
 */
export function podStateName(statusCell: unknown): string | undefined {
  if (statusCell === undefined) return undefined;
  return lowerTitle(goString(statusCell));
}

/**
 * wrangler NormalizeConditions as Steve applies it to every object it serves:
 * each condition gets `error` and `transitioning` (the summary steps run on
 * that condition alone) and `lastUpdateTime` (its `lastTransitionTime` when
 * empty). A list entry that is not a map comes out as null, as in Go.
 */
export function withNormalisedConditions(
  obj: Record<string, unknown>,
  now = Date.now(),
): Record<string, unknown> {
  const status = mapAt(obj, 'status');
  const list = status ? own(status, 'conditions') : undefined;
  if (!status || !Array.isArray(list) || list.length === 0) return { ...obj };
  const conditions = list.map((raw: unknown) => {
    if (!isMap(raw)) return null;
    const s = emptySummary();
    for (const step of CONDITION_SUMMARIZERS) step(obj, [toCondition(raw)], s, now);
    const out: Obj = { ...raw, error: s.error, transitioning: s.transitioning };
    if (goString(own(out, 'lastUpdateTime')) === '')
      out.lastUpdateTime = goString(own(out, 'lastTransitionTime'));
    return out;
  });
  return { ...obj, status: { ...status, conditions } };
}

// ---------------------------------------------------------------------------
// Public: relationships (steve pkg/summarycache)
// ---------------------------------------------------------------------------

/** Built-in kinds whose schema is cluster-scoped, as "group/Kind" ("/Kind" for core). */
const CLUSTER_SCOPED = new Set([
  '/Node',
  '/Namespace',
  '/PersistentVolume',
  '/ComponentStatus',
  'rbac.authorization.k8s.io/ClusterRole',
  'rbac.authorization.k8s.io/ClusterRoleBinding',
  'storage.k8s.io/StorageClass',
  'storage.k8s.io/CSIDriver',
  'storage.k8s.io/CSINode',
  'storage.k8s.io/VolumeAttachment',
  'apiextensions.k8s.io/CustomResourceDefinition',
  'apiregistration.k8s.io/APIService',
  'admissionregistration.k8s.io/MutatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingWebhookConfiguration',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicy',
  'admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding',
  'scheduling.k8s.io/PriorityClass',
  'node.k8s.io/RuntimeClass',
  'networking.k8s.io/IngressClass',
  'networking.k8s.io/IPAddress',
  'networking.k8s.io/ServiceCIDR',
  'flowcontrol.apiserver.k8s.io/FlowSchema',
  'flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration',
  'certificates.k8s.io/CertificateSigningRequest',
]);

function defaultIsNamespaced(apiVersion: string, kind: string): boolean {
  return !CLUSTER_SCOPED.has(`${groupVersionOf(apiVersion).group}/${kind}`);
}

interface Schemas {
  schemaIdOf: SchemaIdOf;
  isNamespaced: (apiVersion: string, kind: string) => boolean;
}

function schemasOf(schemaIdOf: SchemaIdOf, options: RelationshipOptions | undefined): Schemas {
  return { schemaIdOf, isNamespaced: options?.isNamespaced ?? defaultIsNamespaced };
}

/**
 * summarycache resolveNamespace: a relationship's own namespace, else the
 * source object's when the target kind has a namespaced schema, else none.
 */
function resolveNamespace(
  schemas: Schemas,
  sourceNamespace: string,
  toNamespace: string,
  apiVersion: string,
  kind: string,
): string {
  if (toNamespace !== '') return toNamespace;
  if (schemas.schemaIdOf(apiVersion, kind) === undefined || !schemas.isNamespaced(apiVersion, kind)) {
    return toNamespace;
  }
  return sourceNamespace;
}

function requirementString(r: LabelSelectorRequirement, op: string): string {
  switch (op) {
    case 'Exists':
      return r.key;
    case 'DoesNotExist':
      return `!${r.key}`;
    case '=':
      return `${r.key}=${r.values[0] ?? ''}`;
    default: {
      const values = r.values.length === 1 ? r.values : [...r.values].sort();
      return `${r.key} ${op === 'In' ? 'in' : 'notin'} (${values.join(',')})`;
    }
  }
}

const LABEL_NAME = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function isLabelKey(key: string): boolean {
  const parts = key.split('/');
  if (parts.length > 2) return false;
  const name = parts[parts.length - 1] ?? '';
  if (parts.length === 2) {
    const prefix = parts[0] ?? '';
    if (prefix === '' || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix)) return false;
  }
  return name !== '' && name.length <= 63 && LABEL_NAME.test(name);
}

function isLabelValue(value: string): boolean {
  return value === '' || (value.length <= 63 && LABEL_NAME.test(value));
}

/**
 * metav1.LabelSelectorAsSelector(...).String(): requirements sorted by key
 * ("app=web,tier in (a,b),!legacy"); "" for an empty selector or one that
 * does not validate.
 */
function selectorString(sel: LabelSelector): string {
  const reqs: { req: LabelSelectorRequirement; op: string }[] = [];
  for (const [key, value] of sel.matchLabels)
    reqs.push({ req: { key, operator: '=', values: [value] }, op: '=' });
  for (const e of sel.matchExpressions) {
    if (!['In', 'NotIn', 'Exists', 'DoesNotExist'].includes(e.operator)) return '';
    reqs.push({ req: e, op: e.operator });
  }
  if (reqs.length === 0) return '';
  for (const { req, op } of reqs) {
    if (!isLabelKey(req.key)) return '';
    if ((op === 'In' || op === 'NotIn') && req.values.length === 0) return '';
    if ((op === 'Exists' || op === 'DoesNotExist') && req.values.length !== 0) return '';
    if (!req.values.every(isLabelValue)) return '';
  }
  // Go's sort is not stable; keys repeated across matchLabels and expressions keep input order here.
  reqs.sort((a, b) => (a.req.key < b.req.key ? -1 : a.req.key > b.req.key ? 1 : 0));
  return reqs.map(({ req, op }) => requirementString(req, op)).join(',');
}

/**
 * summarycache toRel: one wrangler relationship of an object in
 * `sourceNamespace`, as served. Inbound ones name the other side as
 * `from*`, the rest as `to*`; a selector adds `toNamespace` and `selector`.
 * Empty fields are left out (Go's omitempty).
 */
function toSteveRelationship(
  schemas: Schemas,
  sourceNamespace: string,
  rel: Relationship,
): SteveRelationship {
  const ns = resolveNamespace(schemas, sourceNamespace, rel.namespace, rel.apiVersion, rel.kind);
  const id = rel.name !== '' && ns !== '' ? `${ns}/${rel.name}` : rel.name;
  const type = schemas.schemaIdOf(rel.apiVersion, rel.kind) ?? gvkToSchemaId(rel.apiVersion, rel.kind);
  if (rel.inbound) return omitEmpty({ fromId: id, fromType: type, rel: rel.type });
  return omitEmpty({
    toId: id,
    toType: type,
    toNamespace: rel.selector ? ns : '',
    rel: rel.type,
    selector: rel.selector ? selectorString(rel.selector) : '',
  });
}

/** Go's omitempty on summarycache.Relationship: no empty strings, no false. */
function omitEmpty(rel: Record<string, string | boolean>): SteveRelationship {
  return Object.fromEntries(
    Object.entries(rel).filter(([, v]) => v !== '' && v !== false),
  ) as unknown as SteveRelationship;
}

/**
 * The relationships an object declares itself, as Steve serves them first in
 * `metadata.relationships`, in wrangler's order: a pod's ConfigMaps, Secrets,
 * ServiceAccount; a workload's or Service's pod selector ("creates" /
 * "selects", no toId); a workload's template references; owner references
 * ("owner", as fromId/fromType: the owner points at this object).
 *
 * Steve also fills `state`, `message` (joined with "; "), `error` and
 * `transitioning` of each entry from its cache of the related object; they
 * are left out here (see relatedState to add them from a store).
 *
 * Steve then appends what other objects declare about this one: see
 * reverseRelationships. With no entries at all Steve serves `null`, not `[]`.
 */
export function relationships(
  obj: Record<string, unknown>,
  schemaIdOf: (apiVersion: string, kind: string) => string | undefined,
  options?: RelationshipOptions,
): SteveRelationship[] {
  const schemas = schemasOf(schemaIdOf, options);
  const namespace = plainString(obj, 'metadata', 'namespace');
  return summarizeObject(obj, options?.now ?? Date.now()).relationships.map((rel) =>
    toSteveRelationship(schemas, namespace, rel),
  );
}

/**
 * Steve's addObject: the related object's summary as a relationship carries
 * it (wrangler's state, not the pod table status; messages joined with "; ").
 */
export function relatedState(
  related: Record<string, unknown>,
  now = Date.now(),
): Pick<SteveRelationship, 'state' | 'message' | 'error' | 'transitioning'> {
  const s = summarizeObject(related, now);
  return omitEmpty({
    state: s.state,
    message: s.message.join('; '),
    error: s.error,
    transitioning: s.transitioning,
  });
}

interface Identity {
  apiVersion: string;
  kind: string;
  namespace: string;
  name: string;
}

function identityOf(obj: Obj): Identity {
  return {
    apiVersion: plainString(obj, 'apiVersion'),
    kind: plainString(obj, 'kind'),
    namespace: plainString(obj, 'metadata', 'namespace'),
    name: plainString(obj, 'metadata', 'name'),
  };
}

/** summarycache toKey: "group,version,Kind,namespace,name". */
function objectKey(id: Identity): string {
  const gv = parseGroupVersion(id.apiVersion);
  const gvk = gv ? [gv.group, gv.version, id.kind] : ['', '', ''];
  return [...gvk, id.namespace, id.name].join(',');
}

/** summarycache relationshipIndexer: the key of the object a relationship points at. */
function relationshipKey(schemas: Schemas, sourceNamespace: string, rel: Relationship): string {
  const gv = groupVersionOf(rel.apiVersion);
  const ns = resolveNamespace(schemas, sourceNamespace, rel.namespace, rel.apiVersion, rel.kind);
  return [gv.group, gv.version, rel.kind, ns, rel.name].join(',');
}

/** summarycache refersTo. */
function refersTo(schemas: Schemas, target: Identity, rel: Relationship): boolean {
  if (target.apiVersion !== rel.apiVersion || target.kind !== rel.kind || target.name !== rel.name)
    return false;
  if (target.namespace === '' && rel.namespace === '') return true;
  return (
    target.namespace ===
    resolveNamespace(schemas, target.namespace, rel.namespace, target.apiVersion, target.kind)
  );
}

/**
 * The entries Steve appends to `obj`'s relationships from the other objects
 * in its cache that point at it (summarycache reverseRel), each turned
 * around: a ReplicaSet gets `{toId: <pod>, toType: "pod", rel: "owner"}` per
 * owned pod, a ConfigMap `{fromId: <pod>, fromType: "pod", rel: "uses"}` per
 * pod mounting it. State fields come from the other object, as Steve's cache
 * gives them. Steve's order here is its index's (unordered); this follows
 * `others`.
 */
export function reverseRelationships(
  obj: Record<string, unknown>,
  others: Iterable<Record<string, unknown>>,
  schemaIdOf: (apiVersion: string, kind: string) => string | undefined,
  options?: RelationshipOptions,
): SteveRelationship[] {
  const schemas = schemasOf(schemaIdOf, options);
  const now = options?.now ?? Date.now();
  const target = identityOf(obj);
  const targetKey = objectKey(target);
  // Steve drops inbound entries of a kind this object already selects (a literal reading of
  // summarycache: it compares against the target's own kind, so it never applies to built-ins).
  const selected = new Set(
    summarizeObject(obj, now)
      .relationships.filter((rel) => rel.selector)
      .map((rel) => `${rel.apiVersion}/${rel.kind}`),
  );
  const out: SteveRelationship[] = [];
  for (const other of others) {
    const source = identityOf(other);
    const rels = summarizeObject(other, now).relationships;
    if (!rels.some((rel) => relationshipKey(schemas, source.namespace, rel) === targetKey)) continue;
    for (const rel of rels) {
      if (!refersTo(schemas, target, rel)) continue;
      if (rel.inbound && selected.has(`${rel.apiVersion}/${rel.kind}`)) continue;
      const reversed: Relationship = { ...source, inbound: !rel.inbound, type: rel.type };
      out.push({ ...toSteveRelationship(schemas, source.namespace, reversed), ...relatedState(other, now) });
    }
  }
  return out;
}
