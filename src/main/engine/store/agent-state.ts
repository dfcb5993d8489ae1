/**
 * The state file `<home>/state.json`: every acknowledged cluster, with what
 * is needed to bring it back after a restart. Secrets are sealed (see
 * secret-box.ts). Versioned, so later releases can migrate older files.
 */
import type { ClusterRecord, TemplateSpec } from '../../../shared/cluster';

export const STATE_VERSION = 1;

export interface PersistedCluster {
  record: ClusterRecord;
  /** What the cluster was created from (preset name or template object). */
  template: TemplateSpec;
  /** SHA-256 hashes of the tokens minted for this cluster's kubeconfigs (never the tokens). */
  tokenHashes?: string[];
  /** Sealed Rancher credentials, when imported. */
  sealed?: { registrationToken: string; serviceAccountToken: string };
}

export interface AgentState {
  version: number;
  savedAt: string;
  clusters: PersistedCluster[];
}

export function parseAgentState(text: string): AgentState {
  const doc = JSON.parse(text) as Partial<AgentState>;
  if (typeof doc !== 'object' || doc === null || !Array.isArray(doc.clusters))
    throw new Error('not an agent state document');
  const version = typeof doc.version === 'number' ? doc.version : 0;
  if (version > STATE_VERSION) throw new Error(`written by a newer agent (state version ${version})`);
  // Version 0 (the seed's state.json) had no template: those clusters come back as the default.
  const clusters = doc.clusters.map((c) => migrateCluster(c as PersistedCluster, version));
  return { version: STATE_VERSION, savedAt: doc.savedAt ?? '', clusters };
}

function migrateCluster(c: PersistedCluster, version: number): PersistedCluster {
  if (version >= 1) return c;
  return { ...c, template: c.template ?? 'default' };
}
