/**
 * Reads a V8 `.cpuprofile` (the Profiler domain's Profile object) into the
 * two views that say where idle CPU goes: self time by where the code lives
 * (our engine's folders, a dependency, a Node.js internal module, V8's own
 * garbage collector), and time by the nearest engine function on the stack,
 * so a TLS write counts against the engine code that asked for it.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface ProfileSummary {
  /** Wall time the profile covers, in ms. */
  spanMs: number;
  /** CPU time sampled (everything but idle), in ms. */
  busyMs: number;
  /** Self time (ms) by place: "engine/<folder>", "npm:<package>", "node:<module>", "(garbage collector)", ... */
  byPlace: [string, number][];
  /** Time (ms) by the nearest engine function on the stack, "engine/<path>:<function>". */
  byEngineCaller: [string, number][];
}

const ENGINE_SRC = '/src/main/engine/';

/** Where a frame's code lives, coarse enough to add up. */
function place(frame: ProfileNode['callFrame']): string {
  const { url, functionName } = frame;
  if (!url) return functionName.startsWith('(') ? functionName : '(native)';
  const engine = url.indexOf(ENGINE_SRC);
  if (engine >= 0) return `engine/${url.slice(engine + ENGINE_SRC.length).split('/')[0]}`;
  const nm = url.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const parts = url.slice(nm + '/node_modules/'.length).split('/');
    return `npm:${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  if (url.startsWith('node:')) {
    const mod = url.slice('node:'.length).replace(/^internal\//, '');
    return `node:${mod.split('/')[0]?.replace(/\.js$/, '')}`;
  }
  return url.includes('/src/') ? `src/${url.slice(url.indexOf('/src/') + 5).split('/')[0]}` : 'other';
}

function engineFunction(frame: ProfileNode['callFrame']): string | undefined {
  const at = frame.url.indexOf(ENGINE_SRC);
  if (at < 0) return undefined;
  return `engine/${frame.url.slice(at + ENGINE_SRC.length)}:${frame.functionName || '(anonymous)'}`;
}

function sortedMs(totals: Map<string, number>): [string, number][] {
  return [...totals.entries()]
    .map(([k, us]) => [k, us / 1000] as [string, number])
    .sort((a, b) => b[1] - a[1]);
}

export function summarizeCpuProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const nearestEngine = new Map<number, string>();
  const engineCallerOf = (id: number): string => {
    const known = nearestEngine.get(id);
    if (known) return known;
    const node = byId.get(id);
    const own = node && engineFunction(node.callFrame);
    const up = parent.get(id);
    const found = own ?? (up === undefined ? '(no engine frame)' : engineCallerOf(up));
    nearestEngine.set(id, found);
    return found;
  };
  const byPlace = new Map<string, number>();
  const byCaller = new Map<string, number>();
  let busy = 0;
  profile.samples.forEach((id, i) => {
    const us = profile.timeDeltas[i + 1] ?? 0; // a sample's time is the gap to the next one
    const node = byId.get(id);
    if (!node || node.callFrame.functionName === '(idle)') return;
    busy += us;
    const p = place(node.callFrame);
    byPlace.set(p, (byPlace.get(p) ?? 0) + us);
    if (p === '(garbage collector)' || p === '(program)') return;
    const caller = engineCallerOf(id);
    byCaller.set(caller, (byCaller.get(caller) ?? 0) + us);
  });
  return {
    spanMs: (profile.endTime - profile.startTime) / 1000,
    busyMs: busy / 1000,
    byPlace: sortedMs(byPlace),
    byEngineCaller: sortedMs(byCaller),
  };
}

/** Rows of a markdown table: the first `top` entries of one view, each as a share of the busy time. */
export function shareRows(summary: ProfileSummary, list: [string, number][], top = 14): string {
  return list
    .slice(0, top)
    .map(([k, ms]) => `| \`${k}\` | ${((ms / summary.busyMs) * 100).toFixed(1)}% |`)
    .join('\n');
}
