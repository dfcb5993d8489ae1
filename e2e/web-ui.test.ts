/**
 * The UI in a real browser through web mode, against the real agent and a
 * real main cluster: the main cluster shows Running, and a cluster created
 * over REST appears in the list without a reload.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

describe('web UI', () => {
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    agent = await startAgentProcess();
    browser = await launchChromium();
    page = await browser.newPage();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
  });

  it('shows the main cluster running with its endpoint and node count', async () => {
    await page.goto(agent.url);
    await page.getByTestId('main-cluster-state').filter({ hasText: 'Running' }).waitFor({ timeout: 200_000 });
    expect(await page.getByTestId('main-cluster-provider').textContent()).toBe('kwokctl');
    expect(await page.getByTestId('main-cluster-name').textContent()).toBe('main-cluster');
    expect(await page.getByTestId('main-cluster-endpoint').textContent()).toBe(
      `https://127.0.0.1:${agent.apiPort}`,
    );
    expect(await page.getByTestId('main-cluster-nodes').textContent()).toBe('0');
  });

  it('shows a cluster created over REST without a reload', async () => {
    expect(await page.getByTestId('cluster-count').textContent()).toBe('0');
    const res = await fetch(`${agent.url}/clusters`, {
      method: 'POST',
      body: JSON.stringify({ name: 'e2e-cluster-1' }),
    });
    expect(res.status).toBe(201);
    const row = page.getByTestId('cluster-row-e2e-cluster-1');
    await row.waitFor({ timeout: 10_000 });
    // The real main cluster is up, so the cluster goes all the way to ready.
    await row.filter({ hasText: 'ready' }).waitFor({ timeout: 60_000 });
    expect(await page.getByTestId('cluster-count').textContent()).toBe('1');
    mkdirSync(join(PROJECT_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, 'test-results', 'web-ui.png') });
  });

  it('removes a deleted cluster from the list without a reload', async () => {
    const res = await fetch(`${agent.url}/clusters/e2e-cluster-1`, { method: 'DELETE' });
    expect(res.status).toBe(200);
    await page.getByTestId('cluster-row-e2e-cluster-1').waitFor({ state: 'detached', timeout: 10_000 });
    expect(await page.getByTestId('cluster-count').textContent()).toBe('0');
  });
});
