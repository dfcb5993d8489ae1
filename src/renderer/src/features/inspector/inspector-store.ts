/**
 * The tunnel inspector's state. The engine records a cluster while someone
 * watches it; this store holds the watch (renewing its lease), keeps the
 * newest rows of both sessions, and applies the engine's batches at most
 * once per animation frame: batches are queued outside React and merged in a
 * requestAnimationFrame, so a flood of frames is a few cheap renders a second
 * and never a freeze. Rows are capped; older frames stay in the engine's
 * history (the conversation view and the export read from there).
 */
import { create } from 'zustand';
import {
  TUNNEL_SESSIONS,
  type ConnectionSummary,
  type InspectorBatch,
  type InspectorFrame,
  type SessionCounters,
  type TunnelSessionKind,
} from '../../../../shared/inspector';
import { appendCapped } from './frame-rows';
import { storeEngine } from '../../engine/store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('inspector store');
export const bindInspectorStore = engine.bind;

/** Rows kept per session in the renderer. */
export const MAX_ROWS = 5000;
/** Frames asked for when a cluster is opened (the engine keeps up to 20,000). */
const BACKLOG = 2000;
/** Frames of one connection shown when it is followed. */
const CONVERSATION_LIMIT = 2000;

type PerSession<T> = Record<TunnelSessionKind, T>;

export interface Conversation {
  connId: string;
  session: TunnelSessionKind;
  frames: InspectorFrame[];
  summary: ConnectionSummary | undefined;
  loading: boolean;
  error: string | undefined;
}

interface InspectorState {
  cluster: string | undefined;
  session: TunnelSessionKind;
  rows: PerSession<InspectorFrame[]>;
  counters: PerSession<SessionCounters | undefined>;
  /** The list is frozen; new frames wait in `held`. */
  paused: boolean;
  held: PerSession<InspectorFrame[]>;
  /** Frames the engine recorded but did not send live (too many at once); they are in its history. */
  skipped: number;
  /** The engine has confirmed the watch. */
  watching: boolean;
  error: string | undefined;
  conversation: Conversation | undefined;
}

const emptyRows = (): PerSession<InspectorFrame[]> => ({ main: [], steve: [] });

export const useInspectorStore = create<InspectorState>(() => ({
  cluster: undefined,
  session: 'main',
  rows: emptyRows(),
  counters: { main: undefined, steve: undefined },
  paused: false,
  held: emptyRows(),
  skipped: 0,
  watching: false,
  error: undefined,
  conversation: undefined,
}));

// ---- the watch: one cluster at a time, its lease renewed while the screen is open ----

let watcher: string | undefined;
let renewTimer: ReturnType<typeof setInterval> | undefined;
let listening = false;
let screenOpen = false;
/** Bumps on every change of cluster, so late answers for an old one are dropped. */
let generation = 0;

function setError(err: unknown): void {
  useInspectorStore.setState({ error: (err as Error).message });
}

/** Starts inspecting `cluster` (stops the previous one). */
export async function inspectCluster(cluster: string | undefined): Promise<void> {
  const previous = useInspectorStore.getState().cluster;
  if (previous === cluster && watcher) return;
  await stopWatching();
  const gen = ++generation;
  pending.main = [];
  pending.steve = [];
  useInspectorStore.setState({
    cluster,
    rows: emptyRows(),
    held: emptyRows(),
    counters: { main: undefined, steve: undefined },
    skipped: 0,
    watching: false,
    error: undefined,
    conversation: undefined,
  });
  if (cluster) await startWatching(cluster, gen);
}

async function startWatching(cluster: string, gen: number): Promise<void> {
  listen();
  try {
    const answer = await engine.call('inspector.watch', { cluster });
    if (gen !== generation) {
      void engine.call('inspector.unwatch', { cluster, watcher: answer.watcher }).catch(() => undefined);
      return;
    }
    watcher = answer.watcher;
    renewTimer = setInterval(
      () => {
        if (!watcher) return;
        engine.call('inspector.watch', { cluster, watcher }).catch(setError);
      },
      Math.max(1000, answer.leaseMs / 3),
    );
    useInspectorStore.setState({ watching: true });
    const [sessions, ...backlogs] = await Promise.all([
      engine.call('inspector.sessions', { cluster }),
      ...TUNNEL_SESSIONS.map((session) =>
        engine.call('inspector.frames', { cluster, session, limit: BACKLOG }),
      ),
    ]);
    if (gen !== generation) return;
    useInspectorStore.setState((s) => {
      const rows = { ...s.rows };
      const counters = { ...s.counters };
      for (const backlog of backlogs) {
        // Live frames may have arrived first: the backlog goes before them.
        const live = rows[backlog.session];
        rows[backlog.session] = appendCapped(backlog.frames, live, MAX_ROWS);
      }
      for (const info of sessions) counters[info.session] ??= info.counters;
      return { rows, counters };
    });
  } catch (err) {
    if (gen === generation) setError(err);
  }
}

/** Leaves the cluster (the engine records a while longer, then forgets). Rows stay for a return. */
export async function stopWatching(): Promise<void> {
  if (renewTimer) clearInterval(renewTimer);
  renewTimer = undefined;
  const { cluster } = useInspectorStore.getState();
  const id = watcher;
  watcher = undefined;
  useInspectorStore.setState({ watching: false });
  if (cluster && id) await engine.call('inspector.unwatch', { cluster, watcher: id }).catch(() => undefined);
}

/** The inspector screen is shown: watch its cluster again (if one was picked). */
export function openInspectorScreen(): void {
  screenOpen = true;
  resumeWatching();
}

/** The screen is left: stop watching (the engine keeps recording a few minutes, then forgets). */
export function closeInspectorScreen(): void {
  screenOpen = false;
  generation++;
  void stopWatching();
}

function resumeWatching(): void {
  const { cluster } = useInspectorStore.getState();
  if (!screenOpen || !cluster || watcher) return;
  void startWatching(cluster, ++generation);
}

// ---- live batches, merged once per animation frame ----

const pending: PerSession<InspectorFrame[]> = emptyRows();
const pendingCounters: PerSession<SessionCounters | undefined> = { main: undefined, steve: undefined };
let pendingSkipped = 0;
let frameRequest = 0;

function listen(): void {
  if (listening) return;
  listening = true;
  engine.on('inspector.batch', onBatch);
  // After a lost connection the engine may have let the watch lapse: watch again.
  let lost = false;
  engine.onConnection?.((connected) => {
    if (!connected) {
      lost = true;
      return;
    }
    if (!lost) return;
    lost = false;
    watcher = undefined;
    if (renewTimer) clearInterval(renewTimer);
    renewTimer = undefined;
    resumeWatching();
  });
}

export function onBatch(batch: InspectorBatch): void {
  const { cluster } = useInspectorStore.getState();
  let any = false;
  for (const s of batch.sessions) {
    if (s.cluster !== cluster) continue;
    any = true;
    const queue = pending[s.session];
    for (const f of s.frames) queue.push(f);
    // A background tab gets no animation frames: never queue more than can be shown.
    if (queue.length > 2 * MAX_ROWS) pending[s.session] = queue.slice(-MAX_ROWS);
    pendingCounters[s.session] = s.counters;
    pendingSkipped += s.skipped;
  }
  if (any && frameRequest === 0) frameRequest = requestAnimationFrame(flush);
}

function flush(): void {
  frameRequest = 0;
  useInspectorStore.setState((s) => {
    const next: Partial<InspectorState> = {};
    const rows = { ...s.rows };
    const held = { ...s.held };
    const counters = { ...s.counters };
    for (const session of TUNNEL_SESSIONS) {
      const frames = pending[session];
      pending[session] = [];
      if (pendingCounters[session]) counters[session] = pendingCounters[session];
      pendingCounters[session] = undefined;
      if (frames.length === 0) continue;
      if (s.paused) held[session] = appendCapped(held[session], frames, MAX_ROWS);
      else rows[session] = appendCapped(rows[session], frames, MAX_ROWS);
    }
    next.rows = rows;
    next.held = held;
    next.counters = counters;
    if (pendingSkipped) next.skipped = s.skipped + pendingSkipped;
    pendingSkipped = 0;
    const conv = s.conversation;
    if (conv && !s.paused) {
      const more = rows[conv.session].filter((f) => f.connId === conv.connId);
      const frames = appendCapped(conv.frames, more, CONVERSATION_LIMIT);
      if (frames !== conv.frames) next.conversation = { ...conv, frames };
    }
    return next;
  });
}

// ---- user actions ----

export function selectSession(session: TunnelSessionKind): void {
  useInspectorStore.setState({ session, conversation: undefined });
}

export function setPaused(paused: boolean): void {
  useInspectorStore.setState((s) => {
    if (paused || s.paused === paused) return { paused };
    // Resuming: what arrived meanwhile joins the list.
    const rows = { ...s.rows };
    for (const session of TUNNEL_SESSIONS)
      rows[session] = appendCapped(rows[session], s.held[session], MAX_ROWS);
    return { paused, rows, held: emptyRows() };
  });
}

/** Shows one connection's whole conversation, from the engine's history. */
export async function followConnection(connId: string): Promise<void> {
  const { cluster, session } = useInspectorStore.getState();
  if (!cluster) return;
  const conversation: Conversation = {
    connId,
    session,
    frames: [],
    summary: undefined,
    loading: true,
    error: undefined,
  };
  useInspectorStore.setState({ conversation });
  try {
    const answer = await engine.call('inspector.frames', {
      cluster,
      session,
      connId,
      limit: CONVERSATION_LIMIT,
    });
    useInspectorStore.setState((s) => {
      if (s.conversation?.connId !== connId || s.conversation.session !== session) return {};
      // Frames that arrived live while asking are kept (appendCapped skips the ones the answer has).
      const frames = appendCapped(answer.frames, s.conversation.frames, CONVERSATION_LIMIT);
      return {
        conversation: { ...s.conversation, frames, summary: answer.connection, loading: false },
      };
    });
  } catch (err) {
    useInspectorStore.setState((s) =>
      s.conversation?.connId === connId
        ? { conversation: { ...s.conversation, loading: false, error: (err as Error).message } }
        : {},
    );
  }
}

export function closeConversation(): void {
  useInspectorStore.setState({ conversation: undefined });
}

/** The session's recorded frames (filtered like the list) as an NDJSON file download. */
export async function exportNdjson(filter: { type: string; connId: string }): Promise<number> {
  const { cluster, session } = useInspectorStore.getState();
  if (!cluster) return 0;
  const answer = await engine.call('inspector.export', {
    cluster,
    session,
    ...(filter.type ? { types: [filter.type] } : {}),
    ...(filter.connId ? { connId: filter.connId } : {}),
  });
  // A Blob URL downloads the same way in a browser and in Electron.
  const url = URL.createObjectURL(new Blob([answer.ndjson], { type: 'application/x-ndjson' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = answer.filename;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return answer.frames;
}

export async function reconnectSession(): Promise<void> {
  const { cluster, session } = useInspectorStore.getState();
  if (!cluster) return;
  try {
    await engine.call('inspector.reconnect', { cluster, session });
  } catch (err) {
    setError(err);
  }
}
