/**
 * Asks an apiserver whether it is up, its version and how many nodes it has,
 * cheaply: node count comes from a one-item list's remainingItemCount, so a
 * main cluster with thousands of nodes costs one small request.
 */
import { CoreV1Api, KubeConfig, VersionApi } from '@kubernetes/client-node';
import type { MainClusterInfo } from '../../../shared/main-cluster';

export interface ApiserverProbe {
  up: boolean;
  endpoint: string;
  kubeVersion?: string;
  nodeCount?: number;
  error?: string;
}

export async function probeApiserver(kc: KubeConfig, timeoutMs = 5000): Promise<ApiserverProbe> {
  const endpoint = kc.getCurrentCluster()?.server ?? '';
  const work = (async (): Promise<ApiserverProbe> => {
    const version = await kc.makeApiClient(VersionApi).getCode();
    const nodes = await kc.makeApiClient(CoreV1Api).listNode({ limit: 1 });
    const nodeCount = nodes.items.length + (nodes.metadata?.remainingItemCount ?? 0);
    return { up: true, endpoint, kubeVersion: version.gitVersion, nodeCount };
  })();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<ApiserverProbe>((resolve) => {
    timer = setTimeout(
      () => resolve({ up: false, endpoint, error: `no answer within ${timeoutMs} ms` }),
      timeoutMs,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (err) {
    return { up: false, endpoint, error: describeKubeError(err) };
  } finally {
    clearTimeout(timer);
  }
}

/** One readable line from a client-node or network error. */
export function describeKubeError(err: unknown): string {
  if (err instanceof Error) {
    const cause = (err as Error & { cause?: { code?: string } }).cause;
    const code = (err as Error & { code?: string }).code ?? cause?.code;
    return code && !err.message.includes(code) ? `${err.message} (${code})` : err.message;
  }
  return String(err);
}

/** A provider's status from a probe: running, or `downState` with why. */
export function infoFromProbe(
  base: Pick<MainClusterInfo, 'provider' | 'name' | 'updatedAt'>,
  probe: ApiserverProbe,
  downState: MainClusterInfo['state'],
): MainClusterInfo {
  if (probe.up) {
    return {
      ...base,
      state: 'running',
      apiEndpoint: probe.endpoint,
      nodeCount: probe.nodeCount,
      kubeVersion: probe.kubeVersion,
    };
  }
  return {
    ...base,
    state: downState,
    apiEndpoint: probe.endpoint,
    message: `apiserver not answering: ${probe.error}`,
  };
}
