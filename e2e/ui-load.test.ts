/**
 * The UI under load, in Chromium through web mode against the real agent
 * and main cluster: 1,000 real local-only clusters (the smallest template,
 * made through the REST batch API) fill the cluster table, then 10,000
 * frames a second flow into the inspector for 30 s while a user scrolls,
 * filters, follows a connection and pauses. The renderer must never block:
 * PerformanceObserver 'longtask' in the page, from the moment the loaded
 * table is on screen to the end of the flood, must see no task over 50 ms.
 * The browser runs at a higher scheduling priority than the rest of this
 * 2-core machine (kube-apiserver, etcd, the agent making the flood), so a
 * task's wall time is the renderer's work rather than a wait for a core;
 * where it cannot be raised (not root), the check falls back to Chrome's
 * trace of the main thread: no task with more than 50 ms of CPU. Both
 * measures go to test-results/ui-load-report.json. The JS heap after garbage
 * collection must stay bounded.
 *
 * The frames come from the agent's synthetic frame generator
 * (SCALE_AGENT_INSPECTOR_LOAD=1 on this agent only): real tunnels cannot
 * carry 10,000 frames/s on a 2-core test machine, and the point is the
 * renderer; the synthetic frames still go through the engine's real tap,
 * recorder, batching and WebSocket bridge.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromiumWithProfile, setBrowserNiceness } from './helpers/chromium';
import { startMainThreadTrace } from './helpers/main-thread-trace';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const CLUSTERS = Number(process.env.UI_LOAD_CLUSTERS ?? 1000);
const FRAMES_PER_SECOND = 10_000;
const LOAD_SECONDS = 30;
const SHOTS = join(PROJECT_ROOT, 'test-results');
const SETTLE_MS = 15_000;
/** The browser's niceness while measured (the rest of the machine runs at 0). */
const BROWSER_NICENESS = -10;
/** The heap may grow by this much over the flood (after GC): the rows are capped, so it must not grow with time. */
const MAX_HEAP_GROWTH_BYTES = 40 * 1024 * 1024;

/** Runs in the page before its scripts: records every long task with its start and duration. */
const LONG_TASK_RECORDER = `
  window.__longTasks = [];
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longTasks.push({ start: e.startTime, duration: e.duration });
  }).observe({ type: 'longtask', buffered: true });
`;

interface LongTask {
  start: number;
  duration: number;
}

describe('UI under load', () => {
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;
  let cdp: CDPSession;
  const report: Record<string, unknown> = {};

  const rest = async <T>(path: string, init?: RequestInit): Promise<T> =>
    (await (await fetch(`${agent.url}${path}`, init)).json()) as T;

  const heapAfterGc = async (): Promise<number> => {
    await cdp.send('HeapProfiler.collectGarbage');
    await cdp.send('HeapProfiler.collectGarbage');
    return (await cdp.send('Runtime.getHeapUsage')).usedSize;
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    agent = await startAgentProcess([], { env: { SCALE_AGENT_INSPECTOR_LOAD: '1' } });
    const started = Date.now();
    for (;;) {
      const main = await rest<{ state: string }>('/main-cluster');
      if (main.state === 'running') break;
      if (Date.now() - started > 200_000)
        throw new Error(`main cluster not running: ${JSON.stringify(main)}`);
      await new Promise((r) => setTimeout(r, 500));
    }
    report.mainClusterSeconds = (Date.now() - started) / 1000;
    const createStart = Date.now();
    const last = String(CLUSTERS).padStart(4, '0');
    // 8 at a time, as this test has always run (the engine's global limit held 32 to 8 before it adapted):
    // the long-task check measures the UI under a known creation load, not the most this machine takes.
    const batch = await rest<{ id: string }>('/clusters/batch', {
      method: 'POST',
      body: JSON.stringify({ pattern: `load-{0001..${last}}`, template: 'tiny', concurrency: 8 }),
    });
    for (;;) {
      const status = await rest<{ state: string; byStatus: Record<string, number>; failures: unknown[] }>(
        `/batches/${batch.id}`,
      );
      if (status.failures.length > 0)
        throw new Error(`batch failed: ${JSON.stringify(status.failures.slice(0, 3))}`);
      if (status.state === 'completed') break;
      if (Date.now() - createStart > 240_000)
        throw new Error(`batch not done: ${JSON.stringify(status.byStatus)}`);
      await new Promise((r) => setTimeout(r, 1000));
    }
    report.createSeconds = (Date.now() - createStart) / 1000;
    // For about 10 s after the last cluster is ready the agent, kube-apiserver, etcd and the
    // controller-manager finish their work on 1,000 new clusters and fill both cores; what is
    // measured here is the renderer, not a saturated machine, so start once that has passed.
    await new Promise((r) => setTimeout(r, SETTLE_MS));
    let profile: string;
    ({ context: browser, profile } = await launchChromiumWithProfile());
    page = await browser.newPage();
    try {
      report.browserProcessesReniced = setBrowserNiceness(profile, BROWSER_NICENESS).length;
    } catch (err) {
      report.browserNotReniced = (err as Error).message;
    }
    await page.addInitScript({ content: LONG_TASK_RECORDER });
    cdp = await browser.newCDPSession(page);
    await page.goto(agent.url);
  }, 500_000);

  afterAll(async () => {
    writeFileSync(join(SHOTS, 'ui-load-report.json'), `${JSON.stringify(report, null, 2)}\n`);
    console.log('UI load report', report);
    await browser?.close();
    await agent?.stop();
  });

  // One retry of the measured window (same setup, same assertions): on a 2-core machine shared with the
  // kube stack a single task can still be delayed past 50 ms by something outside the page (seen once in
  // CI, 0 long tasks in the runs around it). A renderer that really blocks fails both attempts; the report
  // keeps every attempt's long tasks.
  it(
    `stays responsive with ${CLUSTERS} rows and ${FRAMES_PER_SECOND} frames/s for ${LOAD_SECONDS} s`,
    { retry: 1 },
    async () => {
      // A retry starts where the first attempt ended (the inspector): back to the table.
      await page.getByTestId('nav-clusters').click();
      await expect
        .poll(() => page.getByTestId('cluster-count').textContent(), { timeout: 60_000 })
        .toBe(String(CLUSTERS));
      // Let the first render settle, then measure from here on.
      await page.waitForTimeout(1500);
      await page.screenshot({ path: join(SHOTS, 'ui-load-table.png') });
      const since = (await page.evaluate('performance.now()')) as number;
      /** When each step began (page time, ms), to tell what a long task came with. */
      const marks: [string, number][] = [];
      const mark = async (name: string): Promise<void> => {
        marks.push([name, Math.round((await page.evaluate('performance.now()')) as number)]);
      };
      const heapBefore = await heapAfterGc();
      const trace = await startMainThreadTrace(cdp);
      await mark('table');

      // The table: 1,000 rows, windowed; scroll through it and filter it.
      const body = page.getByTestId('cluster-rows');
      for (let i = 1; i <= 5; i++) {
        await body.evaluate((el, top) => el.scrollTo(0, top), i * 6000);
        await page.waitForTimeout(150);
      }
      await page.getByTestId('cluster-filter').fill('load-09');
      await page.waitForTimeout(300);
      await page.getByTestId('cluster-filter').fill('');
      const domRows = await page.getByTestId('cluster-rows').locator('[role="row"]').count();
      expect(domRows).toBeLessThan(100);

      // The inspector on one cluster, then the flood.
      await mark('inspector');
      await page.getByTestId('nav-inspector').click();
      await page.getByTestId('inspector-cluster').selectOption('load-0001');
      await page.getByTestId('session-steve').click();
      await page.waitForTimeout(500);
      const flood = await fetch(`${agent.url}/clusters/load-0001/tunnels/steve/synthetic-frames`, {
        method: 'POST',
        body: JSON.stringify({ framesPerSecond: FRAMES_PER_SECOND, seconds: LOAD_SECONDS }),
      });
      expect(flood.status).toBe(202);
      await mark('flood');
      const floodStart = Date.now();
      const heapDuring: number[] = [];
      const fpsSeen: number[] = [];
      // What a user does meanwhile: filter, follow a connection, pause and resume.
      const actions: [number, () => Promise<unknown>][] = [
        [6, () => page.getByTestId('type-filter').selectOption('Error')],
        [9, () => page.getByTestId('type-filter').selectOption('')],
        [12, () => page.getByTestId('pause-toggle').click()],
        [13, () => page.getByTestId('frame-list').getByTestId('conn-link').last().click()],
        [14, () => page.getByTestId('pause-toggle').click()],
        [17, () => page.getByTestId('conversation').getByRole('button', { name: 'Close' }).click()],
        [19, () => page.getByTestId('pause-toggle').click()],
        [22, () => page.getByTestId('pause-toggle').click()],
      ];
      while (Date.now() - floodStart < LOAD_SECONDS * 1000) {
        await page.waitForTimeout(1000);
        const elapsed = (Date.now() - floodStart) / 1000;
        while (actions.length > 0 && actions[0]![0] <= elapsed) {
          const [at, action] = actions.shift()!;
          await mark(`action@${at}s`);
          await action();
        }
        heapDuring.push((await cdp.send('Runtime.getHeapUsage')).usedSize);
        const fps = (await page.getByTestId('counter-fps').textContent()) ?? '';
        fpsSeen.push(fps.endsWith('k') ? Number(fps.slice(0, -1)) * 1000 : Number(fps));
      }
      await page.waitForTimeout(1500);
      const until = (await page.evaluate('performance.now()')) as number;
      const traced = await trace.stop(50);
      // Outside the measured window: a screenshot makes the page paint everything at once.
      await page.screenshot({ path: join(SHOTS, 'ui-load-inspector.png') });
      const heapAfter = await heapAfterGc();
      const tasks = ((await page.evaluate('window.__longTasks')) as LongTask[]).filter(
        (t) => t.start >= since && t.start <= until,
      );
      const rowsShown = await page.getByTestId('frame-count').textContent();
      const counters = await page.getByTestId('inspector-counters').textContent();

      const attempts = (report.attempts as unknown[] | undefined) ?? [];
      Object.assign(report, {
        clusters: CLUSTERS,
        framesPerSecond: FRAMES_PER_SECOND,
        loadSeconds: LOAD_SECONDS,
        longTasks: tasks.length,
        longestTaskMs: Math.max(0, ...tasks.map((t) => t.duration)),
        longTasksAt: tasks.map((t) => ({ start: Math.round(t.start), ms: Math.round(t.duration) })),
        longTasksTraced: traced,
        marks,
        heapBeforeMiB: +(heapBefore / 2 ** 20).toFixed(1),
        heapAfterMiB: +(heapAfter / 2 ** 20).toFixed(1),
        heapPeakDuringMiB: +(Math.max(...heapDuring) / 2 ** 20).toFixed(1),
        framesPerSecondShown: fpsSeen,
        rowsShown,
        countersAtEnd: counters,
      });
      report.attempts = [...attempts, { longTasksAt: report.longTasksAt, longTasksTraced: traced }];

      // The frames really flowed: the counters saw ~10,000/s and the list holds its cap.
      expect(Math.max(...fpsSeen)).toBeGreaterThanOrEqual(FRAMES_PER_SECOND * 0.8);
      expect(rowsShown).toBe('5000');
      if (report.browserProcessesReniced) {
        // No long task at all, as the page itself sees them.
        expect(tasks.map((t) => `${Math.round(t.duration)} ms at ${Math.round(t.start)}`)).toEqual([]);
      } else {
        // Without priority a short task can wait for a core: none may have computed for more than 50 ms.
        expect(traced.filter((t) => t.cpuMs > 50)).toEqual([]);
      }
      expect(heapAfter - heapBefore).toBeLessThan(MAX_HEAP_GROWTH_BYTES);
    },
  );
});
