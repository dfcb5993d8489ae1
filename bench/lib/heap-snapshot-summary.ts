/**
 * Reads a V8 heap snapshot (.heapsnapshot, as node:v8 writeHeapSnapshot
 * writes it) and sums self sizes by node type and constructor name, so two
 * snapshots can be diffed: what grew, in bytes and objects, between them.
 */
import { readFileSync } from 'node:fs';

export interface HeapGroup {
  count: number;
  bytes: number;
}

/** "type:name" -> count and self size (strings are grouped as one "string" row). */
export function summarizeHeapSnapshot(path: string): Map<string, HeapGroup> {
  const snap = JSON.parse(readFileSync(path, 'utf8')) as {
    snapshot: { meta: { node_fields: string[]; node_types: [string[], ...unknown[]] } };
    nodes: number[];
    strings: string[];
  };
  const fields = snap.snapshot.meta.node_fields;
  const types = snap.snapshot.meta.node_types[0];
  const width = fields.length;
  const typeAt = fields.indexOf('type');
  const nameAt = fields.indexOf('name');
  const sizeAt = fields.indexOf('self_size');
  const groups = new Map<string, HeapGroup>();
  for (let i = 0; i < snap.nodes.length; i += width) {
    const type = types[snap.nodes[i + typeAt] ?? 0] ?? '?';
    let name = type;
    if (type === 'object' || type === 'closure' || type === 'native' || type === 'hidden') {
      name = `${type}:${(snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '').slice(0, 60)}`;
    } else if (type === 'array' || type === 'code' || type === 'object shape') {
      name = `${type}:${(snap.strings[snap.nodes[i + nameAt] ?? 0] ?? '').slice(0, 40)}`;
    }
    const g = groups.get(name) ?? { count: 0, bytes: 0 };
    g.count++;
    g.bytes += snap.nodes[i + sizeAt] ?? 0;
    groups.set(name, g);
  }
  return groups;
}

/** Rows that grew from `before` to `after`, biggest growth first. */
export function diffHeapSummaries(
  before: Map<string, HeapGroup>,
  after: Map<string, HeapGroup>,
  top = 40,
): { name: string; count: number; bytes: number }[] {
  const rows: { name: string; count: number; bytes: number }[] = [];
  for (const [name, a] of after) {
    const b = before.get(name) ?? { count: 0, bytes: 0 };
    rows.push({ name, count: a.count - b.count, bytes: a.bytes - b.bytes });
  }
  return rows.sort((x, y) => y.bytes - x.bytes).slice(0, top);
}
