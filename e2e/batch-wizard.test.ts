/**
 * The batch wizard, cluster table and details pane in a real browser through
 * web mode, against the real agent and a real main cluster: a bad pattern is
 * caught at the field before anything is sent, a valid one makes 3 tiny
 * clusters whose progress reaches 3/3, the rows show up, a row's details show
 * its steps, and two rows are deleted together after a confirmation.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const NAMES = ['bw-1', 'bw-2', 'bw-3'];

describe('batch wizard', () => {
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  async function restCount(): Promise<number> {
    const res = await fetch(`${agent.url}/clusters`);
    return ((await res.json()) as { count: number }).count;
  }

  beforeAll(async () => {
    agent = await startAgentProcess();
    browser = await launchChromium();
    page = await browser.newPage();
    await page.goto(agent.url);
    await page.getByTestId('main-cluster-state').filter({ hasText: 'Running' }).waitFor({ timeout: 200_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
  });

  it('shows a bad pattern at the field and sends nothing', async () => {
    await page.getByTestId('new-batch').click();
    const input = page.getByTestId('pattern-input');
    await input.fill('bw-1-to-3');
    await expect.poll(() => page.getByTestId('pattern-error').textContent()).toMatch(/one range in braces/);
    expect(await page.getByTestId('wizard-submit').isDisabled()).toBe(true);
    await input.fill('BW-{1..3}');
    await expect.poll(() => page.getByTestId('pattern-error').textContent()).toMatch(/lowercase/);
    await input.press('Enter');
    await page.getByTestId('concurrency-input').fill('0');
    await expect.poll(() => page.getByTestId('concurrency-error').textContent()).toMatch(/1 to 64/);
    mkdirSync(join(PROJECT_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, 'test-results', 'batch-wizard-form.png') });
    await page.getByTestId('concurrency-input').fill('2');
    expect(await restCount()).toBe(0);
  });

  it('creates 3 tiny clusters and shows the progress reach 3/3 ready', async () => {
    await page.getByTestId('pattern-input').fill('bw-{1..3}');
    expect(await page.getByTestId('preview-first').textContent()).toBe('bw-1');
    expect(await page.getByTestId('preview-last').textContent()).toBe('bw-3');
    expect(await page.getByTestId('preview-count').textContent()).toBe('3 clusters');
    await page.getByTestId('template-select').selectOption('tiny');
    expect(await page.getByTestId('template-description').textContent()).toMatch(/1 node/);
    await page.getByTestId('wizard-submit').click();
    await page.getByTestId('batch-progress').waitFor({ timeout: 10_000 });
    await page.getByTestId('batch-ready').filter({ hasText: '3 ready' }).waitFor({ timeout: 120_000 });
    expect(await page.getByTestId('batch-done').textContent()).toBe('3/3');
    await page.getByTestId('batch-state').filter({ hasText: 'completed' }).waitFor({ timeout: 10_000 });
    mkdirSync(join(PROJECT_ROOT, 'test-results'), { recursive: true });
    await page.screenshot({ path: join(PROJECT_ROOT, 'test-results', 'batch-wizard-progress.png') });
    await page.getByTestId('batch-close').click();
    for (const name of NAMES) {
      await page.getByTestId(`cluster-row-${name}`).filter({ hasText: 'ready' }).waitFor({ timeout: 10_000 });
    }
    expect(await page.getByTestId('cluster-count').textContent()).toBe('3');
  });

  it("opens a row's details with its steps timeline", async () => {
    await page.getByTestId('cluster-row-bw-2').click();
    const details = page.getByTestId('cluster-details');
    await details.waitFor();
    const timeline = details.getByTestId('steps-timeline');
    await timeline.getByTestId('step-populating_template').waitFor();
    await timeline.getByTestId('step-ready').waitFor();
    expect(await details.getByTestId('details-status').textContent()).toBe('ready');
    await page.screenshot({ path: join(PROJECT_ROOT, 'test-results', 'batch-wizard.png') });
  });

  it('deletes two selected rows after a confirmation', async () => {
    await page.getByTestId('select-bw-1').check();
    await page.getByTestId('select-bw-3').check();
    await page.getByTestId('delete-selected').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain('bw-1, bw-3');
    await page.getByTestId('confirm-button').click();
    await page.getByTestId('cluster-row-bw-1').waitFor({ state: 'detached', timeout: 60_000 });
    await page.getByTestId('cluster-row-bw-3').waitFor({ state: 'detached', timeout: 60_000 });
    await dialog.waitFor({ state: 'detached' });
    expect(await page.getByTestId('cluster-row-bw-2').count()).toBe(1);
    await expect.poll(() => restCount(), { timeout: 30_000 }).toBe(1);
  });
});
