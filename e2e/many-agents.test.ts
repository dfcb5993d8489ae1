/**
 * One UI over many agents, in a real browser through web mode: agent A's
 * page adds agent B (its own process, with an access token, sharing A's main
 * cluster as an external one) by URL and token; the table then shows both
 * agents' clusters, each row naming its agent; a batch split across the two
 * completes on both; the one-agent screens follow the agent chosen in the
 * top bar.
 */
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../test/helpers/main-cluster';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const TOKEN = 'many-agents-token-0123456789abcdef';
const SHOTS = join(PROJECT_ROOT, 'test-results');

describe('one UI over two agents', () => {
  let a: AgentProcess;
  let b: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  const names = async (agent: AgentProcess): Promise<string[]> => {
    const res = await fetch(`${agent.url}/clusters`, { headers: { authorization: `Bearer ${TOKEN}` } });
    return ((await res.json()) as { clusters: string[] }).clusters.sort();
  };
  const status = async (agent: AgentProcess, name: string): Promise<string> => {
    const res = await fetch(`${agent.url}/clusters/${name}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return ((await res.json()) as { status: string }).status;
  };
  const create = (agent: AgentProcess, name: string) =>
    fetch(`${agent.url}/clusters`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name, template: 'tiny' }),
    });

  beforeAll(async () => {
    a = await startAgentProcess();
    await eventually(
      async () =>
        ((await (await fetch(`${a.url}/main-cluster`)).json()) as { state: string }).state === 'running' ||
        undefined,
      "A's main cluster",
      200_000,
    );
    b = await startAgentProcess(
      [
        '--main-cluster-provider',
        'external',
        '--main-kubeconfig',
        join(a.workdir, 'clusters', 'main-cluster', 'kubeconfig.yaml'),
      ],
      { env: { SCALE_AGENT_ACCESS_TOKEN: TOKEN } },
    );
    expect((await create(a, 'a-01')).status).toBe(201);
    expect((await create(b, 'b-01')).status).toBe(201);
    expect((await create(b, 'b-02')).status).toBe(201);
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(a.url);
  }, 300_000);

  afterAll(async () => {
    await browser?.close();
    await b?.kill();
    await a?.stop();
  });

  it('adds the other agent by URL and token, saying why a wrong token is refused', async () => {
    await page.getByTestId('agents-open').click();
    const dialog = page.getByTestId('agents-dialog');
    await dialog.getByTestId('agent-url').fill(b.url);
    await dialog.getByTestId('agent-token').fill('wrong');
    await dialog.getByTestId('agent-add').click();
    await expect
      .poll(() => dialog.getByTestId('agent-error').textContent())
      .toMatch(/refused the access token/);
    await dialog.getByTestId('agent-token').fill(TOKEN);
    await dialog.getByTestId('agent-name').fill('agent-b');
    await dialog.getByTestId('agent-add').click();
    await dialog.getByTestId('agent-agent-b').filter({ hasText: 'connected' }).waitFor({ timeout: 15_000 });
    await page.keyboard.press('Escape');
    await expect.poll(() => page.getByTestId('status-agents').textContent()).toBe('2/2');
  });

  it("shows both agents' clusters, each row naming its agent", async () => {
    await page.getByTestId('cluster-row-a-01').waitFor({ timeout: 30_000 });
    await page.getByTestId('cluster-row-agent-b/b-01').waitFor({ timeout: 30_000 });
    await page.getByTestId('cluster-row-agent-b/b-02').waitFor();
    expect(await page.getByTestId('agent-of-a-01').textContent()).toBe('this agent');
    expect(await page.getByTestId('agent-of-agent-b/b-01').textContent()).toBe('agent-b');
    await expect.poll(() => page.getByTestId('cluster-count').textContent()).toBe('3');
    // A row of the other agent opens its details from that agent.
    await page.getByTestId('cluster-row-agent-b/b-02').click();
    const details = page.getByTestId('cluster-details');
    await details.getByTestId('details-status').filter({ hasText: 'ready' }).waitFor({ timeout: 120_000 });
    await details.getByTestId('cluster-log-lines').filter({ hasText: 'b-02' }).waitFor({ timeout: 15_000 });
    await details.getByRole('button', { name: 'Close details' }).click();
  });

  it('splits a batch across both agents, and both halves complete', async () => {
    await page.getByTestId('new-batch').click();
    await page.getByTestId('pattern-input').fill('sp-{01..06}');
    await page.getByTestId('template-select').selectOption('tiny');
    await page.getByTestId('split-toggle').check();
    await page.getByTestId('wizard-submit').click();
    const review = page.getByTestId('batch-review');
    expect(await review.getByTestId('review-agents').textContent()).toMatch(
      /split across 2: this agent, agent-b/,
    );
    await page.getByTestId('wizard-create').click();
    const progress = page.getByTestId('batch-progress');
    await expect.poll(() => progress.count(), { timeout: 10_000 }).toBe(2);
    expect(await page.getByTestId('batch-agent').allTextContents()).toEqual(['this agent', 'agent-b']);
    for (const i of [0, 1])
      await progress
        .nth(i)
        .getByTestId('batch-ready')
        .filter({ hasText: '3 ready' })
        .waitFor({ timeout: 180_000 });
    await page.screenshot({ path: join(SHOTS, 'many-agents-split-batch.png') });
    await page.getByTestId('batch-close').first().click();

    expect((await names(a)).filter((n) => n.startsWith('sp-'))).toEqual(['sp-01', 'sp-02', 'sp-03']);
    expect((await names(b)).filter((n) => n.startsWith('sp-'))).toEqual(['sp-04', 'sp-05', 'sp-06']);
    for (const n of ['sp-01', 'sp-02', 'sp-03']) expect(await status(a, n)).toBe('ready');
    for (const n of ['sp-04', 'sp-05', 'sp-06']) expect(await status(b, n)).toBe('ready');
    await expect.poll(() => page.getByTestId('cluster-count').textContent()).toBe('9');
    await page.getByTestId('cluster-row-agent-b/sp-06').waitFor();
    await page.screenshot({ path: join(SHOTS, 'many-agents-table.png') });
  });

  it('the one-agent screens follow the agent chosen in the top bar', async () => {
    await page.getByTestId('agent-select').selectOption('agent-b');
    await page.getByTestId('nav-logs').click();
    // B's log holds its own clusters' lines and none of A's; A's the other way round.
    // (The filter applies after typing settles: wait for what it shows, not for the first line.)
    const expectLines = async (text: string, shown: boolean): Promise<void> => {
      await page.getByTestId('logs-text').fill(text);
      if (shown)
        await page.getByTestId('log-line').filter({ hasText: text }).first().waitFor({ timeout: 15_000 });
      else
        await page
          .getByTestId('logs-empty')
          .filter({ hasText: 'No line matches' })
          .waitFor({ timeout: 15_000 });
    };
    await expectLines('b-01', true);
    await expectLines('a-01', false);
    await page.getByTestId('agent-select').selectOption('');
    await expectLines('a-01', true);
    await expectLines('b-01', false);
    await page.getByTestId('nav-clusters').click();
  });

  it("opens B's own page with ?token= (its script and style load without the token) and shows B's clusters", async () => {
    const other = await browser.newPage();
    try {
      await other.goto(`${b.url}/?token=${TOKEN}`);
      await other.getByTestId('cluster-row-b-01').waitFor({ timeout: 30_000 });
      expect(await other.getByTestId('cluster-count').textContent()).toBe('5');
    } finally {
      await other.close();
    }
  });
});
