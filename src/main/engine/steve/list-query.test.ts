import { describe, expect, it } from 'vitest';
import {
  applyListQuery,
  encodeContinue,
  parseListQuery,
  SteveQueryError,
  type ListQuery,
  type ParseContext,
} from './list-query';

type Item = Record<string, unknown>;

interface PodSpec {
  labels?: Record<string, string>;
  restarts?: unknown;
  node?: string;
  images?: string[];
  state?: string;
  ip?: string;
  created?: string;
}

function pod(namespace: string, name: string, o: PodSpec = {}): Item {
  return {
    id: `${namespace}/${name}`,
    type: 'pod',
    metadata: {
      name,
      namespace,
      labels: o.labels ?? {},
      annotations: {},
      creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
      state: { name: o.state ?? 'running', error: false, transitioning: false, message: '' },
      // Pod columns: Name, Ready, Status, Restarts, Age, IP, Node, Nominated Node, Readiness Gates
      fields: [
        name,
        '1/1',
        'Running',
        o.restarts ?? '0',
        '5m',
        o.ip ?? '10.0.0.1',
        o.node ?? 'node-a',
        '',
        '',
      ],
    },
    spec: {
      nodeName: o.node ?? 'node-a',
      containers: (o.images ?? ['nginx']).map((image, i) => ({ name: `c${i}`, image })),
    },
    status: { podIP: o.ip ?? '10.0.0.1' },
  };
}

const PODS: Item[] = [
  pod('default', 'web-1', {
    labels: { app: 'web', tier: 'front', 'app.kubernetes.io/name': 'gpu-train-job' },
    restarts: '4 (3h38m ago)',
    node: 'node-b',
    images: ['nginx', 'busybox'],
    ip: '10.0.0.12',
  }),
  pod('default', 'Web-2', {
    labels: { app: 'Web', num: '10' },
    restarts: '12',
    created: '2024-02-01T00:00:00Z',
  }),
  pod('kube-system', 'coredns_x', {
    labels: { app: 'dns_x', num: '9' },
    restarts: '2',
    state: 'pending',
    ip: '10.0.0.9',
  }),
  pod('kube-system', 'etcd', { restarts: '0', images: [] }),
  pod('p-ns', 'alpha', { labels: { app: 'a,b c' }, node: 'node-b' }),
  pod('zeta', 'omega', { labels: { tier: 'back' }, state: 'error' }),
];

const PROJECTS: Record<string, string> = { default: 'p-1', 'kube-system': 'p-sys', 'team-a': 'p-1' };
const POD_CTX: ParseContext = { schemaId: 'pod', namespaced: true, columnCount: 9 };
const applyCtx = { namespaced: true, projectOf: (ns: string) => PROJECTS[ns] };

function parse(query: string, ctx: ParseContext = POD_CTX): ListQuery {
  return parseListQuery(new URLSearchParams(query), ctx);
}

/** Ids of the pods a query returns. */
function ids(query: string, items: Item[] = PODS, ctx: ParseContext = POD_CTX): string[] {
  return applyListQuery(items, parse(query, ctx), { ...applyCtx, namespaced: ctx.namespaced }).data.map(
    (d) => d.id as string,
  );
}

function run(query: string, items: Item[] = PODS) {
  return applyListQuery(items, parse(query), applyCtx);
}

function errorOf(
  query: string,
  ctx: ParseContext = POD_CTX,
): { status: number; code: string; message: string } {
  try {
    parse(query, ctx);
  } catch (e) {
    if (!(e instanceof SteveQueryError)) throw e;
    return { status: e.status, code: e.code, message: e.message };
  }
  throw new Error(`no error for ${query}`);
}

const q = encodeURIComponent;

describe('filter operators', () => {
  it('= and == match exactly, case-sensitively', () => {
    expect(ids('filter=metadata.name=web-1')).toEqual(['default/web-1']);
    expect(ids('filter=metadata.name==web-1')).toEqual(['default/web-1']);
    expect(ids('filter=metadata.name=WEB-1')).toEqual([]);
    // steve would find nothing here (it escapes `_` as for LIKE); the value is matched as given.
    expect(ids('filter=metadata.name=coredns_x')).toEqual(['kube-system/coredns_x']);
  });

  it('!= excludes exact matches', () => {
    expect(ids('filter=metadata.name!=web-1')).not.toContain('default/web-1');
    expect(ids('filter=metadata.name!=web-1')).toHaveLength(5);
  });

  it('~ is a case-insensitive substring (SQL LIKE %v%) and !~ its negation', () => {
    expect(ids('filter=metadata.name~WEB')).toEqual(['default/web-1', 'default/Web-2']);
    // `_` and `%` are literal characters, not LIKE wildcards.
    expect(ids('filter=metadata.name~_')).toEqual(['kube-system/coredns_x']);
    expect(ids('filter=metadata.name!~web')).toEqual([
      'kube-system/coredns_x',
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
    ]);
  });

  it('in and notin take a set (keywords are case-insensitive)', () => {
    expect(ids(`filter=${q('metadata.name in (etcd,omega)')}`)).toEqual(['kube-system/etcd', 'zeta/omega']);
    expect(ids(`filter=${q('metadata.name IN (etcd)')}`)).toEqual(['kube-system/etcd']);
    expect(ids(`filter=${q('metadata.name notin (etcd,omega,web-1,Web-2)')}`)).toEqual([
      'kube-system/coredns_x',
      'p-ns/alpha',
    ]);
    // `()` is the set holding "", so it matches nothing here.
    expect(ids(`filter=${q('metadata.name in ()')}`)).toEqual([]);
  });

  it('gt and lt (also > and <) compare numbers', () => {
    // Pod restarts (metadata.fields[3]) are indexed as numbers: "4 (3h38m ago)" is 4.
    expect(ids(`filter=${q('metadata.fields[3] gt 3')}`)).toEqual(['default/web-1', 'default/Web-2']);
    expect(ids(`filter=${q('metadata.fields[3] lt 3')}`)).toEqual([
      'kube-system/coredns_x',
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
    ]);
    expect(ids(`filter=${q('metadata.fields[3]>11')}`)).toEqual(['default/Web-2']);
    expect(ids(`filter=${q('metadata.fields[3]<1')}`)).toHaveLength(3);
    // On labels too (steve compares those as text, so "10" gt 9 would be false there).
    expect(ids(`filter=${q('metadata.labels[num] gt 9')}`)).toEqual(['default/Web-2']);
    expect(ids(`filter=${q('metadata.name gt 5')}`)).toEqual([]);
  });

  it('= on a numeric column compares numbers', () => {
    expect(ids('filter=metadata.fields[3]=4')).toEqual(['default/web-1']);
    expect(ids('filter=metadata.fields[3]=04')).toEqual(['default/web-1']);
    expect(ids('filter=metadata.fields[3]~1')).toEqual(['default/Web-2']);
  });

  it('label keys exist, do not exist, and compare', () => {
    expect(ids('filter=metadata.labels[app]')).toEqual([
      'default/web-1',
      'default/Web-2',
      'kube-system/coredns_x',
      'p-ns/alpha',
    ]);
    expect(ids('filter=!metadata.labels[app]')).toEqual(['kube-system/etcd', 'zeta/omega']);
    expect(ids('filter=metadata.labels.tier')).toEqual(['default/web-1', 'zeta/omega']);
    expect(ids('filter=metadata.labels[app]=Web')).toEqual(['default/Web-2']);
    expect(ids('filter=metadata.labels[app]~web')).toEqual(['default/web-1', 'default/Web-2']);
    // Excluding filters on a label also keep the items that lack it.
    expect(ids('filter=metadata.labels[app]!=web')).toEqual([
      'default/Web-2',
      'kube-system/coredns_x',
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
    ]);
    expect(ids(`filter=${q('metadata.labels[app] notin (web,Web,dns_x)')}`)).toEqual([
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
    ]);
    expect(ids(`filter=${q('metadata.labels[app] in (web,dns_x)')}`)).toEqual([
      'default/web-1',
      'kube-system/coredns_x',
    ]);
    expect(ids(`filter=${q('metadata.labels[app.kubernetes.io/name]=gpu-train-job')}`)).toEqual([
      'default/web-1',
    ]);
  });

  it('quoted values carry spaces, commas and escaped quotes', () => {
    expect(ids(`filter=${q('metadata.labels[app]="a,b c"')}`)).toEqual(['p-ns/alpha']);
    expect(ids(`filter=${q("metadata.labels[app]='a,b c'")}`)).toEqual(['p-ns/alpha']);
    expect(ids(`filter=${q('metadata.name="web-1"')}`)).toEqual(['default/web-1']);
    const quoted = pod('default', 'x', { labels: { say: 'it\'s "on"' } });
    expect(ids(`filter=${q('metadata.labels.say="it\'s \\"on\\""')}`, [quoted])).toEqual(['default/x']);
  });

  it('array fields are `|`-joined: ~ and contains find one element, = compares the whole', () => {
    expect(ids('filter=spec.containers.image~busy')).toEqual(['default/web-1']);
    expect(ids(`filter=${q('spec.containers.image contains nginx')}`)).toEqual([
      'default/web-1',
      'default/Web-2',
      'kube-system/coredns_x',
      'p-ns/alpha',
      'zeta/omega',
    ]);
    expect(ids(`filter=${q('spec.containers.image notcontains nginx')}`)).toEqual(['kube-system/etcd']);
    expect(ids('filter=spec.containers.image=nginx')).not.toContain('default/web-1');
    expect(ids(`filter=${q('spec.containers.image=nginx|busybox')}`)).toEqual(['default/web-1']);
    // One element by index, in either spelling.
    expect(ids('filter=spec.containers.image[1]=busybox')).toEqual(['default/web-1']);
    expect(ids('filter=spec.containers.1.image=busybox')).toEqual(['default/web-1']);
  });

  it('commas OR inside one filter param, separate params AND', () => {
    expect(ids('filter=metadata.name=web-1,metadata.name=etcd')).toEqual([
      'default/web-1',
      'kube-system/etcd',
    ]);
    expect(ids('filter=metadata.name~e&filter=metadata.namespace=default')).toEqual([
      'default/web-1',
      'default/Web-2',
    ]);
    expect(
      ids(
        'filter=metadata.namespace=default,metadata.namespace=zeta&filter=metadata.labels.tier&filter=spec.nodeName=node-a',
      ),
    ).toEqual(['zeta/omega']);
    // The dashboard's "only user namespaces": one `!=` param per system namespace.
    expect(ids('filter=metadata.namespace!=kube-system&filter=metadata.namespace!=zeta')).toEqual([
      'default/web-1',
      'default/Web-2',
      'p-ns/alpha',
    ]);
    // An empty param filters nothing.
    expect(ids('filter=')).toHaveLength(6);
  });

  it('reads metadata.fields[N] in both spellings, and the common fields', () => {
    expect(ids('filter=metadata.fields[6]=node-b')).toEqual(['default/web-1', 'p-ns/alpha']);
    expect(ids('filter=metadata.fields.6=node-b')).toEqual(['default/web-1', 'p-ns/alpha']);
    expect(ids('filter=id=default/web-1')).toEqual(['default/web-1']);
    expect(ids('filter=metadata.state.name=pending')).toEqual(['kube-system/coredns_x']);
    expect(ids('filter=metadata.creationTimestamp~2024-02')).toEqual(['default/Web-2']);
    expect(ids('filter=status.podIP=10.0.0.9')).toEqual(['kube-system/coredns_x']);
  });

  it('ignores labelSelector, as the SQL store does', () => {
    expect(ids('labelSelector=app%3Dweb')).toHaveLength(6);
  });
});

describe('which fields can be filtered and sorted', () => {
  const invalid = (column: string) => ({
    status: 422,
    code: 'InvalidBodyContent',
    message: `column is invalid [${column}]: supplied column is invalid`,
  });

  it('rejects fields steve does not index, naming them as steve does', () => {
    expect(errorOf('filter=spec.foo=bar')).toEqual(invalid('spec.foo'));
    expect(errorOf('sort=spec.foo')).toEqual(invalid('spec.foo'));
    expect(errorOf('filter=metadata.annotations[foo]=x')).toEqual(invalid('metadata.annotations.foo'));
    expect(errorOf('filter=metadata.fields[9]=x')).toEqual(invalid('metadata.fields[9]'));
    expect(errorOf('sort=metadata.labels')).toEqual(invalid('metadata.labels'));
    expect(errorOf('sort=-ip(status.addresses.type)')).toEqual(invalid('ip(status.addresses[type)]'));
    expect(errorOf('summary=spec.foo')).toEqual(invalid('spec.foo'));
  });

  it('indexes metadata.namespace only for namespaced types', () => {
    const nodeCtx: ParseContext = { schemaId: 'node', namespaced: false, columnCount: 5 };
    expect(errorOf('filter=metadata.namespace=x', nodeCtx)).toEqual(invalid('metadata.namespace'));
    expect(() => parse('filter=metadata.namespace=x')).not.toThrow();
  });

  it("knows each core type's own indexed fields", () => {
    const ok: [string, string][] = [
      ['pod', 'spec.nodeName'],
      ['pod', 'metadata.state.error'],
      ['node', 'status.nodeInfo.kubeletVersion'],
      ['node', 'spec.taints.key'],
      ['event', '_type'],
      ['event', 'involvedObject.kind'],
      ['service', 'spec.clusterIP'],
      ['secret', '_type'],
      ['namespace', 'spec.displayName'],
      ['apps.deployment', 'spec.template.spec.containers.image'],
      ['apps.deployment', 'metadata.annotations[field.cattle.io/publicEndpoints]'],
      ['batch.cronjob', 'spec.jobTemplate.spec.template.spec.containers.image'],
      ['batch.job', 'metadata.state.message'],
      ['networking.k8s.io.ingress', 'spec.rules.host'],
    ];
    for (const [schemaId, field] of ok)
      expect(() =>
        parse(`filter=${q(`${field}=x`)}&sort=${field}`, { schemaId, namespaced: true, columnCount: 0 }),
      ).not.toThrow();
    // ...and only those.
    expect(
      errorOf('filter=spec.nodeName=x', { schemaId: 'service', namespaced: true, columnCount: 0 }),
    ).toEqual(invalid('spec.nodeName'));
  });

  it('reads type fields from the formatted resource (events: `_type` is the event type)', () => {
    const event = (id: string, type: string, reason: string): Item => ({
      id: `default/${id}`,
      type: 'event',
      _type: type,
      reason,
      metadata: { name: id, namespace: 'default' },
    });
    const events = [event('a', 'Normal', 'Pulled'), event('b', 'Warning', 'BackOff')];
    const ctx: ParseContext = { schemaId: 'event', namespaced: true, columnCount: 0 };
    expect(ids('filter=_type=Warning', events, ctx)).toEqual(['default/b']);
    expect(ids('filter=reason~pull', events, ctx)).toEqual(['default/a']);
  });

  it('treats columns as numbers when their Table type says so', () => {
    const row = (name: string, available: string): Item => ({
      id: `default/${name}`,
      metadata: { name, namespace: 'default', fields: [name, '1/1', available] },
    });
    const items = [row('a', '10'), row('b', '9'), row('c', '100')];
    const typed: ParseContext = {
      schemaId: 'apps.deployment',
      namespaced: true,
      columnCount: 3,
      columns: [{ type: 'string' }, { type: 'string' }, { type: 'integer' }],
    };
    const untyped: ParseContext = { ...typed, columns: undefined };
    expect(ids('sort=metadata.fields[2]', items, typed)).toEqual(['default/b', 'default/a', 'default/c']);
    expect(ids('sort=metadata.fields[2]', items, untyped)).toEqual(['default/a', 'default/c', 'default/b']);
  });
});

describe('malformed filters answer as steve does (500 ServerError with the parser message)', () => {
  const cases: [string, string][] = [
    ['a==', 'found end of a query string, expected: a comparison value'],
    ['metadata.name=', 'found end of a query string, expected: a comparison value'],
    ['metadata.name', "existence tests are valid only for labels; not valid for field 'metadata.name'"],
    ['!metadata.name', "existence tests are valid only for labels; not valid for field 'metadata.name'"],
    [
      'metadata.name gt abc',
      `values[0]: Invalid value: "abc": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ['metadata.name=-x', "found 'unexpected character '-'', expected: identifier"],
    ['metadata.name=a b', "found 'b', expected: ',' or 'end of string'"],
    ['metadata.name in ("a b")', "found 'a b', expected: ',', ')' or identifier"],
    ['metadata.name in (a', "found '', expected: ',' or ')'"],
    ['metadata.name in a', "found 'a' expected: '('"],
    [
      'metadata.name="unterminated',
      "found 'unterminated string starting with 'unterminated'', expected: identifier",
    ],
    [
      'metadata.name="a long string',
      "found 'unterminated string starting with 'a long str...'', expected: identifier",
    ],
    ['metadata.name!', "found '!', expected: in, notin, =, ==, !=, ~, !~, gt, lt"],
    ['metadata.name LT 5', "found 'LT', expected: in, notin, =, ==, !=, ~, !~, gt, lt"],
    [',metadata.name=x', "found ',', expected: !, identifier, or 'end of string'"],
    ['metadata.name=x,', "found '', expected: identifier after ','"],
    ['metadata.name=x)', "found ')', expected: ',' or 'end of string'"],
    ['metadata.name=x=y', "found '=', expected: ',' or 'end of string'"],
    ['"metadata.name"=x', "found 'metadata.name', expected: !, identifier, or 'end of string'"],
  ];
  it.each(cases)('%s', (filter, message) => {
    expect(errorOf(`filter=${q(filter)}`)).toEqual({ status: 500, code: 'ServerError', message });
  });

  it('reports the first bad param', () => {
    expect(errorOf('filter=a==&filter=spec.foo=x').status).toBe(500);
    expect(errorOf('filter=spec.foo=x&revision=abc').status).toBe(400);
  });
});

describe('sort', () => {
  it('defaults to id for namespaced types, case-insensitively', () => {
    expect(ids('')).toEqual([
      'default/web-1',
      'default/Web-2',
      'kube-system/coredns_x',
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
    ]);
  });

  it('defaults to metadata.name for cluster-scoped types', () => {
    const node = (id: string): Item => ({ id, metadata: { name: id } });
    const ctx: ParseContext = { schemaId: 'node', namespaced: false, columnCount: 0 };
    expect(ids('', [node('n-b'), node('N-a'), node('n-c')], ctx)).toEqual(['N-a', 'n-b', 'n-c']);
  });

  it('sorts ascending, descending and by several keys, ignoring ASCII case', () => {
    expect(ids('sort=metadata.name')).toEqual([
      'p-ns/alpha',
      'kube-system/coredns_x',
      'kube-system/etcd',
      'zeta/omega',
      'default/web-1',
      'default/Web-2',
    ]);
    expect(ids('sort=-metadata.name')[0]).toBe('default/Web-2');
    expect(ids('sort=metadata.namespace,-metadata.name')).toEqual([
      'default/Web-2',
      'default/web-1',
      'kube-system/etcd',
      'kube-system/coredns_x',
      'p-ns/alpha',
      'zeta/omega',
    ]);
  });

  it('sorts pod restarts as numbers', () => {
    expect(ids('sort=-metadata.fields[3]')).toEqual([
      'default/Web-2',
      'default/web-1',
      'kube-system/coredns_x',
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
    ]);
  });

  it('keeps the input order for ties', () => {
    expect(ids('sort=spec.nodeName')).toEqual([
      'default/Web-2',
      'kube-system/coredns_x',
      'kube-system/etcd',
      'zeta/omega',
      'default/web-1',
      'p-ns/alpha',
    ]);
  });

  it('puts items without the label last ascending, first descending', () => {
    expect(ids('sort=metadata.labels[app]')).toEqual([
      'p-ns/alpha',
      'kube-system/coredns_x',
      'default/web-1',
      'default/Web-2',
      'kube-system/etcd',
      'zeta/omega',
    ]);
    expect(ids('sort=-metadata.labels[app]')).toEqual([
      'kube-system/etcd',
      'zeta/omega',
      'default/web-1',
      'default/Web-2',
      'kube-system/coredns_x',
      'p-ns/alpha',
    ]);
  });

  it('sorts IP addresses numerically with ip()', () => {
    expect(ids('sort=ip(status.podIP),id')).toEqual([
      'default/Web-2',
      'kube-system/etcd',
      'p-ns/alpha',
      'zeta/omega',
      'kube-system/coredns_x',
      'default/web-1',
    ]);
    expect(ids('sort=status.podIP')[4]).toBe('default/web-1'); // as text, "10.0.0.12" < "10.0.0.9"
  });

  it('skips empty sort keys', () => {
    expect(ids('sort=,')).toEqual(ids(''));
    expect(ids('sort=-')).toEqual(ids(''));
  });
});

describe('page and pagesize', () => {
  it('pages after filtering and sorting, with the total count', () => {
    const r = run('sort=metadata.name&page=2&pagesize=2');
    expect(r.data.map((d) => d.id)).toEqual(['kube-system/etcd', 'zeta/omega']);
    expect(r.count).toBe(6);
    expect(r.continue).toBe(encodeContinue(4));
  });

  it('counts what the filters keep', () => {
    const r = run('filter=metadata.namespace=default&pagesize=1');
    expect(r.count).toBe(2);
    expect(r.data).toHaveLength(1);
  });

  it('gives no continue on the last page and empty data past it', () => {
    expect(run('page=3&pagesize=2').continue).toBeUndefined();
    const past = run('page=5&pagesize=2');
    expect(past.data).toEqual([]);
    expect(past.count).toBe(6);
    expect(past.continue).toBeUndefined();
  });

  it('ignores values that are not numbers, as steve does', () => {
    expect(run('page=abc&pagesize=x').data).toHaveLength(6);
    expect(run('pagesize=2.0').data).toHaveLength(6);
    expect(run('pagesize=-2&page=2').data).toHaveLength(6);
    expect(run('page=0&pagesize=2').data.map((d) => d.id)).toEqual(['default/web-1', 'default/Web-2']);
    expect(run('page=%2B2&pagesize=%2B2').data.map((d) => d.id)).toEqual([
      'kube-system/coredns_x',
      'kube-system/etcd',
    ]);
  });
});

describe('limit and continue (offset chunks with an opaque token)', () => {
  it('walks the whole list in chunks', () => {
    const seen: string[] = [];
    let url = 'sort=metadata.name&limit=4';
    for (let i = 0; i < 5; i++) {
      const r = run(url);
      expect(r.count).toBe(6);
      seen.push(...r.data.map((d) => d.id as string));
      if (!r.continue) break;
      url = `sort=metadata.name&limit=4&continue=${r.continue}`;
    }
    expect(seen).toEqual(ids('sort=metadata.name'));
  });

  it('returns no token once the list is exhausted', () => {
    expect(run('limit=6').continue).toBeUndefined();
    expect(run('limit=100').data).toHaveLength(6);
    expect(run(`continue=${encodeContinue(5)}`).data.map((d) => d.id)).toEqual(['zeta/omega']);
  });

  it('lets pagesize win over limit/continue (steve reads only page/pagesize)', () => {
    expect(run(`pagesize=2&limit=4&continue=${encodeContinue(3)}`).data.map((d) => d.id)).toEqual([
      'default/web-1',
      'default/Web-2',
    ]);
  });

  it('rejects a limit that is not a positive integer (our addition)', () => {
    for (const bad of ['0', '-1', 'abc', '1.5'])
      expect(errorOf(`limit=${bad}`)).toEqual({
        status: 400,
        code: 'BadRequest',
        message: `value ${bad} for limit query param is not valid: it must be a positive integer`,
      });
  });

  it('rejects a continue token it did not issue (our addition)', () => {
    for (const bad of ['abc', '4', 'eyJvZmZzZXQiOi0xfQ', 'not+a+token'])
      expect(errorOf(`continue=${q(bad)}`)).toEqual({
        status: 400,
        code: 'BadRequest',
        message: `continue token ${bad} is not valid: it was not issued by this list`,
      });
  });
});

describe('projectsornamespaces', () => {
  it('keeps namespaces listed by name or by project', () => {
    expect(ids('projectsornamespaces=p-1,p-ns')).toEqual(['default/web-1', 'default/Web-2', 'p-ns/alpha']);
    expect(ids('projectsornamespaces=p-sys')).toEqual(['kube-system/coredns_x', 'kube-system/etcd']);
  });

  it('negates with projectsornamespaces!=', () => {
    expect(ids('projectsornamespaces!=p-1,p-ns')).toEqual([
      'kube-system/coredns_x',
      'kube-system/etcd',
      'zeta/omega',
    ]);
    // An empty positive value falls back to the negated one.
    expect(ids('projectsornamespaces=&projectsornamespaces!=p-1,p-ns')).toHaveLength(3);
  });

  it('filters namespaces on their own name and project label', () => {
    const ns = (name: string, project?: string): Item => ({
      id: name,
      metadata: { name, labels: project ? { 'field.cattle.io/projectId': project } : {} },
    });
    const all = [ns('default', 'p-1'), ns('kube-system', 'p-sys'), ns('team-a', 'p-1'), ns('zeta')];
    const ctx: ParseContext = { schemaId: 'namespace', namespaced: false, columnCount: 0 };
    expect(ids('projectsornamespaces=p-1,zeta', all, ctx)).toEqual(['default', 'team-a', 'zeta']);
    expect(ids('projectsornamespaces!=p-1', all, ctx)).toEqual(['kube-system', 'zeta']);
  });

  it('fails for other cluster-scoped types, as steve does (its SQL has no namespace column)', () => {
    expect(
      errorOf('projectsornamespaces=p-1', { schemaId: 'node', namespaced: false, columnCount: 0 }),
    ).toEqual({
      status: 500,
      code: 'ServerError',
      message: 'SQL logic error: no such column: f.metadata.namespace (1)',
    });
  });
});

describe('revision', () => {
  it('must be an integer', () => {
    expect(parse('revision=123').revision).toBe('123');
    expect(errorOf('revision=abc')).toEqual({
      status: 400,
      code: 'invalid revision query param',
      message: 'value abc for revision query param is not valid',
    });
    expect(errorOf('revision=5.0').status).toBe(400);
  });
});

describe('summary', () => {
  it('counts the non-empty values of each field, sorted by property', () => {
    expect(run('summary=metadata.state.name,metadata.labels[app]').summary).toEqual([
      {
        property: 'metadata.labels.app',
        counts: { 'a,b c': { total: 1 }, dns_x: { total: 1 }, Web: { total: 1 }, web: { total: 1 } },
      },
      {
        property: 'metadata.state.name',
        counts: { error: { total: 1 }, pending: { total: 1 }, running: { total: 4 } },
      },
    ]);
  });

  it('breaks counts down by namespace, over the current page, and can leave out the data', () => {
    expect(run('summary=metadata.state.name&summarynamespaced').summary).toEqual([
      {
        property: 'metadata.state.name',
        counts: {
          error: { total: 1, namespace: { zeta: 1 } },
          pending: { total: 1, namespace: { 'kube-system': 1 } },
          running: { total: 4, namespace: { default: 2, 'kube-system': 1, 'p-ns': 1 } },
        },
      },
    ]);
    const only = run('summary=metadata.state.name&pagesize=2&summaryonly');
    expect(only.data).toEqual([]);
    expect(only.count).toBe(6);
    expect(only.continue).toBeUndefined();
    expect(only.summary).toEqual([{ property: 'metadata.state.name', counts: { running: { total: 2 } } }]);
  });

  it('answers bad summary params as steve does', () => {
    const err = (message: string) => ({ status: 500, code: 'ServerError', message });
    expect(errorOf('summary=')).toEqual(
      err("unable to parse requirement: empty summary parameter doesn't make sense"),
    );
    expect(errorOf('summary=a&summary=b')).toEqual(err('got 2 summary parameters, at most 1 is allowed'));
    expect(errorOf('summaryonly=true')).toEqual(err('got a summaryonly parameter but no summary fields'));
    expect(errorOf('summary=metadata.name&summaryonly=maybe')).toEqual(
      err('unexpected value for summaryonly parameter: "maybe", expected true, false, or empty string'),
    );
    expect(errorOf('summary=metadata.name&summarynamespaced=x')).toEqual(
      err(
        'unexpected value for parameter "summarynamespaced": expected true, false, or empty string; got "x"',
      ),
    );
    expect(errorOf('summarynamespaced')).toEqual(
      err('got a summarynamespaced parameter but no summary fields'),
    );
  });
});
