/**
 * The batch wizard, cluster table and details pane in a real browser through
 * web mode, against the real agent, a real main cluster and the Rancher
 * stand-in: bad names, counts and concurrency are caught at the field before
 * anything is sent; 25 clusters are made through the wizard (review, then
 * progress to the end) and show up active in Rancher in the table; a row's
 * details show its steps; five rows are deleted together after a
 * confirmation, here and in Rancher.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../test/helpers/rancher-standin';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const COUNT = 25;
const NAMES = Array.from({ length: COUNT }, (_, i) => `bw-${String(i + 1).padStart(2, '0')}`);
const DELETED = ['bw-03', 'bw-07', 'bw-11', 'bw-19', 'bw-23'];
const SHOTS = join(PROJECT_ROOT, 'test-results');

interface StandInCluster {
  name: string;
  state: string;
}

describe('batch wizard', () => {
  let standin: StandIn;
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  async function restCount(): Promise<number> {
    const res = await fetch(`${agent.url}/clusters`);
    return ((await res.json()) as { count: number }).count;
  }

  async function rancherIdOf(name: string): Promise<string> {
    const res = await fetch(`${agent.url}/clusters/${name}`);
    return ((await res.json()) as { rancherId: string }).rancherId;
  }

  async function rancherClusters(): Promise<StandInCluster[]> {
    return (await standin.get<{ data: StandInCluster[] }>('/clusters')).data;
  }

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    standin = await startStandIn(['--ping-interval', '3s', '--health-interval', '3s']);
    agent = await startAgentProcess([], {
      env: {
        RANCHER_URL: standin.url,
        RANCHER_TOKEN: STANDIN_TOKEN,
        RANCHER_CA_CERT: standin.caPath,
        SCALE_AGENT_DELETION_WATCH_SECONDS: '2',
      },
    });
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 1000 });
    await page.goto(agent.url);
    await page.getByTestId('main-cluster-state').filter({ hasText: 'Running' }).waitFor({ timeout: 200_000 });
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await standin?.stop();
  });

  it('shows a bad pattern, count and concurrency at the field and sends nothing', async () => {
    await page.getByTestId('new-batch').click();
    const input = page.getByTestId('pattern-input');
    await input.fill('bw-1-to-25');
    await expect.poll(() => page.getByTestId('pattern-error').textContent()).toMatch(/one range in braces/);
    expect(await page.getByTestId('wizard-submit').isDisabled()).toBe(true);
    await input.fill('BW-{1..3}');
    await expect.poll(() => page.getByTestId('pattern-error').textContent()).toMatch(/lowercase/);
    await input.press('Enter');
    expect(await page.getByTestId('batch-review').count()).toBe(0);

    await page.getByRole('radio', { name: 'Prefix + count' }).click();
    await page.getByTestId('prefix-input').fill('bw-');
    await page.getByTestId('count-input').fill('0');
    await expect.poll(() => page.getByTestId('pattern-error').textContent()).toMatch(/count must be/);
    await page.getByTestId('count-input').fill('9000');
    await expect.poll(() => page.getByTestId('pattern-error').textContent()).toMatch(/at most 5000/);
    expect(await page.getByTestId('wizard-submit').isDisabled()).toBe(true);
    await page.getByRole('radio', { name: 'Pattern' }).click();

    await page.getByTestId('concurrency-input').fill('0');
    await expect.poll(() => page.getByTestId('concurrency-error').textContent()).toMatch(/1 to 64/);
    await page.screenshot({ path: join(SHOTS, 'batch-wizard-form.png') });
    await page.getByTestId('concurrency-input').fill('6');
    expect(await restCount()).toBe(0);
  });

  it('shows a custom template that is not one at the field, and its totals when it is', async () => {
    await page.getByTestId('template-select').selectOption('custom');
    await page.getByTestId('custom-template').fill('kind: generator\nnodes: -2\n');
    await expect.poll(() => page.getByTestId('template-error').textContent()).toMatch(/nodes/);
    expect(await page.getByTestId('wizard-submit').isDisabled()).toBe(true);
    await page.getByTestId('custom-template').fill('kind: generator\nnodes: 3\npodsPerNode: 4\n');
    await expect.poll(() => page.getByTestId('totals-nodes').textContent()).toBe('3');
    expect(await page.getByTestId('totals-pods').textContent()).toBe('12');
  });

  it('creates 25 tiny clusters through review and shows the progress reach 25/25', async () => {
    await page.getByTestId('pattern-input').fill('bw-{01..25}');
    expect(await page.getByTestId('preview-first').textContent()).toBe('bw-01');
    expect(await page.getByTestId('preview-last').textContent()).toBe('bw-25');
    expect(await page.getByTestId('preview-count').textContent()).toBe('25 clusters');
    await page.getByTestId('template-select').selectOption('tiny');
    expect(await page.getByTestId('template-description').textContent()).toMatch(/1 node/);
    expect(await page.getByTestId('totals-nodes').textContent()).toBe('1');
    expect(await page.getByTestId('batch-totals').textContent()).toMatch(/25 nodes/);
    expect(await page.getByTestId('import-toggle').isChecked()).toBe(true);
    await page.getByTestId('wizard-submit').click();

    const review = page.getByTestId('batch-review');
    await review.waitFor();
    expect(await review.getByTestId('review-names').textContent()).toMatch(/25\s*bw-01 … bw-25/);
    expect(await review.getByTestId('review-rancher').textContent()).toContain(standin.url);
    expect(await restCount()).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'batch-wizard-review.png') });
    await page.getByTestId('wizard-create').click();

    await page.getByTestId('batch-progress').waitFor({ timeout: 10_000 });
    await page
      .getByTestId('batch-ready')
      .filter({ hasText: `${COUNT} ready` })
      .waitFor({ timeout: 300_000 });
    expect(await page.getByTestId('batch-done').textContent()).toBe(`${COUNT}/${COUNT}`);
    await page.getByTestId('batch-state').filter({ hasText: 'completed' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: join(SHOTS, 'batch-wizard-progress.png') });
    await page.getByTestId('batch-close').click();
    await expect.poll(() => page.getByTestId('cluster-count').textContent()).toBe(String(COUNT));
  });

  it('shows every cluster active in Rancher in the table', async () => {
    await page.getByTestId('cluster-filter').fill('bw-');
    // The table is virtualized: check each row by filtering to it.
    for (const name of NAMES) {
      await page.getByTestId('cluster-filter').fill(name);
      await page.getByTestId(`rancher-${name}`).filter({ hasText: 'active' }).waitFor({ timeout: 180_000 });
    }
    // Rancher's Steve /ping (every 3 s here) shows in each row as the time since the last one.
    await expect
      .poll(() => page.getByTestId(`last-ping-${NAMES.at(-1)}`).textContent(), { timeout: 15_000 })
      .toMatch(/^\d+s$/);
    await page.getByTestId('cluster-filter').fill('');
    const inRancher = await rancherClusters();
    expect(
      inRancher
        .filter((c) => c.state === 'active')
        .map((c) => c.name)
        .sort(),
    ).toEqual(NAMES);
    await page.screenshot({ path: join(SHOTS, 'batch-wizard-active.png') });
  });

  it('refuses names that already exist at the field', async () => {
    await page.getByTestId('new-batch').click();
    await page.getByTestId('pattern-input').fill('bw-{24..30}');
    await expect
      .poll(() => page.getByTestId('pattern-error').textContent())
      .toMatch(/2 of these names exist: bw-24, bw-25/);
    expect(await page.getByTestId('wizard-submit').isDisabled()).toBe(true);
    await page.keyboard.press('Escape');
    await page.getByTestId('batch-wizard').waitFor({ state: 'detached' });
  });

  it("opens a row's details with its steps timeline", async () => {
    await page.getByTestId('cluster-row-bw-02').click();
    const details = page.getByTestId('cluster-details');
    await details.waitFor();
    const timeline = details.getByTestId('steps-timeline');
    await timeline.getByTestId('step-populating_template').waitFor();
    await timeline.getByTestId('step-ready').waitFor();
    expect(await details.getByTestId('details-status').textContent()).toBe('ready');
    // Its node, ready, with what its pods request against what it can hold.
    const nodes = details.getByTestId('cluster-nodes');
    await nodes.waitFor({ timeout: 15_000 });
    expect(await nodes.locator('tbody tr').count()).toBe(1);
    expect(await nodes.locator('tbody tr').first().textContent()).toMatch(/Ready.*\/.*\//);
    await details.getByTestId('cluster-log-lines').filter({ hasText: 'bw-02' }).waitFor({ timeout: 15_000 });
    // Rancher's Steve /ping (every 3 s here) shows as the Steve tunnel's last ping.
    await details.getByTestId('last-ping').waitFor({ timeout: 15_000 });

    await browser.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: agent.url });
    await details.getByTestId('action-kubeconfig').click();
    await details.getByTestId('action-result').filter({ hasText: 'Kubeconfig copied' }).waitFor();
    const copied = String(await page.evaluate('navigator.clipboard.readText()'));
    expect(copied).toMatch(/server: https:\/\/127\.0\.0\.1:\d+/);

    const connectsBefore = (
      await standin.get<{ sessions: { main: { connects: number } } }>(
        `/clusters/${await rancherIdOf('bw-02')}`,
      )
    ).sessions.main.connects;
    await details.getByTestId('action-reconnect').click();
    await details.getByTestId('action-result').filter({ hasText: 'Closed 2 sessions' }).waitFor();
    await expect
      .poll(
        async () =>
          (
            await standin.get<{ sessions: { main: { connects: number } } }>(
              `/clusters/${await rancherIdOf('bw-02')}`,
            )
          ).sessions.main.connects,
        { timeout: 30_000 },
      )
      .toBeGreaterThan(connectsBefore);
    await page.screenshot({ path: join(SHOTS, 'batch-wizard-details.png') });
  });

  it('deletes five selected rows after a confirmation, here and in Rancher', async () => {
    for (const name of DELETED) {
      await page.getByTestId('cluster-filter').fill(name);
      await page.getByTestId(`select-${name}`).check();
    }
    await page.getByTestId('cluster-filter').fill('');
    await page.getByTestId('delete-selected').click();
    const dialog = page.getByTestId('confirm-dialog');
    await dialog.waitFor();
    expect(await dialog.textContent()).toContain(DELETED.join(', '));
    await page.getByTestId('confirm-button').click();
    for (const name of DELETED) {
      await page.getByTestId(`cluster-row-${name}`).waitFor({ state: 'detached', timeout: 120_000 });
    }
    await dialog.waitFor({ state: 'detached' });
    await expect.poll(() => restCount(), { timeout: 60_000 }).toBe(COUNT - DELETED.length);
    expect(await page.getByTestId('cluster-count').textContent()).toBe(String(COUNT - DELETED.length));
    await expect
      .poll(async () => (await rancherClusters()).map((c) => c.name).sort(), { timeout: 60_000 })
      .toEqual(NAMES.filter((n) => !DELETED.includes(n)));
  });
});
