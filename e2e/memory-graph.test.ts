/**
 * The Memory screen and the app shell in a real browser through web mode,
 * against the real agent, a real main cluster and the Rancher stand-in: the
 * memory graph moves (its latest-sample label changes and its canvas pixels
 * change), the time range changes what the graph spans, the status bar shows
 * the real cluster and tunnel counts after a cluster is created, the
 * Memory screen shows that cluster's tunnel sessions and a per-cluster
 * memory estimate, the theme follows the system, and the keyboard shortcuts
 * work.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../test/helpers/rancher-standin';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const SHOTS = join(PROJECT_ROOT, 'test-results');

/**
 * Runs in the page (a string: this file is type-checked without the DOM):
 * the first canvas column holding a solid pixel of the RSS line's colour
 * (--chart-1 of the current theme), as a fraction of the canvas width; -1
 * when there is none. The canvas is transparent where nothing is drawn.
 */
const RSS_LINE_START = `(() => {
  const canvas = document.querySelector('[data-testid="chart-memory"] canvas');
  if (!canvas) return -1;
  const probe = document.createElement('span');
  probe.style.color = 'var(--chart-1)';
  document.body.append(probe);
  const [r, g, b] = (getComputedStyle(probe).color.match(/\\d+/g) ?? []).map(Number);
  probe.remove();
  const { data, width, height } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
  for (let x = 0; x < width; x++) {
    for (let y = 0; y < height; y++) {
      const i = (y * width + x) * 4;
      const close = Math.abs(data[i] - r) + Math.abs(data[i + 1] - g) + Math.abs(data[i + 2] - b) < 30;
      if (close && data[i + 3] > 200) return x / width;
    }
  }
  return -1;
})()`;
const THEME = 'document.documentElement.dataset.theme';
const BODY_BACKGROUND = 'getComputedStyle(document.body).backgroundColor';
const FOCUSED_TEST_ID = "document.activeElement?.getAttribute('data-testid')";

describe('memory graphs and app shell', () => {
  let standin: StandIn;
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  const text = async (testId: string): Promise<string> =>
    (await page.getByTestId(testId).first().textContent()) ?? '';

  /** The memory chart's canvas as PNG bytes: equal bytes mean equal pixels. */
  const chartPixels = async (): Promise<Buffer> =>
    page.getByTestId('chart-memory').locator('canvas').screenshot();

  /**
   * Where the RSS line begins, as a fraction of the canvas width: found by
   * reading the canvas pixels for the line's colour (--chart-1).
   */
  const rssLineStart = async (): Promise<number> => page.evaluate<number>(RSS_LINE_START);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    standin = await startStandIn();
    agent = await startAgentProcess([], {
      env: { RANCHER_URL: standin.url, RANCHER_TOKEN: STANDIN_TOKEN, RANCHER_CA_CERT: standin.caPath },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.goto(agent.url);
    await page
      .getByTestId('status-main-cluster')
      .filter({ hasText: 'running' })
      .waitFor({ timeout: 200_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await standin?.stop();
  });

  it('shows the status bar with the main cluster, the Rancher host and no clusters yet', async () => {
    expect(await text('status-rancher-host')).toBe(new URL(standin.url).host);
    expect(await text('status-rancher-tunnels')).toBe('0/0 tunnels up');
    expect(await text('status-clusters')).toBe('0/0');
    await expect.poll(() => text('status-memory'), { timeout: 5000 }).toMatch(/^\d+(\.\d)? MiB$/);
  });

  it('opens the Memory screen with Alt+3 and the memory graph moves', async () => {
    await page.keyboard.press('Alt+3');
    await page.getByTestId('memory-screen').waitFor();
    for (const id of ['memory', 'event-loop', 'tunnels', 'traffic'])
      await page.getByTestId(`chart-${id}`).locator('canvas').waitFor();
    await expect.poll(() => text('latest-sample-time'), { timeout: 5000 }).toMatch(/^\d\d:\d\d:\d\d$/);
    expect(await text('figure-rss')).toMatch(/MiB$/);
    expect(await text('chart-memory-legend')).toMatch(/RSS\s*\d+(\.\d)? MiB/);

    const firstTime = await text('latest-sample-time');
    const firstPixels = await chartPixels();
    await page.screenshot({ path: join(SHOTS, 'memory-graph.png') });
    // A new sample each second: the label moves on, and the graph is redrawn sliding left.
    await expect.poll(() => text('latest-sample-time'), { timeout: 5000 }).not.toBe(firstTime);
    await expect
      .poll(async () => (await chartPixels()).equals(firstPixels), { timeout: 5000, interval: 500 })
      .toBe(false);
    expect(Number(await text('sample-count'))).toBeGreaterThanOrEqual(2);
    await page.screenshot({ path: join(SHOTS, 'memory-graph-moving.png') });
  });

  it('switches the time range: the same samples span a smaller part of a longer window', async () => {
    // Enough history for the line's length to tell the windows apart (20 s is 7% of 5 min, 0.6% of 1 h).
    await expect
      .poll(async () => Number(await text('sample-count')), { timeout: 30_000, interval: 1000 })
      .toBeGreaterThanOrEqual(20);
    expect(await page.getByTestId('range-300').getAttribute('aria-pressed')).toBe('true');
    const start5m = await rssLineStart();
    expect(start5m).toBeGreaterThan(0);
    await page.getByTestId('range-3600').click();
    expect(await page.getByTestId('range-3600').getAttribute('aria-pressed')).toBe('true');
    expect(await page.getByTestId('memory-screen').getAttribute('data-range')).toBe('3600');
    // The agent has run for minutes, not an hour: in the 1 h window its line starts further right.
    await expect.poll(() => rssLineStart(), { timeout: 3000 }).toBeGreaterThan(start5m + 0.04);
    await page.screenshot({ path: join(SHOTS, 'memory-graph-1h.png') });
    await page.getByTestId('range-900').click();
    const start15m = await rssLineStart();
    expect(start15m).toBeGreaterThan(start5m);
    await page.getByTestId('range-300').click();
  });

  it('shows the real counts after a cluster is created: status bar, sessions and a per-cluster estimate', async () => {
    const created = await fetch(`${agent.url}/clusters`, {
      method: 'POST',
      body: JSON.stringify({ name: 'mem-1', template: 'tiny' }),
    });
    expect(created.status).toBe(201);
    await expect.poll(() => text('status-clusters'), { timeout: 10_000 }).toMatch(/^0\/1$|^1\/1$/);
    await page.getByTestId('status-clusters').filter({ hasText: '1/1' }).waitFor({ timeout: 120_000 });
    await page
      .getByTestId('status-rancher-tunnels')
      .filter({ hasText: '1/1 tunnels up' })
      .waitFor({ timeout: 60_000 });
    // Main and Steve sessions, from the engine's own sampling.
    await page.getByTestId('figure-clusters').filter({ hasText: '1 / 1' }).waitFor({ timeout: 10_000 });
    await expect.poll(() => text('figure-sessions'), { timeout: 30_000 }).toMatch(/^2 \/ \d+$/);
    // The stand-in pings and lists over the tunnels: frames flow.
    await expect
      .poll(async () => Number.parseFloat(await text('figure-frames')), { timeout: 30_000 })
      .toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'memory-graph-cluster.png') });
  });

  it('estimates the memory one cluster costs once there are ten', async () => {
    const batch = await fetch(`${agent.url}/clusters/batch`, {
      method: 'POST',
      body: JSON.stringify({ pattern: 'mem-{2..10}', template: 'tiny', concurrency: 4 }),
    });
    expect(batch.status).toBe(202);
    await page.getByTestId('status-clusters').filter({ hasText: '10/10' }).waitFor({ timeout: 180_000 });
    await page
      .getByTestId('status-rancher-tunnels')
      .filter({ hasText: '10/10 tunnels up' })
      .waitFor({ timeout: 60_000 });
    await expect.poll(() => text('figure-sessions'), { timeout: 30_000 }).toMatch(/^20 \/ \d+$/);
    // The figure is (RSS now - RSS before any cluster) / 10: a size, not a placeholder.
    await expect
      .poll(() => text('per-cluster-method'), { timeout: 20_000 })
      .toMatch(/RSS with no clusters.*baseline \d+(\.\d)? MiB, 10 clusters/);
    const estimate = /^(\d+(?:\.\d)?) (KiB|MiB) \/ cluster$/.exec(await text('per-cluster-estimate'));
    expect(estimate).not.toBeNull();
    const bytes = Number(estimate![1]) * (estimate![2] === 'MiB' ? 1024 * 1024 : 1024);
    const rss = Number.parseFloat(await text('figure-rss')) * 1024 * 1024;
    expect(bytes).toBeGreaterThan(0);
    expect(bytes * 10).toBeLessThan(rss);
    await page.screenshot({ path: join(SHOTS, 'memory-graph-ten-clusters.png') });
  });

  it('follows the system theme, and the chart is redrawn in it', async () => {
    const darkPixels = await chartPixels();
    await page.emulateMedia({ colorScheme: 'light' });
    await expect.poll(() => page.evaluate<string>(THEME)).toBe('light');
    expect(await page.evaluate<string>(BODY_BACKGROUND)).toBe('rgb(246, 248, 250)');
    expect(await text('theme-toggle')).toBe('Theme: system');
    expect((await chartPixels()).equals(darkPixels)).toBe(false);
    // The RSS line is drawn in the light palette's colour, so the chart was re-made in the new theme.
    expect(await rssLineStart()).toBeGreaterThan(0);
    await page.screenshot({ path: join(SHOTS, 'memory-graph-light.png') });
    await page.emulateMedia({ colorScheme: 'dark' });
    await expect.poll(() => page.evaluate<string>(THEME)).toBe('dark');
    expect(await page.evaluate<string>(BODY_BACKGROUND)).toBe('rgb(17, 21, 28)');
  });

  it('saves a CPU profile and a heap snapshot of the engine, with progress while they are taken', async () => {
    const cpuDownload = page.waitForEvent('download', { timeout: 60_000 });
    await page.getByTestId('cpu-profile').click();
    await expect.poll(() => text('profile-progress')).toMatch(/Profiling the engine: \d+ s left/);
    expect(await page.getByTestId('heap-snapshot').isDisabled()).toBe(true);
    const cpu = await cpuDownload;
    expect(cpu.suggestedFilename()).toMatch(/^scale-cluster-agent-.*\.cpuprofile$/);
    const profile = JSON.parse(readFileSync((await cpu.path())!, 'utf8')) as {
      nodes: unknown[];
      samples: unknown[];
    };
    expect(profile.nodes.length).toBeGreaterThan(1);
    expect(profile.samples.length).toBeGreaterThan(0);
    await expect.poll(() => text('profile-result')).toMatch(/^Saved scale-cluster-agent-.*\.cpuprofile/);

    const heapDownload = page.waitForEvent('download', { timeout: 120_000 });
    await page.getByTestId('heap-snapshot').click();
    const heap = await heapDownload;
    expect(heap.suggestedFilename()).toMatch(/\.heapsnapshot$/);
    const snapshot = JSON.parse(readFileSync((await heap.path())!, 'utf8')) as {
      snapshot: { node_count: number; meta: { node_fields: string[] } };
      nodes: number[];
    };
    expect(snapshot.nodes.length).toBe(
      snapshot.snapshot.node_count * snapshot.snapshot.meta.node_fields.length,
    );
  });

  it('lists the shortcuts on ?, focuses the filter on / and opens a new batch on n', async () => {
    await page.keyboard.press('?');
    const help = page.getByTestId('shortcut-help');
    await help.waitFor();
    expect(await help.textContent()).toMatch(/Alt\+3Memory/);
    await page.screenshot({ path: join(SHOTS, 'shortcut-help.png') });
    await page.keyboard.press('Escape');
    await help.waitFor({ state: 'detached' });

    await page.keyboard.press('Alt+1');
    await page.getByTestId('screen-clusters').waitFor();
    await page.screenshot({ path: join(SHOTS, 'app-shell-clusters.png') });
    await page.keyboard.press('/');
    expect(await page.evaluate<string>(FOCUSED_TEST_ID)).toBe('cluster-filter');
    // Typing in the filter must not trigger shortcuts.
    await page.keyboard.type('n');
    expect(await page.getByRole('dialog').count()).toBe(0);
    expect(await page.getByTestId('cluster-filter').inputValue()).toBe('n');
    await page.getByTestId('cluster-filter').fill('');
    await page.getByTestId('cluster-filter').blur();
    await page.keyboard.press('n');
    await page.getByRole('dialog').getByTestId('pattern-input').waitFor();
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
  });
});
