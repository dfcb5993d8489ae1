/**
 * The Logs screen's lines: the engine's recent history for the current
 * filter (`logs.tail`), then live `logs.appended` batches filtered the same
 * way (the shared matcher), capped so a chatty engine cannot grow the page.
 * While paused, new lines wait aside (capped too) and join on resume.
 */
import { create } from 'zustand';
import {
  logMatcher,
  MAX_LOGS_TAIL,
  type LogFilter,
  type LogLine,
  type LogsAppended,
} from '../../../../shared/logs';
import { storeEngine } from '../../engine/store-engine';

/** The engine, given by the EngineProvider's init (app/start-stores.ts). */
const engine = storeEngine('logs store');
export const bindLogsStore = engine.bind;

/** Most lines the screen keeps (the engine keeps as many). */
export const LOGS_VIEW_CAP = MAX_LOGS_TAIL;

interface LogsState {
  lines: LogLine[];
  filter: LogFilter;
  paused: boolean;
  /** Lines that arrived while paused, shown on resume. */
  held: LogLine[];
  /** Lines the engine logged that this view never got (a burst larger than a batch, or the cap while paused). */
  missed: number;
  loading: boolean;
  error: string | undefined;
  setFilter(patch: Partial<LogFilter>): void;
  reload(): Promise<void>;
  append(batch: LogsAppended): void;
  pause(): void;
  resume(): void;
}

/** The newest seq the view has accounted for; live lines at or below it are already shown (or filtered out). */
let knownSeq = 0;
/** Bumped per reload, so an older answer that arrives late is ignored. */
let generation = 0;
let pendingWhileLoading: LogsAppended[] = [];

function capped(lines: LogLine[]): LogLine[] {
  return lines.length > LOGS_VIEW_CAP ? lines.slice(lines.length - LOGS_VIEW_CAP) : lines;
}

export const useLogsStore = create<LogsState>((set, get) => ({
  lines: [],
  filter: {},
  paused: false,
  held: [],
  missed: 0,
  loading: false,
  error: undefined,

  setFilter(patch) {
    set((s) => ({ filter: { ...s.filter, ...patch } }));
    void get().reload();
  },

  async reload() {
    const mine = ++generation;
    pendingWhileLoading = [];
    set({ loading: true });
    const { filter } = get();
    try {
      const answer = await engine.call('logs.tail', {
        ...(filter.level ? { level: filter.level } : {}),
        ...(filter.cluster?.trim() ? { cluster: filter.cluster.trim() } : {}),
        ...(filter.text?.trim() ? { text: filter.text.trim() } : {}),
        limit: LOGS_VIEW_CAP,
      });
      if (mine !== generation) return;
      knownSeq = answer.lastSeq;
      set({ lines: answer.lines, held: [], missed: 0, loading: false, error: undefined });
      // Batches that came while the history was on its way: keep only what is newer than it.
      const waiting = pendingWhileLoading;
      pendingWhileLoading = [];
      for (const batch of waiting) get().append(batch);
    } catch (err) {
      if (mine === generation) set({ loading: false, error: (err as Error).message });
    }
  },

  append(batch) {
    if (get().loading) {
      pendingWhileLoading.push(batch);
      return;
    }
    const fresh = batch.lines.filter((l) => l.seq > knownSeq);
    if (fresh.length === 0) return;
    knownSeq = fresh[fresh.length - 1]!.seq;
    const matches = logMatcher(get().filter);
    const shown = fresh.filter(matches);
    set((s) => {
      if (s.paused) {
        const held = [...s.held, ...shown];
        const over = Math.max(0, held.length - LOGS_VIEW_CAP);
        return { held: over ? held.slice(over) : held, missed: s.missed + batch.dropped + over };
      }
      return {
        lines: shown.length ? capped([...s.lines, ...shown]) : s.lines,
        missed: s.missed + batch.dropped,
      };
    });
  },

  pause() {
    set({ paused: true });
  },

  resume() {
    set((s) => ({ paused: false, lines: capped([...s.lines, ...s.held]), held: [] }));
  },
}));

/** Follows the engine while the Logs screen is open; returns the unsubscribe. */
export function followLogs(): () => void {
  const offAppended = engine.on('logs.appended', (batch) => useLogsStore.getState().append(batch));
  const offConnection = engine.onConnection?.((connected) => {
    if (connected) void useLogsStore.getState().reload();
  });
  void useLogsStore.getState().reload();
  return () => {
    offAppended();
    offConnection?.();
  };
}
