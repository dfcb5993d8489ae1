/**
 * Steve's list query parameters (`filter`, `sort`, `page`, `pagesize`,
 * `projectsornamespaces`, `revision`, `summary`, ...) parsed, validated and
 * applied to an in-memory list of already formatted Steve resources.
 *
 * Rancher ≥ 2.12 runs the downstream Steve with its SQL cache ("ui-sql-cache",
 * on by default), so this follows the SQL store of steve v0.9.18:
 *   - pkg/stores/sqlpartition/listprocessor/processor.go   (ParseQuery: which params, in which order, which errors)
 *   - pkg/stores/sqlpartition/queryparser/selector.go      (the `filter=` grammar, ported below as a lexer + parser)
 *   - pkg/sqlcache/informer/sqlgenerator.go, listoption_indexer.go, fields.go (what is indexed, how values
 *     are stored and compared: SQLite `=`, `LIKE`, `IN`, `COLLATE NOCASE`, `|`-joined arrays, paging)
 *   - pkg/stores/sqlproxy/proxy_store.go                    (TypeSpecificIndexedFields, TypeGuidanceTable,
 *     and how errors become 422 / 400 / 500)
 * It was checked against those files run for real (ParseQuery + ListOptionIndexer over SQLite).
 *
 * Where this deliberately differs from steve (each is marked "DEVIATION" below):
 *   - exact matches (`=`, `!=`) compare the value as given; steve escapes `_`, `%` and `\` for LIKE even
 *     in exact matches, so in steve `metadata.name=coredns_x` matches nothing (a steve bug).
 *   - `gt` / `lt` compare numbers; steve binds the value as a REAL, which SQLite compares as text
 *     ("10" < "9.0") on text columns and on labels; only integer columns compare as numbers there.
 *   - ties in `sort` keep the order of the input items; SQLite leaves their order unspecified (it
 *     changes with the query plan), so pass items in a stable order (e.g. as the cache holds them).
 *   - `limit` / `continue` are not read by steve's SQL store at all. Here they page like Steve's
 *     non-SQL store (which the dashboard uses for incremental loading when SQL is off), but by offset
 *     over the filtered and sorted list, with an opaque token; steve's `continue` for `pagesize`
 *     paging is the bare next offset ("4"), ours is the same kind of opaque token.
 *   - `labelSelector` is ignored, as the SQL store ignores it: the caller may apply it upstream.
 * Where steve's generated SQL is broken, this does what steve means to do:
 *   - a summary of a label combined with a label filter or sort (steve counts other labels' values, or
 *     fails with "no such table") or with paging (steve pages over only the items that have the label);
 *   - `projectsornamespaces!=` with a summary (steve fails: "no such column: o.key");
 *   - sorting by a label that is also filtered inside an OR group (steve may order by another label's
 *     value) or excluded with `!=`/`notin` (steve fails: "no such column: lt1.label").
 */

export class SteveQueryError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Types

/** Where a filter, sort or summary reads its value. */
export type FieldRef =
  | {
      kind: 'label';
      /** The label's key. */
      name: string;
      /** Steve's name for it (summary property): `metadata.labels.app` or `metadata.labels[app.kubernetes.io/name]`. */
      id: string;
    }
  | {
      kind: 'column';
      /** Steve's column name (smartJoin of the path): `metadata.fields[2]`, `spec.containers.image`. */
      id: string;
      /** Path inside the formatted resource. */
      path: readonly string[];
      /** SQLite column affinity: numeric columns store number-looking text as numbers. */
      numeric: boolean;
      /** `spec.containers.image[1]`: one element of a `|`-joined array column (steve's extractBarredValue). */
      element?: number;
      /** Pod restarts: steve computes these from metadata.fields[3] rather than reading it. */
      computed?: 'restartCount' | 'restartTime';
    };

export type FilterOp =
  | 'eq'
  | 'neq'
  | 'like'
  | 'notlike'
  | 'in'
  | 'notin'
  | 'contains'
  | 'notcontains'
  | 'gt'
  | 'lt'
  | 'exists'
  | 'notexists';

export interface Filter {
  field: FieldRef;
  op: FilterOp;
  values: string[];
}

/** One `filter=` param: its filters are ORed. */
export type FilterGroup = Filter[];

export interface SortKey {
  field: FieldRef;
  desc: boolean;
  /** `sort=ip(status.podIP)`: compare as IP addresses (steve's inet_aton). */
  asIP: boolean;
}

export interface SummaryRequest {
  fields: FieldRef[];
  /** `summaryonly`: no data, only the summary. */
  only: boolean;
  /** `summarynamespaced`: counts broken down by namespace. */
  namespaced: boolean;
}

export interface SummaryEntry {
  property: string;
  counts: Record<string, { total: number; namespace?: Record<string, number> }>;
}

export interface ListQuery {
  /** AND of OR-groups. */
  filters: FilterGroup[];
  /** Empty: Steve's default order (namespaced types by `id`, others by `metadata.name`). */
  sort: SortKey[];
  /** SQL paging (`page`, `pagesize`), as steve reads them: a non-number is left out. */
  page?: number;
  pageSize?: number;
  /** Non-SQL style chunking (our addition to the SQL semantics, see the header). */
  limit?: number;
  continueFrom?: number;
  /** `projectsornamespaces` (negate: `projectsornamespaces!=`), for namespaced types other than namespace. */
  projectsOrNamespaces?: { values: string[]; negate: boolean };
  /** Validated integer; the caller answers 400 "unknown revision" if it is newer than what it has. */
  revision?: string;
  summary?: SummaryRequest;
  /** `includeAssociatedData=true`: parsed only; attaching pods/jobs to workloads is the caller's. */
  includeAssociatedData?: boolean;
}

export interface ParseContext {
  /** Steve schema id: `pod`, `apps.deployment`, ... (selects the type-specific indexed fields). */
  schemaId: string;
  namespaced: boolean;
  /** Number of schema columns: `metadata.fields[N]` is indexed for N below it. */
  columnCount: number;
  /**
   * The schema's column definitions, when known: steve stores a column as a number when its Table type
   * is not "string" or its description says "number of" (proxy_store.go getTypeGuidance).
   */
  columns?: readonly { type?: string; description?: string }[];
}

export interface ApplyContext {
  namespaced: boolean;
  /** A namespace's project id (its label field.cattle.io/projectId), for `projectsornamespaces`. */
  projectOf: (namespace: string) => string | undefined;
  /** Clock for pod restart times; defaults to Date.now(). */
  now?: number;
}

export interface ListResult {
  data: Record<string, unknown>[];
  /** Items that passed the filters, before paging. */
  count: number;
  continue?: string;
  summary?: SummaryEntry[];
}

type Item = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------
// Indexed fields (what steve's SQL cache can filter and sort on)

interface IndexedField {
  path: readonly string[];
  numeric?: boolean;
  computed?: 'restartCount' | 'restartTime';
}

const text = (dotted: string): IndexedField => ({ path: safeSplit(dotted) });
const num = (dotted: string): IndexedField => ({ path: safeSplit(dotted), numeric: true });

/** proxy_store.go TypeSpecificIndexedFields, keyed by Steve schema id instead of GVK. */
const TYPE_SPECIFIC_FIELDS: Record<string, Record<string, IndexedField>> = {
  event: {
    // `_type` is the event's own `type` field, which Steve's formatter moves to `_type`.
    _type: text('_type'),
    'involvedObject.kind': text('involvedObject.kind'),
    'involvedObject.uid': text('involvedObject.uid'),
    message: text('message'),
    reason: text('reason'),
  },
  namespace: { 'spec.displayName': text('spec.displayName') },
  node: {
    'spec.taints.key': text('spec.taints.key'),
    'status.addresses.type': text('status.addresses.type'),
    'status.nodeInfo.kubeletVersion': text('status.nodeInfo.kubeletVersion'),
    'status.nodeInfo.operatingSystem': text('status.nodeInfo.operatingSystem'),
  },
  persistentvolume: {
    'status.reason': text('status.reason'),
    'spec.persistentVolumeReclaimPolicy': text('spec.persistentVolumeReclaimPolicy'),
  },
  persistentvolumeclaim: { 'spec.volumeName': text('spec.volumeName') },
  pod: {
    'metadata.state.error': text('metadata.state.error'),
    'metadata.state.message': text('metadata.state.message'),
    'metadata.state.transitioning': text('metadata.state.transitioning'),
    'spec.containers.image': text('spec.containers.image'),
    'spec.nodeName': text('spec.nodeName'),
    'status.podIP': text('status.podIP'),
    // Restarts: the count ("4 (3h38m ago)" → 4) and the time of the last restart (fields.go).
    'metadata.fields[3]': { path: ['metadata', 'fields', '3'], numeric: true, computed: 'restartCount' },
    'metadata.fields[3][0]': { path: ['metadata', 'fields', '3'], numeric: true, computed: 'restartCount' },
    'metadata.fields[3][1]': { path: ['metadata', 'fields', '3'], numeric: true, computed: 'restartTime' },
  },
  replicationcontroller: {
    'spec.template.spec.containers.image': text('spec.template.spec.containers.image'),
  },
  secret: {
    _type: text('_type'),
    'metadata.annotations[management.cattle.io/project-scoped-secret-copy]': text(
      'metadata.annotations[management.cattle.io/project-scoped-secret-copy]',
    ),
    'spec.clusterName': text('spec.clusterName'),
    'spec.displayName': text('spec.displayName'),
  },
  service: { 'spec.clusterIP': text('spec.clusterIP'), 'spec.type': text('spec.type') },
  'apps.daemonset': workloadFields('spec.template.spec.containers.image'),
  'apps.deployment': workloadFields('spec.template.spec.containers.image'),
  'apps.replicaset': { 'spec.template.spec.containers.image': text('spec.template.spec.containers.image') },
  'apps.statefulset': workloadFields('spec.template.spec.containers.image'),
  'autoscaling.horizontalpodautoscaler': {
    'spec.scaleTargetRef.name': text('spec.scaleTargetRef.name'),
    'spec.minReplicas': text('spec.minReplicas'),
    'spec.maxReplicas': text('spec.maxReplicas'),
    'status.currentReplicas': text('status.currentReplicas'),
  },
  'batch.cronjob': {
    ...workloadFields('spec.jobTemplate.spec.template.spec.containers.image'),
    'status.lastScheduleTime': text('status.lastScheduleTime'),
    'status.lastSuccessfulTime': text('status.lastSuccessfulTime'),
  },
  'batch.job': {
    ...workloadFields('spec.template.spec.containers.image'),
    'metadata.state.error': text('metadata.state.error'),
    'metadata.state.message': text('metadata.state.message'),
    'metadata.state.transitioning': text('metadata.state.transitioning'),
  },
  'catalog.cattle.io.app': { 'spec.chart.metadata.name': text('spec.chart.metadata.name') },
  'catalog.cattle.io.clusterrepo': {
    'metadata.annotations[clusterrepo.cattle.io/hidden]': text(
      'metadata.annotations[clusterrepo.cattle.io/hidden]',
    ),
    'spec.gitBranch': text('spec.gitBranch'),
    'spec.gitRepo': text('spec.gitRepo'),
  },
  'catalog.cattle.io.operation': {
    'status.action': text('status.action'),
    'status.namespace': text('status.namespace'),
    'status.releaseName': text('status.releaseName'),
  },
  'cluster.x-k8s.io.machine': { 'spec.clusterName': text('spec.clusterName') },
  'cluster.x-k8s.io.machinedeployment': { 'spec.clusterName': text('spec.clusterName') },
  'management.cattle.io.cluster': {
    'spec.fleetWorkspaceName': text('spec.fleetWorkspaceName'),
    'spec.internal': text('spec.internal'),
    'spec.displayName': text('spec.displayName'),
    ...capacityFields(),
    'status.driver': text('status.driver'),
    'status.info.kubernetesVersion': text('status.info.kubernetesVersion'),
    'status.info.machineProvider': text('status.info.machineProvider'),
    'status.info.nodeCount': num('status.info.nodeCount'),
    'status.connected': text('status.connected'),
    'status.provider': text('status.provider'),
  },
  'management.cattle.io.clusterroletemplatebinding': {
    clusterName: text('clusterName'),
    userName: text('userName'),
    userPrincipalName: text('userPrincipalName'),
  },
  'management.cattle.io.globalrolebinding': {
    userName: text('userName'),
    userPrincipalName: text('userPrincipalName'),
  },
  'management.cattle.io.node': { 'status.nodeName': text('status.nodeName') },
  'management.cattle.io.nodepool': { 'spec.clusterName': text('spec.clusterName') },
  'management.cattle.io.nodetemplate': { 'spec.clusterName': text('spec.clusterName') },
  'management.cattle.io.project': {
    'spec.clusterName': text('spec.clusterName'),
    'spec.displayName': text('spec.displayName'),
  },
  'management.cattle.io.projectroletemplatebinding': {
    userName: text('userName'),
    userPrincipalName: text('userPrincipalName'),
  },
  'management.cattle.io.roletemplate': { context: text('context') },
  'management.cattle.io.user': { principalIds: text('principalIds') },
  'networking.k8s.io.ingress': {
    'spec.rules.host': text('spec.rules.host'),
    'spec.ingressClassName': text('spec.ingressClassName'),
  },
  'provisioning.cattle.io.cluster': {
    'metadata.annotations[provisioning.cattle.io/management-cluster-display-name]': text(
      'metadata.annotations[provisioning.cattle.io/management-cluster-display-name]',
    ),
    ...capacityFields(),
    'status.clusterName': text('status.clusterName'),
    'status.provider': text('status.provider'),
  },
  'rke.cattle.io.etcdsnapshot': {
    'snapshotFile.createdAt': text('snapshotFile.createdAt'),
    'spec.clusterName': text('spec.clusterName'),
  },
  'storage.k8s.io.storageclass': {
    provisioner: text('provisioner'),
    'metadata.annotations[storageclass.kubernetes.io/is-default-class]': text(
      'metadata.annotations[storageclass.kubernetes.io/is-default-class]',
    ),
  },
};

function workloadFields(imagePath: string): Record<string, IndexedField> {
  return {
    'metadata.annotations[field.cattle.io/publicEndpoints]': text(
      'metadata.annotations[field.cattle.io/publicEndpoints]',
    ),
    [imagePath]: text(imagePath),
  };
}

function capacityFields(): Record<string, IndexedField> {
  const fields: Record<string, IndexedField> = {};
  for (const side of ['allocatable', 'requested']) {
    fields[`status.${side}.cpu`] = text(`status.${side}.cpu`);
    fields[`status.${side}.cpuRaw`] = num(`status.${side}.cpuRaw`);
    fields[`status.${side}.memory`] = text(`status.${side}.memory`);
    fields[`status.${side}.memoryRaw`] = num(`status.${side}.memoryRaw`);
    fields[`status.${side}.pods`] = num(`status.${side}.pods`);
  }
  return fields;
}

/** proxy_store.go TypeGuidanceTable: columns steve stores as numbers whatever their Table type says. */
const NUMERIC_COLUMNS: Record<string, number[]> = { secret: [2], serviceaccount: [1], configmap: [1] };

/** Every field steve indexes for a type, keyed by its column name (smartJoin of the path). */
function indexedFields(ctx: ParseContext): Map<string, IndexedField> {
  const fields = new Map<string, IndexedField>();
  // listoption_indexer.go defaultIndexedFields; metadata.namespace only for namespaced types.
  fields.set('metadata.name', text('metadata.name'));
  fields.set('metadata.creationTimestamp', text('metadata.creationTimestamp'));
  if (ctx.namespaced) fields.set('metadata.namespace', text('metadata.namespace'));
  // proxy_store.go commonIndexFields.
  fields.set('id', text('id'));
  fields.set('metadata.state.name', text('metadata.state.name'));
  // The schema's columns ($.metadata.fields[N]), numeric per getTypeGuidance.
  const guided = NUMERIC_COLUMNS[ctx.schemaId] ?? [];
  for (let i = 0; i < ctx.columnCount; i++) {
    const col = ctx.columns?.[i];
    const type = col?.type ?? '';
    const numeric =
      guided.includes(i) ||
      (type !== '' && type !== 'string') ||
      /\bnumber of\b/i.test(col?.description ?? '');
    fields.set(`metadata.fields[${i}]`, { path: ['metadata', 'fields', String(i)], numeric });
  }
  for (const [id, field] of Object.entries(TYPE_SPECIFIC_FIELDS[ctx.schemaId] ?? {})) fields.set(id, field);
  return fields;
}

// ---------------------------------------------------------------------------------------------------------
// Field paths, as steve splits and names them

/** queryhelper.SafeSplit (sort and summary keys): `a.b[c.d/e]` → [a, b, c.d/e]. */
function safeSplit(field: string): string[] {
  const bracket = field.indexOf('[');
  if (bracket === -1) return field.split('.');
  return [...field.slice(0, bracket).split('.'), field.slice(bracket + 1, field.length - 1)];
}

/** listprocessor splitQuery (filter keys): only a trailing `[...]` is one part. */
function splitQuery(key: string): string[] {
  const m = /^(.+)\[(.+)]$/.exec(key);
  return m ? [...m[1]!.split('.'), m[2]!] : key.split('.');
}

/** sqlgenerator.go smartJoin: the column name steve uses in lookups and messages. */
function smartJoin(parts: readonly string[]): string {
  if (parts.length <= 1) return parts[0] ?? '';
  const last = parts[parts.length - 1]!;
  if (/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(last)) return parts.join('.');
  return `${parts.slice(0, -1).join('.')}[${last}]`;
}

function invalidColumn(parts: readonly string[]): SteveQueryError {
  // proxy_store.go turns informer.ErrInvalidColumn into 422 InvalidBodyContent.
  return new SteveQueryError(
    422,
    'InvalidBodyContent',
    `column is invalid [${smartJoin(parts)}]: supplied column is invalid`,
  );
}

/**
 * Server errors: steve returns plain Go errors, which the apiserver answers as 500 ServerError. A malformed
 * `filter=` is the client's mistake and 400 would be the better answer, but the dashboard only ever sees
 * steve's 500, so we match it.
 */
function serverError(message: string): SteveQueryError {
  return new SteveQueryError(500, 'ServerError', message);
}

const isLabelPath = (parts: readonly string[]): boolean => parts[0] === 'metadata' && parts[1] === 'labels';

/** sqlgenerator.go getValidFieldEntry (filters and sort): an indexed field, or `field[N]` of one. */
function resolveColumn(parts: readonly string[], fields: Map<string, IndexedField>): FieldRef {
  const id = smartJoin(parts);
  const direct = fields.get(id);
  if (direct) return { kind: 'column', id, ...direct, numeric: direct.numeric ?? false };
  // `spec.containers.image[1]` / `spec.containers.1.image`: element N of an indexed `|`-joined column;
  // steve takes the last all-digit part after the first as N and looks up the path without it.
  const n = parts.length > 2 ? parts.findLastIndex((p, i) => i > 0 && /^\d+$/.test(p)) : -1;
  const base = n > 0 ? fields.get(smartJoin(parts.toSpliced(n, 1))) : undefined;
  if (base && !base.computed)
    return { kind: 'column', id, ...base, numeric: false, element: Number(parts[n]) };
  throw invalidColumn(parts);
}

/** Summary fields (getStandardColumnNameToDisplay / getLabelColumnNameToDisplay): slightly different rules. */
function resolveSummaryField(parts: readonly string[], fields: Map<string, IndexedField>): FieldRef {
  const id = smartJoin(parts).replaceAll('"', '');
  if (parts.length === 3 && isLabelPath(parts)) {
    const name = parts[2]!;
    // Not ErrInvalidColumn, so steve answers these as 500 (prefixed with "listbyoptions <gvk>: ").
    if (name.length > 63)
      throw serverError(
        `label value ${name.slice(0, 10)}..${name.slice(-10)} (${name.length} chars, max 63) is too long`,
      );
    if (!/^[a-zA-Z_][a-zA-Z0-9_]*$/.test(name) && /[^a-zA-Z0-9_\-./]/.test(name))
      throw serverError(`invalid label name: ${name}`);
    return { kind: 'label', name, id };
  }
  const direct = fields.get(smartJoin(parts));
  if (direct) return { kind: 'column', id, ...direct, numeric: direct.numeric ?? false };
  const last = parts[parts.length - 1]!;
  if (parts.length > 1 && /^\d+$/.test(last)) {
    const base = fields.get(smartJoin(parts.slice(0, -1)));
    if (base && !base.computed) return { kind: 'column', id, ...base, numeric: false, element: Number(last) };
  }
  throw invalidColumn(parts);
}

// ---------------------------------------------------------------------------------------------------------
// The `filter=` grammar: a port of steve's queryparser/selector.go (itself k8s' label selector parser with
// `~`, `!~`, `gt`, `lt`, quoted values and case-insensitive keywords). Error messages are steve's.

type Tok =
  | 'error'
  | 'end'
  | 'id'
  | 'quoted'
  | '('
  | ')'
  | ','
  | '!'
  | '='
  | '=='
  | '~'
  | '!='
  | '!~'
  | '>'
  | '<'
  | 'in'
  | 'notin'
  | 'contains'
  | 'notcontains';

interface Scanned {
  tok: Tok;
  lit: string;
}

const SYMBOLS = new Set(['(', ')', ',', '!', '=', '==', '~', '!=', '!~', '>', '<']);
const KEYWORDS = new Set(['in', 'notin', 'contains', 'notcontains']);
const isSpecial = (ch: string): boolean => '=!(),><~'.includes(ch);
const isWhitespace = (ch: string): boolean => ch === ' ' || ch === '\t' || ch === '\r' || ch === '\n';

/**
 * Go tests the first *byte* with unicode.IsLetter/IsDigit, so a non-ASCII character starts an identifier
 * when its UTF-8 lead byte, read as a Latin-1 character, is a letter: all lead bytes but 0xD7 ('×').
 */
function isIdentifierStart(s: string, i: number): boolean {
  const cp = s.codePointAt(i)!;
  if (cp < 0x80) return /[A-Za-z0-9_]/.test(s[i]!);
  const lead = cp < 0x800 ? 0xc0 | (cp >> 6) : cp < 0x10000 ? 0xe0 | (cp >> 12) : 0xf0 | (cp >> 18);
  return lead !== 0xd7;
}

function lex(s: string): Scanned[] {
  const out: Scanned[] = [];
  let pos = 0;
  for (;;) {
    while (pos < s.length && isWhitespace(s[pos]!)) pos++;
    if (pos >= s.length) {
      out.push({ tok: 'end', lit: '' });
      return out;
    }
    const ch = s[pos]!;
    if (isSpecial(ch)) {
      // Longest run of special characters that is still an operator: `!=`, `==`, `!~`.
      let buf = ch;
      pos++;
      while (pos < s.length && isSpecial(s[pos]!) && SYMBOLS.has(buf + s[pos]!)) buf += s[pos++]!;
      out.push({ tok: buf as Tok, lit: buf });
    } else if (isIdentifierStart(s, pos)) {
      const start = pos;
      while (pos < s.length && !isSpecial(s[pos]!) && !isWhitespace(s[pos]!)) pos++;
      const word = s.slice(start, pos);
      const lower = word.toLowerCase();
      out.push({ tok: KEYWORDS.has(lower) ? (lower as Tok) : 'id', lit: word });
    } else if (ch === '"' || ch === "'") {
      let buf = '';
      let closed = false;
      for (pos++; pos < s.length; pos++) {
        const c = s[pos]!;
        if (c === '\\' && pos + 1 < s.length) buf += s[++pos]!;
        else if (c === '\\') continue;
        else if (c === ch) {
          closed = true;
          pos++;
          break;
        } else buf += c;
      }
      if (closed) out.push({ tok: 'quoted', lit: buf });
      else
        out.push({
          tok: 'error',
          lit: `unterminated string starting with '${buf.length > 12 ? `${buf.slice(0, 10)}...` : buf}'`,
        });
    } else {
      const cp = s.codePointAt(pos)!;
      pos += cp > 0xffff ? 2 : 1;
      out.push({ tok: 'error', lit: `unexpected character '${String.fromCodePoint(cp)}'` });
    }
  }
}

interface Requirement {
  key: string;
  op:
    | '='
    | '=='
    | '!='
    | '~'
    | '!~'
    | 'in'
    | 'notin'
    | 'contains'
    | 'notcontains'
    | 'gt'
    | 'lt'
    | 'exists'
    | '!';
  values: string[];
}

const LABEL_KEY = /^metadata.labels(?:\.\w[-a-zA-Z0-9_./]*|\[.*])$/;
const BINARY_OPERATORS = 'in, notin, =, ==, !=, ~, !~, gt, lt';

/** One `filter=` value → its requirements (ORed). Throws steve's parser errors as 500 ServerError. */
function parseFilterExpression(expr: string): Requirement[] {
  const items = lex(expr);
  let position = 0;
  // In a value position, keywords are plain identifiers (`name=in` is fine).
  const asValue = (t: Scanned): Scanned => (KEYWORDS.has(t.tok) ? { tok: 'id', lit: t.lit } : t);
  const lookahead = (): Scanned => asValue(items[position]!);
  const consumeValue = (): Scanned => asValue(items[position++]!);
  const consumeOperator = (): Scanned => items[position++]!;

  const parseRequirement = (): Requirement => {
    let next = consumeValue();
    let negated = false;
    if (next.tok === '!') {
      negated = true;
      next = consumeValue();
    }
    if (next.tok !== 'id') throw serverError(`found '${next.lit}', expected: identifier`);
    const key = next.lit;
    const after = lookahead().tok;
    if (negated || after === 'end' || after === ',') {
      if (!LABEL_KEY.test(key))
        throw serverError(`existence tests are valid only for labels; not valid for field '${key}'`);
      return { key, op: negated ? '!' : 'exists', values: [] };
    }
    const op = parseOperator();
    const values = op === 'in' || op === 'notin' ? parseValueSet() : [parseSingleValue()];
    if ((op === 'gt' || op === 'lt') && atoi(values[0]!) === undefined)
      throw serverError(
        `values[0]: Invalid value: ${JSON.stringify(values[0])}: for 'Gt', 'Lt' operators, the value must be an integer`,
      );
    // Requirement.Values() is a sorted set.
    return { key, op, values: [...new Set(values)].sort() };
  };

  const parseOperator = (): Requirement['op'] => {
    const t = consumeOperator();
    switch (t.tok) {
      case 'in':
      case 'notin':
      case 'contains':
      case 'notcontains':
      case '=':
      case '==':
      case '!=':
      case '~':
      case '!~':
        return t.tok;
      case '>':
        return 'gt';
      case '<':
        return 'lt';
      default:
        if (t.lit === 'gt' || t.lit === 'lt') return t.lit;
        throw serverError(`found '${t.lit}', expected: ${BINARY_OPERATORS}`);
    }
  };

  const parseValueSet = (): string[] => {
    const open = consumeValue();
    if (open.tok !== '(') throw serverError(`found '${open.lit}' expected: '('`);
    const first = lookahead();
    if (first.tok === ')') {
      position++;
      return [''];
    }
    if (first.tok !== 'id' && first.tok !== ',')
      throw serverError(`found '${first.lit}', expected: ',', ')' or identifier`);
    const values: string[] = [];
    for (;;) {
      const t = consumeValue();
      if (t.tok === 'id') {
        values.push(t.lit);
        const next = lookahead();
        if (next.tok === ',') continue;
        if (next.tok === ')') break;
        throw serverError(`found '${next.lit}', expected: ',' or ')'`);
      } else if (t.tok === ',') {
        // Empty members: `(,a)`, `(a,)`, `(a,,b)` all include "".
        if (values.length === 0) values.push('');
        const next = lookahead().tok;
        if (next === ')') {
          values.push('');
          break;
        }
        if (next === ',') {
          position++;
          values.push('');
        }
      } else throw serverError(`found '${t.lit}', expected: ',', or identifier`);
    }
    // steve reports the token it looked at before the list here, not the one it found.
    if (consumeValue().tok !== ')') throw serverError(`found '${first.lit}', expected: ')'`);
    return values;
  };

  const parseSingleValue = (): string => {
    const next = lookahead().tok;
    if (next === 'end' || next === ',')
      throw serverError('found end of a query string, expected: a comparison value');
    const t = consumeValue();
    if (t.tok === 'id' || t.tok === 'quoted') return t.lit;
    throw serverError(`found '${t.lit}', expected: identifier`);
  };

  const requirements: Requirement[] = [];
  for (;;) {
    const t = lookahead();
    if (t.tok === 'end') return requirements;
    if (t.tok !== 'id' && t.tok !== '!')
      throw serverError(`found '${t.lit}', expected: !, identifier, or 'end of string'`);
    requirements.push(parseRequirement());
    const sep = consumeValue();
    if (sep.tok === 'end') return requirements;
    if (sep.tok !== ',') throw serverError(`found '${sep.lit}', expected: ',' or 'end of string'`);
    const next = lookahead();
    if (next.tok !== 'id' && next.tok !== '!')
      throw serverError(`found '${next.lit}', expected: identifier after ','`);
  }
}

/** processor.go mapK8sOpToRancherOp: `~`/`!~` are `=`/`!=` with a partial (LIKE) match. */
const OP_OF: Record<Requirement['op'], FilterOp> = {
  '=': 'eq',
  '==': 'eq',
  '~': 'like',
  '!=': 'neq',
  '!~': 'notlike',
  in: 'in',
  notin: 'notin',
  contains: 'contains',
  notcontains: 'notcontains',
  gt: 'gt',
  lt: 'lt',
  exists: 'exists',
  '!': 'notexists',
};

// ---------------------------------------------------------------------------------------------------------
// Parsing the query

/** Go's strconv.Atoi: optional sign, digits, within int64; anything else is "not a number". */
function atoi(value: string | null): number | undefined {
  if (value === null || !/^[+-]?\d+$/.test(value)) return undefined;
  const n = BigInt(value);
  if (n > 0x7fffffffffffffffn || n < -0x8000000000000000n) return undefined;
  return Number(n);
}

/** Go's handling of a boolean param: the last value; "", "true" or "false". */
function booleanParam(
  params: URLSearchParams,
  name: string,
  message: (v: string) => string,
): boolean | undefined {
  const values = params.getAll(name);
  if (values.length === 0) return undefined;
  const last = values[values.length - 1]!;
  if (last === '' || last === 'true') return true;
  if (last === 'false') return false;
  throw serverError(message(last));
}

export function parseListQuery(params: URLSearchParams, ctx: ParseContext): ListQuery {
  // 1. Syntax, in the order of steve's ParseQuery (so the first error reported is steve's).
  const filterExprs = params.getAll('filter').map((f) => parseFilterExpression(f));

  const sortSpecs: { parts: string[]; desc: boolean; asIP: boolean }[] = [];
  for (const raw of (params.get('sort') ?? '').split(',')) {
    let field = raw;
    const asIP = /^ip\(.+\)$/.test(raw);
    if (asIP) field = raw.slice(3, -1);
    const desc = field.startsWith('-');
    if (desc) field = field.slice(1);
    if (field) sortSpecs.push({ parts: safeSplit(field), desc, asIP });
  }

  const pageSize = atoi(params.get('pagesize'));
  const page = atoi(params.get('page'));

  let pon = params.get('projectsornamespaces') ?? '';
  let negate = false;
  if (pon === '') {
    pon = params.get('projectsornamespaces!') ?? '';
    negate = pon !== '';
  }

  const revision = params.get('revision') ?? '';
  if (revision !== '' && atoi(revision) === undefined)
    throw new SteveQueryError(
      400,
      'invalid revision query param',
      `value ${revision} for revision query param is not valid`,
    );

  const summaryParams = params.getAll('summary');
  if (summaryParams.length > 1)
    throw serverError(`got ${summaryParams.length} summary parameters, at most 1 is allowed`);
  const summaryParts = summaryParams.length === 1 ? summaryParams[0]!.split(',') : [];
  if (summaryParts.some((s) => s === ''))
    throw serverError("unable to parse requirement: empty summary parameter doesn't make sense");
  if (params.has('summaryonly') && summaryParts.length === 0)
    throw serverError('got a summaryonly parameter but no summary fields');
  const summaryOnly = booleanParam(
    params,
    'summaryonly',
    (v) =>
      `unexpected value for summaryonly parameter: ${JSON.stringify(v)}, expected true, false, or empty string`,
  );
  const summaryNamespaced = booleanParam(
    params,
    'summarynamespaced',
    (v) =>
      `unexpected value for parameter "summarynamespaced": expected true, false, or empty string; got ${JSON.stringify(v)}`,
  );
  if (summaryNamespaced && summaryParts.length === 0)
    throw serverError('got a summarynamespaced parameter but no summary fields');

  const assoc = params.getAll('includeAssociatedData');

  // Our addition: limit/continue. Steve's non-SQL store ignores a bad limit (uses 100000; ≤ 0 means no
  // limit); we answer 400 so a caller's mistake shows.
  const limitParam = params.get('limit') ?? '';
  let limit: number | undefined;
  if (limitParam !== '') {
    limit = /^\d+$/.test(limitParam) ? Number(limitParam) : NaN;
    if (!Number.isSafeInteger(limit) || limit <= 0)
      throw new SteveQueryError(
        400,
        'BadRequest',
        `value ${limitParam} for limit query param is not valid: it must be a positive integer`,
      );
  }
  const continueParam = params.get('continue') ?? '';
  const continueFrom = continueParam === '' ? undefined : decodeContinue(continueParam);

  // 2. Columns, validated in the order steve's ListByOptions meets them: filters, sort, summary fields.
  const fields = indexedFields(ctx);
  const filters: FilterGroup[] = filterExprs.map((requirements) =>
    requirements.map((r) => {
      const parts = splitQuery(r.key);
      let field: FieldRef;
      if (isLabelPath(parts)) {
        // steve indexes parts[2] without checking it is there and panics (the connection drops).
        if (parts.length < 3) throw serverError('runtime error: index out of range [2] with length 2');
        field = { kind: 'label', name: parts[2]!, id: smartJoin(parts.slice(0, 3)) };
      } else field = resolveColumn(parts, fields);
      return { field, op: OP_OF[r.op], values: r.values };
    }),
  );
  const sort: SortKey[] = sortSpecs.map(({ parts, desc, asIP }) => ({
    // Sorting on a label needs exactly metadata.labels[<key>]; anything else must be an indexed column.
    field:
      parts.length === 3 && isLabelPath(parts)
        ? { kind: 'label', name: parts[2]!, id: smartJoin(parts) }
        : resolveColumn(parts, fields),
    desc,
    asIP,
  }));
  const summaryFields = summaryParts.map((s) => resolveSummaryField(safeSplit(s), fields));

  // projectsornamespaces: on namespaces themselves, steve turns it into filters on the namespace's own
  // name and project label; on other types it joins the item's namespace (a SQL error for cluster-scoped
  // types, whose table has no metadata.namespace column).
  let projectsOrNamespaces: ListQuery['projectsOrNamespaces'];
  if (pon !== '') {
    const values = pon.split(',');
    const name: FieldRef = {
      kind: 'column',
      id: 'metadata.name',
      path: ['metadata', 'name'],
      numeric: false,
    };
    const project: FieldRef = { kind: 'label', name: PROJECT_LABEL, id: `metadata.labels[${PROJECT_LABEL}]` };
    if (ctx.schemaId === 'namespace') {
      if (negate)
        filters.push([{ field: name, op: 'notin', values }], [{ field: project, op: 'notin', values }]);
      else
        filters.push([
          { field: name, op: 'in', values },
          { field: project, op: 'in', values },
        ]);
    } else if (!ctx.namespaced) {
      throw serverError('SQL logic error: no such column: f.metadata.namespace (1)');
    } else projectsOrNamespaces = { values, negate };
  }

  const query: ListQuery = { filters, sort };
  if (pageSize !== undefined) query.pageSize = pageSize;
  if (page !== undefined) query.page = page;
  if (limit !== undefined) query.limit = limit;
  if (continueFrom !== undefined) query.continueFrom = continueFrom;
  if (projectsOrNamespaces) query.projectsOrNamespaces = projectsOrNamespaces;
  if (revision !== '') query.revision = revision;
  if (summaryFields.length > 0)
    query.summary = {
      fields: summaryFields,
      only: summaryOnly ?? false,
      namespaced: summaryNamespaced ?? false,
    };
  if (assoc.length > 0) query.includeAssociatedData = assoc[assoc.length - 1]!.toLowerCase() === 'true';
  return query;
}

const PROJECT_LABEL = 'field.cattle.io/projectId';

// ---------------------------------------------------------------------------------------------------------
// Continue tokens: opaque to clients, an offset into the filtered and sorted list to us.

export function encodeContinue(offset: number): string {
  return Buffer.from(JSON.stringify({ offset })).toString('base64url');
}

function decodeContinue(token: string): number {
  const bad = (): SteveQueryError =>
    new SteveQueryError(
      400,
      'BadRequest',
      `continue token ${token} is not valid: it was not issued by this list`,
    );
  if (!/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let offset: unknown;
  try {
    offset = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { offset?: unknown }).offset;
  } catch {
    throw bad();
  }
  if (typeof offset !== 'number' || !Number.isSafeInteger(offset) || offset < 0) throw bad();
  return offset;
}

// ---------------------------------------------------------------------------------------------------------
// Reading values as steve's SQL cache stores them

/** A stored value: SQLite TEXT, a number (numeric columns), or NULL (a missing label). */
type Cell = string | number | null;

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** listoption_indexer.go normalizeValue: what goes into the TEXT column. */
function normalize(v: unknown): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (Array.isArray(v))
    return v.map((e) => (typeof e === 'object' && e !== null ? JSON.stringify(e) : String(e))).join('|');
  return JSON.stringify(v);
}

/**
 * sqlgenerator.go getField: walk the path; an array at the last step becomes the `|`-joined values of
 * that key in each element (so `spec.containers.image` is "nginx|busybox"); a numeric step indexes.
 */
function extract(obj: unknown, path: readonly string[]): unknown {
  let cur = obj;
  for (let i = 0; i < path.length; i++) {
    const part = path[i]!;
    if (Array.isArray(cur)) {
      if (/^\d+$/.test(part)) cur = cur[Number(part)];
      else if (i === path.length - 1)
        return cur.map((e) => (isObject(e) ? normalize(e[part]) : '')).join('|');
      // An array in the middle of the path: steve stays on the array and reads the next step from it.
      continue;
    } else if (isObject(cur)) cur = cur[part];
    else return undefined;
    if (cur === undefined || cur === null) return undefined;
  }
  return cur;
}

/** SQLite numeric affinity: text that reads as a number is stored as one. */
function toNumeric(s: string): Cell {
  return /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/.test(s) ? Number(s) : s;
}

const RESTARTS = /^(\d+)(?:\s+\((.+?)\s+ago\))?$/;

/** resources/common ParseHumanReadableDuration ("3h38m"), in ms; undefined if it does not parse. */
function parseDuration(s: string): number | undefined {
  const unit: Record<string, number> = { y: 365 * 86400e3, d: 86400e3, h: 3600e3, m: 60e3, s: 1e3 };
  let total = 0;
  for (let rest = s; rest !== '';) {
    const m = /^([+-]?\d+)([ydhms])/.exec(rest);
    if (!m) return undefined;
    total += Number(m[1]) * unit[m[2]!]!;
    rest = rest.slice(m[0].length);
  }
  return total;
}

/** fields.go ExtractPodRestartCount / ExtractPodRestartTimestamp. */
function podRestarts(item: Item, which: 'restartCount' | 'restartTime', now: number): number {
  const cell = extract(item, ['metadata', 'fields', '3']);
  const index = which === 'restartCount' ? 0 : 1;
  if (Array.isArray(cell)) return typeof cell[index] === 'number' ? Math.trunc(cell[index]) : 0;
  if (typeof cell !== 'string') return 0;
  const m = RESTARTS.exec(cell);
  if (!m) return 0;
  if (which === 'restartCount') return Number(m[1]);
  const ago = m[2] === undefined ? undefined : parseDuration(m[2]);
  return ago === undefined ? 0 : now - ago;
}

function labelsOf(item: Item): Record<string, unknown> {
  const meta = item.metadata;
  return isObject(meta) && isObject(meta.labels) ? meta.labels : {};
}

function labelValue(item: Item, name: string): string | null {
  const labels = labelsOf(item);
  return Object.hasOwn(labels, name) ? normalize(labels[name]) : null;
}

function cellOf(item: Item, field: FieldRef, now: number): Cell {
  if (field.kind === 'label') return labelValue(item, field.name);
  if (field.computed) return podRestarts(item, field.computed, now);
  const stored = normalize(extract(item, field.path));
  // extractBarredValue: element N of the `|`-joined text, "" past the end; a function result is TEXT.
  if (field.element !== undefined) return stored.split('|')[field.element] ?? '';
  return field.numeric ? toNumeric(stored) : stored;
}

// ---------------------------------------------------------------------------------------------------------
// Matching (sqlgenerator.go getFieldFilter / getLabelFilter)

const foldAscii = (s: string): string => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** SQLite `=` between a stored cell and a bound TEXT parameter (which takes a numeric column's affinity). */
function sqlEquals(cell: Cell, value: string, numeric: boolean): boolean {
  if (cell === null) return false;
  if (typeof cell === 'number') {
    const v = numeric ? toNumeric(value) : value;
    return typeof v === 'number' && v === cell;
  }
  return cell === value;
}

/** SQLite `LIKE '%value%'`: a substring, case-insensitive for ASCII letters only. */
function sqlLike(cell: Cell, value: string): boolean {
  if (cell === null) return false;
  return foldAscii(String(cell)).includes(foldAscii(value));
}

/** DEVIATION: numeric comparison for `gt`/`lt` (steve compares text columns as text, see header). */
function compareNumber(cell: Cell, value: string, op: 'gt' | 'lt'): boolean {
  const n = typeof cell === 'number' ? cell : typeof cell === 'string' ? toNumeric(cell) : null;
  if (typeof n !== 'number') return false;
  // prepareComparisonParameters: strconv.ParseFloat(value, 32).
  const target = Math.fround(Number(value));
  return op === 'gt' ? n > target : n < target;
}

function matches(item: Item, filter: Filter, now: number): boolean {
  const { field, op, values } = filter;
  const value = values[0] ?? '';
  if (field.kind === 'label') {
    const cell = labelValue(item, field.name);
    // A label filter that excludes (`!=`, `!~`, `notin`, `notcontains`) also passes items without the label.
    switch (op) {
      case 'exists':
        return cell !== null;
      case 'notexists':
        return cell === null;
      case 'eq':
      case 'contains': // labels hold no `|`, so steve treats contains as `=`
        return cell === value; // DEVIATION: steve escapes `_`/`%`/`\` here (see header)
      case 'neq':
      case 'notcontains':
        return cell === null || cell !== value;
      case 'like':
        return sqlLike(cell, value);
      case 'notlike':
        return cell === null || !sqlLike(cell, value);
      case 'in':
        return cell !== null && values.includes(cell);
      case 'notin':
        return cell === null || !values.includes(cell);
      case 'gt':
      case 'lt':
        return compareNumber(cell, value, op);
    }
  }
  const cell = cellOf(item, field, now);
  const numeric = field.numeric && field.element === undefined;
  switch (op) {
    case 'eq':
      return sqlEquals(cell, value, numeric); // DEVIATION: steve escapes `_`/`%`/`\` here (see header)
    case 'neq':
      return !sqlEquals(cell, value, numeric);
    case 'like':
      return sqlLike(cell, value);
    case 'notlike':
      return !sqlLike(cell, value);
    case 'in':
      return values.some((v) => sqlEquals(cell, v, numeric));
    case 'notin':
      return !values.some((v) => sqlEquals(cell, v, numeric));
    // hasBarredValue: one whole element of a `|`-joined array column.
    case 'contains':
      return String(cell).split('|').includes(value);
    case 'notcontains':
      return !String(cell).split('|').includes(value);
    case 'gt':
    case 'lt':
      return compareNumber(cell, value, op);
    case 'exists':
    case 'notexists':
      // The parser only lets labels through; steve has the same guard.
      throw serverError("NULL and NOT NULL tests aren't supported for non-label queries");
  }
}

function inProjectsOrNamespaces(
  item: Item,
  pon: NonNullable<ListQuery['projectsOrNamespaces']>,
  ctx: ApplyContext,
): boolean {
  const meta = isObject(item.metadata) ? item.metadata : {};
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const project = namespace ? ctx.projectOf(namespace) : undefined;
  // steve joins the Namespace table, so an item whose namespace object is missing never matches there;
  // here the item's own namespace name counts.
  const hit = pon.values.includes(namespace) || (project !== undefined && pon.values.includes(project));
  // NOT IN: neither the namespace nor its project (if it has one) is listed.
  return pon.negate ? !hit : hit;
}

// ---------------------------------------------------------------------------------------------------------
// Sorting (`ORDER BY <col> COLLATE NOCASE`, labels `NULLS LAST` ascending / `NULLS FIRST` descending)

type SortValue = string | number | bigint | null;

/** pkg/sqlcache/db inet_aton: IPv4 as a number, IPv6 as its first 8 bytes (signed int64), else 0. */
function inetAton(value: Cell): SortValue {
  if (typeof value !== 'string') return 0;
  const v4 = ipv4(value);
  if (v4 !== undefined) return v4;
  const v6 = parseIPv6(value);
  if (v6 === undefined) return 0;
  // An IPv4-mapped address (::ffff:a.b.c.d) counts as IPv4, as Go's ip.To4() sees it.
  if (v6 >> 32n === 0xffffn) return Number(v6 & 0xffffffffn);
  return BigInt.asIntN(64, v6 >> 64n);
}

/** Go's net.ParseIP for dotted IPv4: four decimal bytes, no leading zeros. */
function ipv4(s: string): number | undefined {
  const groups = s.split('.');
  if (groups.length !== 4 || !groups.every((g) => /^(0|[1-9]\d{0,2})$/.test(g) && Number(g) <= 255))
    return undefined;
  return groups.reduce((acc, g) => acc * 256 + Number(g), 0);
}

function parseIPv6(s: string): bigint | undefined {
  if (!s.includes(':')) return undefined;
  let head = s;
  let tail4: number[] = [];
  const dotted = /^(.*:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (dotted) {
    head = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
    const v4 = ipv4(dotted[2]!);
    if (v4 === undefined) return undefined;
    tail4 = [v4 >>> 24, (v4 >>> 16) & 255, (v4 >>> 8) & 255, v4 & 255];
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const left = groups(halves[0]!);
  const right = halves.length === 2 ? groups(halves[1]!) : [];
  const want = tail4.length ? 6 : 8;
  const missing = want - left.length - right.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...left, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...right];
  if (!all.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  let n = 0n;
  for (const g of all) n = (n << 16n) | BigInt(parseInt(g, 16));
  for (const b of tail4) n = (n << 8n) | BigInt(b);
  return n;
}

function sortValue(item: Item, key: SortKey, now: number): SortValue {
  const cell = cellOf(item, key.field, now);
  if (key.asIP) return typeof cell === 'number' ? 0 : inetAton(cell);
  if (key.field.kind === 'column' && key.field.computed === 'restartTime') {
    // adjustTimestampForSorting: seconds now minus the stored ms time; 0 (never restarted) stays 0.
    return cell === 0 ? 0 : Math.floor(now / 1000) - (cell as number);
  }
  return typeof cell === 'string' ? foldAscii(cell) : cell;
}

/** SQLite order: NULL, then numbers, then text (NOCASE, so compared folded, by code point). */
function compareValues(a: SortValue, b: SortValue): number {
  const rank = (v: SortValue): number => (v === null ? 0 : typeof v === 'string' ? 2 : 1);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb;
  if (ra === 2) return compareCodePoints(a as string, b as string);
  if (ra === 1)
    return (a as number | bigint) < (b as number | bigint)
      ? -1
      : (a as number | bigint) > (b as number | bigint)
        ? 1
        : 0;
  return 0;
}

/** UTF-8 byte order (SQLite's memcmp) is code point order; UTF-16 `<` differs only past U+FFFF. */
function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

function compareKey(a: SortValue, b: SortValue, key: SortKey): number {
  // Labels are LEFT JOINed: a missing label is NULL, last ascending and first descending.
  if (key.field.kind === 'label' && !key.asIP && (a === null || b === null)) {
    if (a === b) return 0;
    return (a === null ? 1 : -1) * (key.desc ? -1 : 1);
  }
  const c = compareValues(a, b);
  return key.desc ? -c : c;
}

// ---------------------------------------------------------------------------------------------------------
// Applying a query

export function applyListQuery(items: Item[], query: ListQuery, ctx: ApplyContext): ListResult {
  const now = ctx.now ?? Date.now();

  // WHERE: every `filter=` group (an empty one is skipped, as steve skips it), then projectsornamespaces.
  const pon = query.projectsOrNamespaces;
  const matched = items.filter(
    (item) =>
      query.filters.every((group) => group.length === 0 || group.some((f) => matches(item, f, now))) &&
      (!pon || inProjectsOrNamespaces(item, pon, ctx)),
  );

  // ORDER BY: the requested keys, else steve's default (namespaced: id, cluster-scoped: metadata.name).
  // Array.prototype.sort is stable, so ties keep the input order (see header).
  const keys: SortKey[] = query.sort.length
    ? query.sort
    : [
        {
          field: ctx.namespaced
            ? { kind: 'column', id: 'id', path: ['id'], numeric: false }
            : { kind: 'column', id: 'metadata.name', path: ['metadata', 'name'], numeric: false },
          desc: false,
          asIP: false,
        },
      ];
  const sorted = matched
    .map((item) => ({ item, values: keys.map((k) => sortValue(item, k, now)) }))
    .sort((a, b) => {
      for (let i = 0; i < keys.length; i++) {
        const c = compareKey(a.values[i]!, b.values[i]!, keys[i]!);
        if (c !== 0) return c;
      }
      return 0;
    })
    .map((r) => r.item);
  const count = sorted.length;

  // LIMIT / OFFSET. pagesize > 0 pages as steve's SQL store does (page < 1 is the first page) and then
  // limit/continue are not used; otherwise limit/continue chunk the list.
  let from = 0;
  let to = count;
  let more = false;
  const pageSize = query.pageSize ?? 0;
  if (pageSize > 0) {
    const page = query.page ?? 1;
    from = page >= 1 ? pageSize * (page - 1) : 0;
    to = from + pageSize;
    more = to < count;
  } else if (query.limit !== undefined || query.continueFrom !== undefined) {
    from = query.continueFrom ?? 0;
    to = query.limit === undefined ? count : from + query.limit;
    more = to < count;
  }
  const window = sorted.slice(from, to);

  const result: ListResult = { data: query.summary?.only ? [] : window, count };
  // steve: `summaryonly` is LIMIT 0, which leaves no continue token.
  if (more && !query.summary?.only) result.continue = encodeContinue(to);
  // steve computes the summary over the same LIMIT/OFFSET window as the data.
  if (query.summary) result.summary = summarize(window, query.summary, now);
  return result;
}

/** summary_fields.go: per field, how many items have each non-empty value (optionally per namespace). */
function summarize(items: Item[], request: SummaryRequest, now: number): SummaryEntry[] {
  const entries = request.fields.map((field) => {
    const counts = new Map<string, { total: number; namespace: Map<string, number> }>();
    for (const item of items) {
      const cell = cellOf(item, field, now);
      if (cell === null || cell === '') continue;
      const key = String(cell);
      const entry = counts.get(key) ?? { total: 0, namespace: new Map<string, number>() };
      entry.total++;
      const meta = isObject(item.metadata) ? item.metadata : {};
      const ns = typeof meta.namespace === 'string' ? meta.namespace : '';
      entry.namespace.set(ns, (entry.namespace.get(ns) ?? 0) + 1);
      counts.set(key, entry);
    }
    // Go's JSON writes map keys sorted.
    const out: SummaryEntry['counts'] = {};
    for (const key of [...counts.keys()].sort()) {
      const { total, namespace } = counts.get(key)!;
      out[key] = request.namespaced
        ? {
            total,
            namespace: Object.fromEntries([...namespace.entries()].sort(([a], [b]) => (a < b ? -1 : 1))),
          }
        : { total };
    }
    return { property: field.id, counts: out };
  });
  // A field without any value has no entry (populateSummaryObject only adds what the query returned).
  // sortSummaries: by property, case-insensitively.
  return entries
    .filter((e) => Object.keys(e.counts).length > 0)
    .sort((a, b) => {
      const x = a.property.toLowerCase();
      const y = b.property.toLowerCase();
      return x < y ? -1 : x > y ? 1 : 0;
    });
}
