/**
 * The fleet spec file: which clusters to keep, from which template, named
 * how, imported into Rancher or not.
 *
 *   concurrency: 8                    # clusters made at once (optional; "auto", the default, adapts)
 *   clusters:
 *     - pattern: "fleet-{001..300}"   # or prefix/count/start/padding, or name
 *       template: tiny                # a preset name or a template object
 *       importToRancher: true         # default true
 *
 * Parsing checks all of it (names, templates, duplicates, sizes) before the
 * reconciler acts: a bad spec is one error naming the entry and field, and
 * changes nothing.
 */
import { createHash } from 'node:crypto';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type { TemplateSpec } from '../../../shared/cluster';
import {
  BATCH_NAME_FIELDS,
  clusterNameProblem,
  concurrencyProblem,
  type BatchConcurrency,
  MAX_BATCH_SIZE,
} from '../../../shared/cluster-names';
import { expandBatchNames } from '../clusters/batch-names';
import { resolveTemplateSpec } from '../clusters/resolve-template-spec';

/** The most clusters one spec may name, over all shards. */
export const MAX_FLEET_CLUSTERS = 20_000;

export interface FleetCluster {
  name: string;
  template: TemplateSpec;
  /** The template's label (a preset name, or the template's own name). */
  templateLabel: string;
  importToRancher: boolean;
}

export interface FleetSpec {
  concurrency?: BatchConcurrency;
  clusters: FleetCluster[];
  /** Hash of the file's text and the default template it was read with: an unchanged spec is not read anew. */
  hash: string;
}

export class FleetSpecError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FleetSpecError';
  }
}

const TOP_FIELDS = new Set(['concurrency', 'clusters']);
const ENTRY_FIELDS = new Set(['name', ...BATCH_NAME_FIELDS, 'template', 'importToRancher']);

export function parseFleetSpec(text: string, defaultTemplate: string): FleetSpec {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new FleetSpecError(`not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) doc = {};
  if (typeof doc !== 'object' || Array.isArray(doc))
    throw new FleetSpecError('must be a mapping with a "clusters" list');
  const top = doc as Record<string, unknown>;
  for (const key of Object.keys(top))
    if (!TOP_FIELDS.has(key))
      throw new FleetSpecError(`unknown field "${key}" (known: concurrency, clusters)`);
  let concurrency: BatchConcurrency | undefined;
  if (top.concurrency !== undefined) {
    const problem = concurrencyProblem(top.concurrency);
    if (problem) throw new FleetSpecError(`concurrency: ${problem}`);
    concurrency = top.concurrency as BatchConcurrency;
  }
  const entries = top.clusters ?? [];
  if (!Array.isArray(entries)) throw new FleetSpecError('"clusters" must be a list');

  const clusters: FleetCluster[] = [];
  const seen = new Map<string, number>();
  entries.forEach((raw: unknown, i) => {
    const at = `clusters[${i}]`;
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
      throw new FleetSpecError(
        `${at}: must be a mapping such as {pattern: "fleet-{001..100}", template: tiny}`,
      );
    const entry = raw as Record<string, unknown>;
    for (const key of Object.keys(entry))
      if (!ENTRY_FIELDS.has(key))
        throw new FleetSpecError(`${at}: unknown field "${key}" (known: ${[...ENTRY_FIELDS].join(', ')})`);
    const names = entryNames(entry, at);
    const template = (entry.template ?? defaultTemplate) as TemplateSpec;
    let templateLabel: string;
    try {
      templateLabel = resolveTemplateSpec(template).label;
    } catch (err) {
      throw new FleetSpecError(`${at}: ${(err as Error).message}`);
    }
    if (entry.importToRancher !== undefined && typeof entry.importToRancher !== 'boolean')
      throw new FleetSpecError(`${at}: importToRancher must be true or false`);
    const importToRancher = entry.importToRancher !== false;
    for (const name of names) {
      const earlier = seen.get(name);
      if (earlier !== undefined)
        throw new FleetSpecError(`${at}: cluster "${name}" is already named by clusters[${earlier}]`);
      seen.set(name, i);
      clusters.push({ name, template, templateLabel, importToRancher });
    }
    if (clusters.length > MAX_FLEET_CLUSTERS)
      throw new FleetSpecError(`names more than ${MAX_FLEET_CLUSTERS} clusters (at ${at})`);
  });
  const hash = createHash('sha256').update(`${defaultTemplate}\n${text}`).digest('hex').slice(0, 16);
  return { concurrency, clusters, hash };
}

function entryNames(entry: Record<string, unknown>, at: string): string[] {
  const ways = ['name', 'pattern', 'prefix'].filter((k) => entry[k] !== undefined);
  if (ways.length !== 1)
    throw new FleetSpecError(
      `${at}: give exactly one of name, pattern or prefix (with count), got ${ways.length || 'none'}`,
    );
  if (entry.name !== undefined) {
    for (const k of ['count', 'start', 'padding'])
      if (entry[k] !== undefined) throw new FleetSpecError(`${at}: "${k}" goes with prefix, not name`);
    const problem = clusterNameProblem(entry.name);
    if (problem) throw new FleetSpecError(`${at}: name: ${problem}`);
    return [entry.name as string];
  }
  try {
    const names = expandBatchNames({
      pattern: entry.pattern as string | undefined,
      prefix: entry.prefix as string | undefined,
      count: entry.count as number | undefined,
      start: entry.start as number | undefined,
      padding: entry.padding as number | undefined,
    });
    if (names.length > MAX_BATCH_SIZE)
      throw new FleetSpecError(`${at}: at most ${MAX_BATCH_SIZE} clusters per entry; split it`);
    return names;
  } catch (err) {
    if (err instanceof FleetSpecError) throw err;
    throw new FleetSpecError(`${at}: ${(err as Error).message}`);
  }
}
