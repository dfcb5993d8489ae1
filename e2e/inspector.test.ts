/**
 * The live tunnel inspector in a real browser through web mode, against the
 * real agent, a real main cluster and the Rancher stand-in (Go, on Rancher's
 * real remotedialer server): a cluster imported into the stand-in is opened
 * in the inspector, its main tunnel shows the stand-in's health check (decrypted
 * by the virtual API) and its Steve tunnel the /ping conversations; one
 * connection is followed and the list filtered to it; pausing freezes the
 * list; the export downloads NDJSON; Reconnect shows a new session's health check.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../test/helpers/rancher-standin';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const NAME = 'insp-e2e';
const SHOTS = join(PROJECT_ROOT, 'test-results');
/** Rancher's health check of the cluster: a plain request the stand-in repeats (client-go 1.36 informers list by watching). */
const HEALTH_CHECK = 'GET /api/v1/namespaces/kube-system?timeout=45s → 200';

describe('tunnel inspector', () => {
  let standin: StandIn;
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  const rows = () => page.getByTestId('frame-list').getByTestId('frame-row');
  const shot = (name: string) => page.screenshot({ path: join(SHOTS, name) });

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    standin = await startStandIn(['--ping-interval', '1s', '--health-interval', '1s']);
    agent = await startAgentProcess([], {
      env: { RANCHER_URL: standin.url, RANCHER_TOKEN: STANDIN_TOKEN, RANCHER_CA_CERT: standin.caPath },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    // A tall window: more rows in the DOM, so a frame stays findable while newer ones arrive.
    await page.setViewportSize({ width: 1400, height: 1500 });
    await page.goto(agent.url);
    await page.getByTestId('main-cluster-state').filter({ hasText: 'Running' }).waitFor({ timeout: 200_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await standin?.stop();
  });

  it("opens a new cluster in the inspector and sees the stand-in's health check on the main tunnel", async () => {
    const res = await fetch(`${agent.url}/clusters`, {
      method: 'POST',
      body: JSON.stringify({ name: NAME, template: 'tiny' }),
    });
    expect(res.status).toBe(201);
    await page.getByTestId('nav-inspector').click();
    const picker = page.getByTestId('inspector-cluster');
    await picker.locator(`option[value="${NAME}"]`).waitFor({ state: 'attached', timeout: 10_000 });
    await picker.selectOption(NAME);
    await page.getByTestId('session-main').click();
    // Watched before its tunnels connect, so the very first frames are seen live.
    // The first Connect row's text is read in the same page call that finds it: the list keeps
    // only recent frames, so under load a row found in one round trip can be gone by the next.
    let firstConnect: string | null = null;
    await expect
      .poll(
        async () =>
          (firstConnect = await rows().evaluateAll(
            (els) => els.find((e) => e.getAttribute('data-type') === 'Connect')?.textContent ?? null,
          )),
        { timeout: 180_000, interval: 50 },
      )
      .not.toBeNull();
    expect(firstConnect).toContain(`tcp/api.${NAME}.scale-agent.local:443`);
    await rows().filter({ hasText: HEALTH_CHECK }).first().waitFor({ timeout: 60_000 });
    await expect.poll(() => page.getByTestId('counter-state').textContent()).toBe('connected');
    expect(Number(await page.getByTestId('counter-open').textContent())).toBeGreaterThanOrEqual(1);
    await shot('inspector-main.png');
  });

  it('shows the Steve /ping requests and answers', async () => {
    await page.getByTestId('session-steve').click();
    await rows().filter({ hasText: 'GET /ping HTTP/1.1' }).first().waitFor({ timeout: 30_000 });
    await rows().filter({ hasText: 'HTTP/1.1 200 OK' }).first().waitFor({ timeout: 30_000 });
    await rows().filter({ hasText: 'tcp/not-used:80' }).first().waitFor({ timeout: 30_000 });
    await shot('inspector-steve.png');
  });

  it("filters to one connID and follows that connection's whole conversation", async () => {
    await page.getByTestId('pause-toggle').click();
    const ping = rows().filter({ hasText: 'GET /ping HTTP/1.1' }).last();
    const connId = (await ping.getAttribute('data-conn')) ?? '';
    expect(connId).toMatch(/^\d+$/);
    await ping.getByTestId('conn-link').click();
    await page.getByTestId('pause-toggle').click();
    expect(await page.getByTestId('conn-filter').inputValue()).toBe(connId);
    const conversation = page.getByTestId('conversation');
    await conversation.waitFor();
    await expect.poll(() => page.getByTestId('conversation-address').textContent()).toBe('tcp/not-used:80');
    await expect
      .poll(() => page.getByTestId('conversation-close').textContent(), { timeout: 10_000 })
      .toBe('EOF');
    // Every row left in the list belongs to that connection, and the conversation is all there.
    const shown = await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-conn')));
    expect(shown.length).toBeGreaterThanOrEqual(4);
    expect(new Set(shown)).toEqual(new Set([connId]));
    const texts = await rows().allTextContents();
    expect(texts.some((t) => t.includes('Connect') && t.includes('tcp/not-used:80'))).toBe(true);
    expect(texts.some((t) => t.includes('GET /ping HTTP/1.1'))).toBe(true);
    expect(texts.some((t) => t.includes('HTTP/1.1 200 OK'))).toBe(true);
    expect(texts.some((t) => t.includes('Error') && t.includes('EOF'))).toBe(true);
    await shot('inspector-conversation.png');
    await conversation.getByRole('button', { name: 'Close' }).click();
    expect(await page.getByTestId('conn-filter').inputValue()).toBe('');
  });

  it('filters by type, and pausing freezes the list while frames keep coming', async () => {
    await page.getByTestId('type-filter').selectOption('Connect');
    await expect
      .poll(
        async () => new Set(await rows().evaluateAll((els) => els.map((e) => e.getAttribute('data-type')))),
      )
      .toEqual(new Set(['Connect']));
    await page.getByTestId('type-filter').selectOption('');
    await page.getByTestId('pause-toggle').click();
    const frozen = await page.getByTestId('frame-count').textContent();
    // Pings go on every second: they are held, not shown.
    await expect
      .poll(() => page.getByTestId('pause-toggle').textContent(), { timeout: 10_000 })
      .toMatch(/Resume \(\d+ new\)/);
    expect(await page.getByTestId('frame-count').textContent()).toBe(frozen);
    await page.getByTestId('pause-toggle').click();
    await expect.poll(() => page.getByTestId('frame-count').textContent()).not.toBe(frozen);
  });

  it('exports the session as NDJSON', async () => {
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByTestId('export-ndjson').click(),
    ]);
    expect(download.suggestedFilename()).toMatch(new RegExp(`^${NAME}-steve-frames-.*\\.ndjson$`));
    const path = join(SHOTS, 'inspector-export.ndjson');
    await download.saveAs(path);
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { cluster: string; session: string; summary: string });
    expect(lines.length).toBeGreaterThan(4);
    expect(lines.every((l) => l.cluster === NAME && l.session === 'steve')).toBe(true);
    expect(lines.some((l) => l.summary === 'GET /ping HTTP/1.1')).toBe(true);
  });

  it('reconnects the main session and shows the new session check the cluster again', async () => {
    await page.getByTestId('session-main').click();
    await page.getByTestId('type-filter').selectOption('Data');
    const seqs = await rows().evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))));
    const before = Math.max(0, ...seqs);
    await page.getByTestId('reconnect-session').click();
    await expect
      .poll(() => page.getByTestId('counter-reconnects').textContent(), { timeout: 60_000 })
      .toBe('1');
    // The old session's rows are still listed: wait for one newer than the reconnect.
    const newestList = async () =>
      Math.max(
        0,
        ...(await rows()
          .filter({ hasText: HEALTH_CHECK })
          .evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-seq'))))),
      );
    await expect.poll(newestList, { timeout: 60_000 }).toBeGreaterThan(before);
    await shot('inspector-reconnect.png');
  });
});
