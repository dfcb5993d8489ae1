/**
 * Applies a multi-document YAML manifest through a cluster's own API, in
 * document order, with server-side apply (what `kubectl apply
 * --server-side` does): unchanged objects stay unchanged, and applying twice
 * converges. Resource names come from the cluster's discovery, so any kind
 * the apiserver knows works.
 */
import { parseAllDocuments } from 'yaml';
import type { InProcessKubeClient } from './in-process-client';

interface ApiResourceList {
  resources: { name: string; kind: string; namespaced: boolean }[];
}

export interface AppliedObject {
  kind: string;
  name: string;
  namespace?: string;
}

export class ManifestError extends Error {}

export async function applyManifest(
  client: InProcessKubeClient,
  yamlText: string,
  fieldManager = 'rancher-import',
): Promise<AppliedObject[]> {
  const docs = parseAllDocuments(yamlText);
  const discovery = new Map<string, Promise<ApiResourceList>>();
  const lookup = async (apiVersion: string, kind: string) => {
    const prefix = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    let list = discovery.get(prefix);
    if (!list) {
      list = client.request<ApiResourceList>('GET', prefix).then((r) => {
        if (r.status !== 200)
          throw new ManifestError(`the cluster does not serve ${apiVersion} (HTTP ${r.status})`);
        return r.body;
      });
      discovery.set(prefix, list);
    }
    const found = (await list).resources.find((r) => r.kind === kind && !r.name.includes('/'));
    if (!found) throw new ManifestError(`the cluster does not serve kind ${kind} in ${apiVersion}`);
    return { prefix, resource: found.name, namespaced: found.namespaced };
  };

  const applied: AppliedObject[] = [];
  for (const [i, doc] of docs.entries()) {
    if (doc.errors.length > 0)
      throw new ManifestError(`manifest document ${i + 1} is not valid YAML: ${doc.errors[0]?.message}`);
    const obj = doc.toJSON() as {
      apiVersion?: string;
      kind?: string;
      metadata?: { name?: string; namespace?: string };
    } | null;
    if (!obj) continue;
    if (!obj.apiVersion || !obj.kind || !obj.metadata?.name) {
      throw new ManifestError(`manifest document ${i + 1} lacks apiVersion, kind or metadata.name`);
    }
    const { prefix, resource, namespaced } = await lookup(obj.apiVersion, obj.kind);
    const namespace = namespaced ? (obj.metadata.namespace ?? 'default') : undefined;
    const path = `${prefix}${namespace ? `/namespaces/${encodeURIComponent(namespace)}` : ''}/${resource}/${encodeURIComponent(obj.metadata.name)}?fieldManager=${fieldManager}&force=true`;
    const res = await client.request<{ message?: string }>(
      'PATCH',
      path,
      obj,
      'application/apply-patch+yaml',
    );
    if (res.status >= 300) {
      throw new ManifestError(
        `applying ${obj.kind} ${namespace ? `${namespace}/` : ''}${obj.metadata.name} failed (HTTP ${res.status}): ${res.body?.message ?? ''}`,
      );
    }
    applied.push({ kind: obj.kind, name: obj.metadata.name, ...(namespace ? { namespace } : {}) });
  }
  return applied;
}
