/**
 * What a user does with kubectl 1.36 and an exported kubeconfig, against a
 * simulated cluster: its typed `create` commands send protobuf bodies and
 * ask for protobuf answers (client-go's defaults for built-in types), the
 * rest patch, read and delete. A second cluster sees none of it, and every
 * error names the cluster's own namespaces, never the main cluster's.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import { hostNamespace } from '../../src/main/engine/provisioning/main-cluster-names';
import { decodeProtobufObject, ProtobufWatchDecoder } from '../../src/main/engine/vapi/protobuf/k8s-protobuf';
import { KubeconfigClient, kubectl, kubectlOk } from '../helpers/kubectl';
import {
  startClustersWithKubeconfigs,
  type ClustersWithKubeconfigs,
} from '../helpers/clusters-with-kubeconfigs';
import { eventually } from '../helpers/main-cluster';

const NS = 'team-a';
const MANIFEST = resolve(import.meta.dirname, '../fixtures/rancher-import-manifest.yaml');

describe('kubectl 1.36 against a simulated cluster', () => {
  let stack: ClustersWithKubeconfigs;
  let rawA: KubeconfigClient;
  const dir = mkdtempSync(join(tmpdir(), 'sca-kubectl-'));
  const kc = { a: join(dir, 'ka.yaml'), b: join(dir, 'kb.yaml') };
  /** Names of the main cluster's objects that must never show in what a user of cluster ka reads. */
  const hostNames = [hostNamespace('ka', NS), hostNamespace('ka', 'default'), 'sca:ka:'];

  beforeAll(async () => {
    stack = await startClustersWithKubeconfigs(['ka', 'kb'], dir);
    rawA = new KubeconfigClient(kc.a);
  });
  afterAll(async () => {
    rawA?.close();
    await stack?.stop();
  });

  const a = (...args: string[]) => kubectlOk(kc.a, args);

  it('creates every kind a user creates with kubectl create (protobuf bodies)', async () => {
    // kubectl's typed clients write protobuf and want protobuf back: the log of one create shows both.
    const traced = await kubectl(kc.a, ['create', 'namespace', NS, '-v=8']);
    expect(traced.code).toBe(0);
    expect(traced.stdout).toContain(`namespace/${NS} created`);
    // Once in the request's headers, once in the answer's.
    expect(traced.stderr.match(/Content-Type: application\/vnd\.kubernetes\.protobuf/g)).toHaveLength(2);
    expect(await a('create', 'configmap', 'cm1', '-n', NS, '--from-literal=k=v')).toContain('created');
    expect(await a('create', 'secret', 'generic', 's1', '-n', NS, '--from-literal=p=q')).toContain('created');
    expect(await a('create', 'serviceaccount', 'sa1', '-n', NS)).toContain('created');
    expect(await a('create', 'role', 'r1', '-n', NS, '--verb=get', '--resource=pods')).toContain('created');
    expect(
      await a('create', 'rolebinding', 'rb1', '-n', NS, '--role=r1', `--serviceaccount=${NS}:sa1`),
    ).toContain('created');
    expect(await a('create', 'clusterrole', 'cr1', '--verb=get', '--resource=nodes')).toContain('created');
    expect(await a('create', 'deployment', 'web', '-n', NS, '--image=nginx')).toContain('created');
    expect(await a('create', 'job', 'j1', '-n', NS, '--image=busybox')).toContain('created');
    expect(
      await a('create', 'cronjob', 'cj1', '-n', NS, '--image=busybox', '--schedule=*/5 * * * *'),
    ).toContain('created');
  });

  it('scales, exposes, labels, annotates, patches and reads them back', async () => {
    expect(await a('scale', 'deployment', 'web', '-n', NS, '--replicas=3')).toContain('scaled');
    expect(await a('expose', 'deployment', 'web', '-n', NS, '--port=80')).toContain('exposed');
    expect(await a('label', 'configmap', 'cm1', '-n', NS, 'tier=gold')).toContain('labeled');
    expect(await a('annotate', 'configmap', 'cm1', '-n', NS, 'note=kept')).toContain('annotated');
    expect(await a('patch', 'configmap', 'cm1', '-n', NS, '-p', '{"data":{"k2":"v2"}}')).toContain('patched');

    const cm = parseYaml(await a('get', 'configmap', 'cm1', '-n', NS, '-o', 'yaml')) as {
      metadata: { namespace: string; labels: Record<string, string>; annotations: Record<string, string> };
      data: Record<string, string>;
    };
    expect(cm.metadata.namespace).toBe(NS);
    expect(cm.metadata.labels.tier).toBe('gold');
    expect(cm.metadata.annotations.note).toBe('kept');
    expect(cm.data).toEqual({ k: 'v', k2: 'v2' });

    const deploy = parseYaml(await a('get', 'deployment', 'web', '-n', NS, '-o', 'yaml')) as {
      spec: { replicas: number };
    };
    expect(deploy.spec.replicas).toBe(3);
    const svc = parseYaml(await a('get', 'service', 'web', '-n', NS, '-o', 'yaml')) as {
      metadata: { namespace: string };
      spec: { ports: Array<{ port: number }> };
    };
    expect(svc.metadata.namespace).toBe(NS);
    expect(svc.spec.ports[0]?.port).toBe(80);
    const binding = parseYaml(await a('get', 'rolebinding', 'rb1', '-n', NS, '-o', 'yaml')) as {
      subjects: Array<{ namespace: string }>;
    };
    expect(binding.subjects[0]?.namespace).toBe(NS);
    const everything = await a('get', 'all,cm,secret,sa,role,rolebinding', '-n', NS, '-o', 'yaml');
    for (const host of hostNames) expect(everything).not.toContain(host);
  });

  it('answers auth can-i --as (admin-equivalent: simulated clusters do not evaluate RBAC)', async () => {
    const r = await kubectl(kc.a, [
      'auth',
      'can-i',
      'get',
      'pods',
      '-n',
      NS,
      `--as=system:serviceaccount:${NS}:sa1`,
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe('yes');
  });

  it('honours impersonation as admin-equivalent and never passes it to the main cluster', async () => {
    // Forwarded, these headers would make the main apiserver run the request as a user with no rights (403).
    const r = await rawA.request('GET', '/api/v1/nodes', {
      headers: {
        accept: 'application/json',
        'impersonate-user': 'u-abcde',
        'impersonate-group': 'system:authenticated',
        'impersonate-extra-principalid': 'local://u-abcde',
      },
    });
    expect(r.status).toBe(200);
    const names = (r.json?.items as Array<{ metadata: { name: string } }>).map((n) => n.metadata.name);
    expect(names.length).toBeGreaterThan(0);
    for (const n of names) expect(n.startsWith('ka-')).toBe(true);
    const nodes = await a('get', 'nodes', '--as=u-abcde', '--as-group=system:authenticated', '-o', 'name');
    expect(
      nodes
        .trim()
        .split('\n')
        .every((n) => n.startsWith('node/ka-')),
    ).toBe(true);
  });

  it("validates Rancher's agent manifest against the cluster's OpenAPI (kubectl apply --validate=strict)", async () => {
    const manifest = readFileSync(MANIFEST, 'utf8');
    const out = await kubectlOk(kc.a, ['apply', '--validate=strict', '-f', '-'], manifest);
    expect(out).toContain('deployment.apps/cattle-cluster-agent');
    const v3 = await rawA.request('GET', '/openapi/v3', { headers: { accept: 'application/json' } });
    expect(v3.status).toBe(200);
    // The apiserver labels its OpenAPI v3 index text/plain; it is JSON.
    const index = JSON.parse(v3.body.toString('utf8')) as {
      paths: Record<string, { serverRelativeURL: string }>;
    };
    const paths = index.paths;
    const apps = paths['apis/apps/v1']?.serverRelativeURL;
    expect(apps).toMatch(/^\/openapi\/v3\/apis\/apps\/v1\?hash=/);
    const group = await rawA.request('GET', apps!, { headers: { accept: 'application/json' } });
    expect(group.status).toBe(200);
    expect(group.body.toString('utf8')).toContain('io.k8s.api.apps.v1.Deployment');
    const v2 = await rawA.request('GET', '/openapi/v2', { headers: { accept: 'application/json' } });
    expect(v2.status).toBe(200);
    expect((JSON.parse(v2.body.toString('utf8')) as { swagger: string }).swagger).toBe('2.0');
  });

  it('speaks protobuf to a client that takes nothing else, and refuses what an apiserver refuses', async () => {
    const PB = 'application/vnd.kubernetes.protobuf';
    const got = await rawA.request('GET', `/api/v1/namespaces/${NS}/configmaps/cm1`, {
      headers: { accept: PB },
    });
    expect(got.status).toBe(200);
    expect(got.contentType).toBe(PB);
    const cm = decodeProtobufObject(got.body) as { kind: string; metadata: { namespace: string } };
    expect(cm.kind).toBe('ConfigMap');
    expect(cm.metadata.namespace).toBe(NS);
    // A watch in protobuf framing; the server ends it after a second.
    const watch = await rawA.request(
      'GET',
      `/api/v1/namespaces/${NS}/configmaps?watch=true&timeoutSeconds=1`,
      {
        headers: { accept: PB },
      },
    );
    expect(watch.contentType).toBe(`${PB};stream=watch`);
    const events = new ProtobufWatchDecoder().push(watch.body);
    const names = events.map((e) => (e.object.metadata as { name: string; namespace: string }).name);
    expect(names).toContain('cm1');
    for (const e of events) expect((e.object.metadata as { namespace: string }).namespace).toBe(NS);
    // A body type no apiserver reads, and an answer type it cannot give.
    const text = await rawA.request('POST', `/api/v1/namespaces/${NS}/configmaps`, {
      body: 'name: x',
      headers: { 'content-type': 'text/plain', accept: 'application/json' },
    });
    expect(text.status).toBe(415);
    expect(text.json?.reason).toBe('UnsupportedMediaType');
    const table = await rawA.request('GET', `/api/v1/namespaces/${NS}/configmaps`, {
      headers: { accept: `${PB};as=Table;v=v1;g=meta.k8s.io` },
    });
    expect(table.status).toBe(406);
  });

  it('a second cluster shows none of the first one’s objects', async () => {
    const ns = await kubectl(kc.b, ['get', 'namespace', NS]);
    expect(ns.code).not.toBe(0);
    expect(ns.stderr).toContain(`namespaces "${NS}" not found`);
    expect((await kubectl(kc.b, ['get', 'clusterrole', 'cr1'])).code).not.toBe(0);
    const all = await kubectlOk(kc.b, [
      'get',
      'deploy,cm,secret,sa,job,cronjob,svc,role,rolebinding',
      '-A',
      '-o',
      'name',
    ]);
    for (const name of ['web', 'cm1', 's1', 'sa1', 'j1', 'cj1', 'r1', 'rb1'])
      expect(all.split('\n')).not.toContainEqual(expect.stringMatching(new RegExp(`/${name}$`)));
  });

  it('every NotFound, Conflict, Forbidden and Invalid names the cluster’s own namespace', async () => {
    const statuses: Array<Record<string, unknown>> = [];
    const call = async (method: string, path: string, body?: unknown, type = 'application/json') => {
      const r = await rawA.request(method, path, {
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: { 'content-type': type, accept: 'application/json' },
      });
      expect(r.json?.kind).toBe('Status');
      statuses.push(r.json!);
      return r.json!;
    };
    // NotFound: an object in an existing namespace, and a namespace that does not exist.
    const nf = await call('GET', `/api/v1/namespaces/${NS}/configmaps/nope`);
    expect(nf.reason).toBe('NotFound');
    const nfNs = await call('POST', '/api/v1/namespaces/no-such-ns/configmaps', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'x' },
    });
    expect(nfNs.reason).toBe('NotFound');
    expect(nfNs.message).toContain('"no-such-ns"');
    // Conflict: the namespace again, and a ClusterRole the cluster owns.
    const conflict = await call('POST', '/api/v1/namespaces', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: NS },
    });
    expect(conflict.reason).toBe('AlreadyExists');
    expect(conflict.message).toBe(`namespaces "${NS}" already exists`);
    const roleConflict = await call('POST', '/apis/rbac.authorization.k8s.io/v1/clusterroles', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: 'cr1' },
    });
    expect(roleConflict.reason).toBe('AlreadyExists');
    expect(roleConflict.message).toContain('"cr1"');
    // Forbidden: a quota the namespace is over.
    await call('POST', `/api/v1/namespaces/${NS}/resourcequotas`, {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: { name: 'q' },
      spec: { hard: { secrets: '0' } },
    }).catch(() => undefined);
    statuses.pop(); // the quota's creation answer is the object, not a Status
    const forbidden = await eventually(async () => {
      const r = await rawA.request('POST', `/api/v1/namespaces/${NS}/secrets`, {
        body: JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 'over' } }),
        headers: { 'content-type': 'application/json' },
      });
      return r.status === 403 ? r.json : undefined;
    }, 'the quota to forbid a secret');
    expect(forbidden.reason).toBe('Forbidden');
    statuses.push(forbidden);
    // Invalid: a label value the namespace cannot have; the apiserver names the namespace.
    const invalid = await call(
      'PATCH',
      `/api/v1/namespaces/${NS}`,
      { metadata: { labels: { bad: '-not a value-' } } },
      'application/merge-patch+json',
    );
    expect(invalid.reason).toBe('Invalid');
    expect(invalid.message).toContain(`"${NS}"`);
    const details = invalid.details as { name?: string; causes?: unknown[] };
    expect(details.name).toBe(NS);

    for (const s of statuses) {
      const text = JSON.stringify(s);
      for (const host of hostNames) expect(text).not.toContain(host);
    }
  });

  it('deletes what it made', async () => {
    expect(await a('delete', 'configmap', 'cm1', '-n', NS)).toContain('deleted');
    expect(await a('delete', 'clusterrole', 'cr1')).toContain('deleted');
    expect(await a('delete', 'deployment', 'web', '-n', NS)).toContain('deleted');
    expect(await a('delete', 'namespace', NS, '--wait=false')).toContain('deleted');
    expect((await kubectl(kc.a, ['get', 'configmap', 'cm1', '-n', NS])).code).not.toBe(0);
  });
});
