/**
 * The Helm chart (deploy/helm/scale-cluster-agent) through its three
 * validations for real, as scripts/validate-chart.sh runs them: helm lint
 * --strict, kubeconform -strict against schemas generated from the pinned
 * kube-apiserver, and a server-side dry run against a real kwokctl main
 * cluster. Plus what a user gets for bad values, the chart's RBAC put to work
 * by the engine's own provisioner as the chart's service account, and the
 * fleet the chart hands the agents read by the engine's own resolvers.
 * helm and kubeconform come from scripts/build-chart-tools.sh: missing, the
 * test fails and says so (never skips).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { KubeConfig, type V1Node, type V1Pod } from '@kubernetes/client-node';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandBatchNames } from '../../src/main/engine/clusters/batch-names';
import { parseFleetSpec } from '../../src/main/engine/fleet/fleet-spec';
import { KubeApiError } from '../../src/main/engine/kube/kube-api-error';
import type { KubeList } from '../../src/main/engine/kube/kube-object';
import { KubeRest } from '../../src/main/engine/kube/kube-rest';
import { machineCacheDir } from '../../src/main/engine/kube/machine-cache';
import { ClusterProvisioner } from '../../src/main/engine/provisioning/cluster-provisioner';
import { CLUSTER_LABEL } from '../../src/main/engine/provisioning/main-cluster-names';
import { getPreset } from '../../src/main/engine/provisioning/template/presets';
import type { CreateBatchRequest } from '../../src/shared/cluster';
import { kubectlOk } from '../helpers/kubectl';
import { eventually, startTestMainCluster, type TestMainCluster } from '../helpers/main-cluster';
import { memoryLogger } from '../helpers/test-logger';

const ROOT = resolve(import.meta.dirname, '../..');
const CHART = 'deploy/helm/scale-cluster-agent';
const CHART_TOOLS = process.env.SCALE_AGENT_CHART_TOOLS ?? join(machineCacheDir(), 'chart-tools', 'bin');
const HELM = join(CHART_TOOLS, 'helm');
const EXTERNAL = 'deploy/helm/ci/external-monitoring-ephemeral-values.yaml';
const EXISTING = 'deploy/helm/ci/existing-secrets-values.yaml';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], timeoutMs = 200_000): Promise<Run> {
  return new Promise((done) => {
    execFile(
      command,
      args,
      { cwd: ROOT, timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 },
      (err, stdout, stderr) =>
        done({ code: err ? Number((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/**
 * Why the chart tools cannot be used, or undefined when they are built. The
 * tests fail with it (never skip): CI builds the tools first.
 */
function chartToolsProblem(): Error | undefined {
  const missing = ['helm', 'kubeconform'].filter((b) => !existsSync(join(CHART_TOOLS, b)));
  if (missing.length === 0) return undefined;
  return new Error(
    `chart tools not built (missing ${missing.join(', ')} in ${CHART_TOOLS}): run bash scripts/build-chart-tools.sh`,
  );
}

/** The lines of the script's output for one step and one values set, up to the next heading. */
function section(output: string, heading: RegExp, values: string): string[] {
  const lines = output.split('\n');
  const step = lines.findIndex((l) => heading.test(l));
  const start = lines.findIndex((l, i) => i > step && l.trimEnd().endsWith(`values ${values}:`));
  if (step < 0 || start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && l.startsWith('validate-chart:'));
  return lines.slice(start + 1, end < 0 ? undefined : end).map((l) => l.trim());
}

/** `kind/name` of every object helm renders for a values set, as kubectl prints them. */
async function renderedObjects(values?: string): Promise<string[]> {
  const args = ['template', 'chart-check', CHART, ...(values ? ['--values', values] : [])];
  const r = await run(HELM, args);
  expect(r.code, r.stderr).toBe(0);
  return parseAllDocuments(r.stdout)
    .map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string } } | null)
    .filter((o) => o !== null)
    .map((o) => {
      const group = o.apiVersion.includes('/') ? `.${o.apiVersion.split('/')[0]}` : '';
      return `${o.kind.toLowerCase()}${group}/${o.metadata.name}`;
    });
}

describe('Helm chart deploy/helm/scale-cluster-agent', () => {
  let main: TestMainCluster | undefined;
  let validation: Run;
  const problem = chartToolsProblem();
  /** Every test starts here: a missing tool fails each of them by name. */
  const ready = (): void => {
    if (problem) throw problem;
  };

  beforeAll(async () => {
    if (problem) return;
    main = await startTestMainCluster();
    validation = await run('bash', [
      'scripts/validate-chart.sh',
      '--kubeconfig',
      main.provider.kubeconfigPath,
      '--install-servicemonitor-crd',
    ]);
  });

  afterAll(async () => {
    await main?.destroy();
  });

  it('passes every check and says so', () => {
    ready();
    expect(validation.stderr + validation.stdout).not.toContain('FAILED');
    expect(validation.code, validation.stdout + validation.stderr).toBe(0);
    expect(validation.stdout).toContain('validate-chart: all checks passed');
    expect(validation.stdout).toMatch(/helm v4\.3\.2, kubeconform v0\.8\.0, .*Kubernetes v1\.36\.1/);
  });

  it('helm lint --strict passes for the default values and every CI values file', () => {
    ready();
    for (const values of ['default', EXISTING, EXTERNAL]) {
      expect(validation.stdout).toContain(`lint passed: values ${values}`);
    }
  });

  it('kubeconform -strict finds every rendered resource valid against the v1.36.1 schemas', () => {
    ready();
    const expected: Record<string, number> = { default: 7, [EXISTING]: 4, [EXTERNAL]: 13 };
    for (const [values, n] of Object.entries(expected)) {
      const lines = section(validation.stdout, /2\. kubeconform/, values);
      expect(lines, values).toContain(
        `Summary: ${n} resources found in 1 file - Valid: ${n}, Invalid: 0, Errors: 0, Skipped: 0`,
      );
      expect(lines.filter((l) => l.endsWith(' is valid'))).toHaveLength(n);
    }
    // The external set has the ServiceMonitor, checked against its hand-written schema.
    expect(section(validation.stdout, /2\. kubeconform/, EXTERNAL)).toContain(
      `${EXTERNAL} - ServiceMonitor chart-check-scale-cluster-agent is valid`,
    );
  });

  it('the server dry run creates each rendered object, ServiceMonitor included', async () => {
    ready();
    expect(validation.stdout).toContain('applying the minimal stand-in ServiceMonitor CRD');
    for (const values of [undefined, EXISTING, EXTERNAL]) {
      const lines = section(validation.stdout, /3\. kubectl apply --dry-run=server/, values ?? 'default');
      const objects = await renderedObjects(values);
      expect(objects.length).toBeGreaterThan(0);
      expect(lines.sort()).toEqual(objects.map((o) => `${o} created (server dry run)`).sort());
    }
    expect(await renderedObjects(EXTERNAL)).toEqual(
      expect.arrayContaining([
        'servicemonitor.monitoring.coreos.com/chart-check-scale-cluster-agent',
        'clusterrole.rbac.authorization.k8s.io/chart-check-scale-cluster-agent',
        'statefulset.apps/chart-check-scale-cluster-agent',
        'service/chart-check-scale-cluster-agent-2',
      ]),
    );
  });

  it('bad values are refused with a message naming the value', async () => {
    ready();
    const zero = await run(HELM, ['template', 'x', CHART, '--set', 'shards=0']);
    expect(zero.code).not.toBe(0);
    expect(zero.stderr).toContain("at '/shards': minimum: got 0, want 1");
    const lint = await run(HELM, [
      'lint',
      '--strict',
      CHART,
      '--values',
      'deploy/helm/ci/invalid/shards-zero-values.yaml',
    ]);
    expect(lint.code).not.toBe(0);
    expect(lint.stdout).toContain("[ERROR] values.yaml: - at '/shards': minimum: got 0, want 1");
    const entry = await run(HELM, [
      'template',
      'x',
      CHART,
      '--values',
      'deploy/helm/ci/invalid/fleet-entry-two-ways-values.yaml',
    ]);
    expect(entry.code).not.toBe(0);
    expect(entry.stderr).toContain(
      'fleet.clusters[0]: give exactly one of name, pattern or prefix (with count), got 2',
    );
    // The script checks every invalid file the same way.
    expect(validation.stdout).toMatch(/refused as it must be: .*shards-zero-values\.yaml: - at '\/shards'/);
    expect(validation.stdout).toMatch(
      /refused as it must be: .*rancher-url-without-token-values\.yaml: .*rancher\.url is set but no Rancher token/,
    );
  });

  it("the ClusterRole, without its catch-all rule, covers the engine's own work in the main cluster", async () => {
    ready();
    const kubeconfig = main!.provider.kubeconfigPath;
    const ns = 'chart-rbac';
    // The chart's ServiceAccount, ClusterRole and ClusterRoleBinding, applied for real.
    const rbac = await run(HELM, [
      'template',
      'chart-rbac',
      CHART,
      '--namespace',
      ns,
      '--values',
      EXTERNAL,
      '--set',
      'rbac.virtualApiPassthrough=false',
      '--show-only',
      'templates/rbac.yaml',
    ]);
    expect(rbac.code, rbac.stderr).toBe(0);
    expect(rbac.stdout).not.toContain("apiGroups: ['*']");
    await kubectlOk(kubeconfig, ['create', 'namespace', ns]);
    await kubectlOk(kubeconfig, ['-n', ns, 'apply', '-f', '-'], rbac.stdout);
    const token = (
      await kubectlOk(kubeconfig, ['-n', ns, 'create', 'token', 'chart-rbac-scale-cluster-agent'])
    ).trim();

    // The engine's own client, as the service account (what a shard in the cluster uses).
    const server = main!.provider.kubeConfig().getCurrentCluster()!;
    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ ...server, name: 'main' }],
      users: [{ name: 'shard', token }],
      contexts: [{ name: 'shard', cluster: 'main', user: 'shard' }],
      currentContext: 'shard',
    });
    const rest = await KubeRest.fromKubeConfig(kc);
    const provisioner = new ClusterProvisioner(rest, memoryLogger().logger);
    try {
      await provisioner.start();
      // medium: nodes, pods, services, config maps, secrets and Deployments,
      // whose pods the engine binds to the cluster's nodes (pods/binding).
      await provisioner.provision('rbac-check', getPreset('medium'));
      const selector = `${CLUSTER_LABEL}=rbac-check`;
      await eventually(
        async () => {
          const pods = await main!.rest.get<KubeList<V1Pod>>('/api/v1/pods', { labelSelector: selector });
          const fromDeployments = pods.items.filter((p) => p.metadata?.ownerReferences?.length);
          return fromDeployments.length > 0 && pods.items.every((p) => p.spec?.nodeName);
        },
        'every pod of the cluster bound to one of its nodes',
        90_000,
      );
      // TokenReview (how a simulated cluster checks Rancher's token), and a
      // node Lease (how heartbeats are paused).
      await rest.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
        body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } },
      });
      await rest.request('POST', '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', {
        body: {
          apiVersion: 'coordination.k8s.io/v1',
          kind: 'Lease',
          metadata: { name: 'rbac-check-lease', namespace: 'kube-node-lease' },
          spec: { holderIdentity: 'rbac-check' },
        },
      });
      // What the role does not grant is refused: RBAC is in force.
      const refused = await rest
        .request('POST', '/apis/scheduling.k8s.io/v1/priorityclasses', {
          body: {
            apiVersion: 'scheduling.k8s.io/v1',
            kind: 'PriorityClass',
            metadata: { name: 'rbac-check' },
            value: 1,
          },
        })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(refused).toBeInstanceOf(KubeApiError);
      expect((refused as KubeApiError).status).toBe(403);

      await provisioner.delete('rbac-check');
      const nodes = await main!.rest.get<KubeList<V1Node>>('/api/v1/nodes', { labelSelector: selector });
      expect(nodes.items).toHaveLength(0);
    } finally {
      provisioner.stop();
      rest.close();
    }
  });

  it("the fleet ConfigMap holds the values' fleet, which the engine's fleet spec parser accepts", async () => {
    ready();
    for (const values of [EXISTING, EXTERNAL]) {
      const r = await run(HELM, ['template', 'chart-check', CHART, '--values', values]);
      expect(r.code, r.stderr).toBe(0);
      const configMap = parseAllDocuments(r.stdout)
        .map((d) => d.toJS() as { kind?: string; metadata?: { name: string }; data?: Record<string, string> })
        .find((o) => o?.kind === 'ConfigMap' && o.metadata?.name.endsWith('-fleet'));
      const text = configMap?.data?.['fleet.yaml'];
      expect(text, `${values}: no fleet ConfigMap rendered`).toBeTypeOf('string');
      const fleet = parseYaml(text ?? '') as { clusters: Array<CreateBatchRequest & { name?: string }> };
      const given = (parseYaml(readFileSync(join(ROOT, values), 'utf8')) as { fleet: unknown }).fleet;
      expect(fleet).toMatchObject(given as object);
      // What the agents will do with it: the engine's own parser (the one --fleet uses) accepts it whole.
      const spec = parseFleetSpec(text ?? '', 'default');
      const expected = fleet.clusters.reduce(
        (n, entry) => n + (entry.name === undefined ? expandBatchNames(entry).length : 1),
        0,
      );
      expect(spec.clusters).toHaveLength(expected);
    }
  });
});
