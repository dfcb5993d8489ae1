/**
 * Importing one simulated cluster into Rancher, step by step with the seed's
 * status words: getting_yaml (create or adopt the Rancher cluster, get its
 * registration token, waiting while Rancher makes the cluster's namespace,
 * then the manifest, and check Rancher's CA against the manifest's checksum
 * as the real agent does before it connects), applying_yaml (the manifest, unchanged,
 * through the cluster's own API), waiting_service_account (the cattle service
 * account's token, from a token Secret as Rancher's agent ensures one), and
 * testing_api (that token works against the cluster's API, as Rancher will use it).
 */
import type { ClusterStatus } from '../../../shared/cluster';
import type { Logger } from '../telemetry/logger';
import type { InProcessKubeClient } from '../vapi/in-process-client';
import { applyManifest } from '../vapi/manifest-apply';
import { abortableSleep } from './abortable-sleep';
import { checkRancherCa } from './ca-checksum';
import type { RancherClient } from './rancher-client';
import { RancherError } from './rancher-errors';

export interface ImportedCluster {
  rancherId: string;
  registrationToken: string;
  serviceAccountToken: string;
}

export interface ImportContext {
  name: string;
  client: RancherClient;
  /** The cluster's API as the engine reaches it (a token of its own). */
  api: InProcessKubeClient;
  /** A client of the same API with another bearer token. */
  apiWithToken: (token: string) => InProcessKubeClient;
  setStatus: (status: ClusterStatus) => void;
  /** Progress inside the current step (e.g. waiting for Rancher to make the cluster's namespace). */
  setProgress?: (text: string) => void;
  /** Called as soon as the Rancher cluster exists, so a failure later can remove it. */
  onCreated?: (rancherId: string) => void;
  logger: Logger;
  signal: AbortSignal;
  /** How long to wait for the service-account token. */
  tokenTimeoutMs?: number;
  /** How long the registration token POST is retried while Rancher has not made the cluster's namespace. */
  namespaceWaitMs?: number;
  /** RancherInsecure: a CA checksum mismatch is a loud warning instead of a failure. */
  insecure?: boolean;
}

const TOKEN_SECRET = 'cattle-token';

export async function importIntoRancher(ctx: ImportContext): Promise<ImportedCluster> {
  const { name, client, api, logger, signal } = ctx;

  ctx.setStatus('getting_yaml');
  const cluster = await client.createCluster(name);
  ctx.onCreated?.(cluster.id);
  logger.info({ cluster: name, rancherId: cluster.id }, `Cluster ${name} is ${cluster.id} in Rancher`);
  let waitedForNamespace = false;
  const token = await client.registrationToken(cluster.id, {
    signal,
    ...(ctx.namespaceWaitMs !== undefined ? { namespaceWaitMs: ctx.namespaceWaitMs } : {}),
    onProgress: (text) => {
      if (!waitedForNamespace)
        logger.info({ cluster: name, rancherId: cluster.id }, `Cluster ${name}: ${text}`);
      waitedForNamespace = true;
      ctx.setProgress?.(text);
    },
  });
  if (waitedForNamespace) {
    logger.info(
      { cluster: name, rancherId: cluster.id },
      `Cluster ${name}: Rancher has made namespace ${cluster.id}; registration token ready`,
    );
    ctx.setProgress?.(`namespace ${cluster.id} ready in Rancher`);
  }
  const manifest = await client.downloadManifest(token.manifestUrl);
  signal.throwIfAborted();
  await checkRancherCa({
    cluster: name,
    rancherUrl: client.baseUrl.origin,
    manifest,
    cacerts: () => client.caCerts(),
    insecure: ctx.insecure ?? false,
    logger,
  });
  signal.throwIfAborted();

  ctx.setStatus('applying_yaml');
  const applied = await applyManifest(api, manifest);
  logger.info(
    { cluster: name, objects: applied.length },
    `Applied Rancher's import manifest to ${name} (${applied.length} objects)`,
  );
  signal.throwIfAborted();

  ctx.setStatus('waiting_service_account');
  const saToken = await serviceAccountToken(api, ctx.tokenTimeoutMs ?? 60_000, signal);

  ctx.setStatus('testing_api');
  await checkServiceAccountToken(ctx, saToken, TOKEN_CHECK_MS);
  return { rancherId: cluster.id, registrationToken: token.token, serviceAccountToken: saToken };
}

/** How long a new cattle token may take to be accepted (TokenReview and the namespace cache under load). */
const TOKEN_CHECK_MS = 30_000;

/**
 * Rancher's first request with the cattle token, made here first: the
 * token must open the cluster's API. A refusal is retried for a while,
 * since a token minted a moment ago can be refused briefly while the main
 * apiserver is busy (seen in a 1,000-cluster batch), then is final.
 */
async function checkServiceAccountToken(
  ctx: ImportContext,
  saToken: string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (let attempt = 1, delayMs = 500; ; attempt++, delayMs = Math.min(delayMs * 2, 4000)) {
    const check = await ctx.apiWithToken(saToken).request('GET', '/api/v1/namespaces/kube-system');
    if (check.status === 200) return;
    if (Date.now() + delayMs > deadline) {
      throw new RancherError(
        `the cattle service-account token does not work against ${ctx.name}'s API (HTTP ${check.status}, ${attempt} attempts in ${Math.round(timeoutMs / 1000)} s)`,
      );
    }
    ctx.setProgress?.(
      `the cattle token was refused (HTTP ${check.status}); trying again (attempt ${attempt + 1})`,
    );
    await abortableSleep(delayMs, ctx.signal);
  }
}

/** Ensures a token Secret for the cattle service account and waits until the token controller fills it. */
async function serviceAccountToken(
  api: InProcessKubeClient,
  timeoutMs: number,
  signal: AbortSignal,
): Promise<string> {
  const base = '/api/v1/namespaces/cattle-system';
  const deadline = Date.now() + timeoutMs;
  let lastProblem = 'service account cattle not found';
  while (Date.now() < deadline) {
    signal.throwIfAborted();
    const sa = await api.request('GET', `${base}/serviceaccounts/cattle`);
    if (sa.status === 200) {
      const secret = await api.request<{ data?: { token?: string } }>(
        'GET',
        `${base}/secrets/${TOKEN_SECRET}`,
      );
      if (secret.status === 404) {
        const created = await api.request<{ message?: string }>('POST', `${base}/secrets`, {
          apiVersion: 'v1',
          kind: 'Secret',
          type: 'kubernetes.io/service-account-token',
          metadata: { name: TOKEN_SECRET, annotations: { 'kubernetes.io/service-account.name': 'cattle' } },
        });
        if (created.status >= 300 && created.status !== 409)
          lastProblem = `creating the token Secret failed: ${created.body?.message ?? created.status}`;
      } else if (secret.body?.data?.token) {
        return Buffer.from(secret.body.data.token, 'base64').toString('utf8');
      } else {
        lastProblem = 'the token Secret has no token yet';
      }
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new RancherError(`no service-account token for cattle after ${timeoutMs / 1000}s: ${lastProblem}`);
}
