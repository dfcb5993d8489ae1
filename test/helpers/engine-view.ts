/**
 * An engine's clusters as a user of it sees them: through its request
 * channels (clusters.get, clusters.list), the same records every UI and the
 * REST API show. Tests read records here, never from the engine's internals.
 */
import type { Engine } from '../../src/main/engine/engine';
import type { ClusterRecord } from '../../src/shared/cluster';
import { EngineError } from '../../src/shared/errors';

type Channels = Pick<Engine, 'handle'>;

/** One cluster's record (clusters.get); rejects with a not_found EngineError for a cluster the engine does not have. */
export function clusterRecord(engine: Channels, name: string): Promise<ClusterRecord> {
  return engine.handle('clusters.get', { name });
}

/** Every cluster's record (clusters.list). */
export function clusterRecords(engine: Channels): Promise<ClusterRecord[]> {
  return engine.handle('clusters.list', undefined);
}

/** The cluster's record, or undefined when the engine does not have it. */
export async function findCluster(engine: Channels, name: string): Promise<ClusterRecord | undefined> {
  try {
    return await clusterRecord(engine, name);
  } catch (err) {
    if (err instanceof EngineError && err.code === 'not_found') return undefined;
    throw err;
  }
}

export async function hasCluster(engine: Channels, name: string): Promise<boolean> {
  return (await findCluster(engine, name)) !== undefined;
}

/** The names of every cluster, in the order clusters.list gives them. */
export async function clusterNames(engine: Channels): Promise<string[]> {
  return (await clusterRecords(engine)).map((c) => c.name);
}
