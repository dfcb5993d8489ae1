/**
 * Chrome's own trace of the page's main thread (CDP Tracing), to tell a long
 * task the renderer caused from one it merely suffered: each task has a wall
 * duration (what PerformanceObserver 'longtask' reports) and the CPU time the
 * thread really spent in it. On a shared 2-core machine a 10 ms task can take
 * 80 ms of wall time while it waits for a core; its CPU time stays 10 ms.
 */
import type { CDPSession } from 'playwright-core';

interface TraceEvent {
  name: string;
  ph: string;
  pid: number;
  tid: number;
  ts: number;
  dur?: number;
  tdur?: number;
  args?: { name?: string };
}

export interface TracedTask {
  /** Wall time of the task (ms). */
  wallMs: number;
  /** CPU time the main thread spent in it (ms). */
  cpuMs: number;
}

const CATEGORIES = 'devtools.timeline,disabled-by-default-devtools.timeline';

export async function startMainThreadTrace(cdp: CDPSession): Promise<{
  /** Ends the trace; returns the main-thread tasks longer than `overMs` of wall time. */
  stop(overMs: number): Promise<TracedTask[]>;
}> {
  const events: TraceEvent[] = [];
  const onData = (e: { value: object[] }): void => {
    events.push(...(e.value as TraceEvent[]));
  };
  cdp.on('Tracing.dataCollected', onData);
  await cdp.send('Tracing.start', { categories: CATEGORIES, transferMode: 'ReportEvents' });
  return {
    async stop(overMs) {
      const complete = new Promise<void>((resolve) => cdp.once('Tracing.tracingComplete', () => resolve()));
      await cdp.send('Tracing.end');
      await complete;
      cdp.off('Tracing.dataCollected', onData);
      const mainThreads = new Set(
        events
          .filter((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
          .map((e) => `${e.pid}:${e.tid}`),
      );
      return events
        .filter(
          (e) =>
            e.ph === 'X' &&
            (e.name === 'RunTask' || e.name === 'ThreadControllerImpl::RunTask') &&
            mainThreads.has(`${e.pid}:${e.tid}`) &&
            (e.dur ?? 0) / 1000 > overMs,
        )
        .map((e) => ({ wallMs: Math.round((e.dur ?? 0) / 1000), cpuMs: Math.round((e.tdur ?? 0) / 1000) }));
    },
  };
}
