/**
 * What Steve needs of one simulated cluster: its own Kubernetes API, reached
 * in process (the virtual API's internal client fits this shape). Steve never
 * talks to the main cluster, so isolation holds by construction: every list,
 * watch and write goes through the cluster's own API and its translation.
 */
export interface KubeAnswer<T = unknown> {
  status: number;
  body: T;
}

export interface ClusterKube {
  request<T = unknown>(
    method: string,
    path: string,
    body?: unknown,
    contentType?: string,
    accept?: string,
  ): Promise<KubeAnswer<T>>;
  stream(
    path: string,
    onChunk: (text: string) => void,
    options?: { accept?: string; onEnd?: (status: number) => void },
  ): { close(): void };
}

/** Lists and watches as kubectl asks: Tables with the objects inside, so rows carry `metadata.fields`. */
export const TABLE_ACCEPT = 'application/json;as=Table;v=v1;g=meta.k8s.io, application/json';

export interface KubeStatus {
  kind?: string;
  code?: number;
  reason?: string;
  message?: string;
}
