/**
 * The Faults screen in a real browser through web mode, against the real
 * agent: a bad value is shown at the field and nothing is sent; a fault
 * injected for a picked cluster is listed with its parameters and is in
 * effect over REST and in the metrics; one injected over REST shows without
 * a reload; clearing one and then all leaves nothing in effect.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ActiveFault } from '../src/shared/faults';
import { launchChromium } from './helpers/chromium';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';

const SHOTS = join(PROJECT_ROOT, 'test-results');

describe('faults screen', () => {
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;

  const active = async (): Promise<ActiveFault[]> =>
    ((await (await fetch(`${agent.url}/faults`)).json()) as { active: ActiveFault[] }).active;
  const activeMetric = async (kind: string): Promise<number> => {
    const text = await (await fetch(`${agent.url}/metrics`)).text();
    const line = text.split('\n').find((l) => l.startsWith(`scale_agent_faults_active{kind="${kind}"} `));
    return Number(line?.split(' ').at(-1));
  };

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    agent = await startAgentProcess();
    // Clusters to pick from (accepted at once; no need to wait for them to be ready).
    for (const name of ['fx-1', 'fx-2', 'other-1']) {
      const res = await fetch(`${agent.url}/clusters`, { method: 'POST', body: JSON.stringify({ name }) });
      expect(res.status).toBe(201);
    }
    browser = await launchChromium();
    page = await browser.newPage();
    await page.setViewportSize({ width: 1400, height: 900 });
    await page.goto(agent.url);
    await page.getByTestId('cluster-row-fx-1').waitFor({ timeout: 30_000 });
    await page.keyboard.press('Alt+6');
    await page.getByTestId('fault-form').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
  });

  it('shows a bad value at the field and sends nothing', async () => {
    await page.getByTestId('fault-kind-api_errors').click();
    await page.getByTestId('fault-rate').fill('0');
    await expect.poll(() => page.getByTestId('fault-problem').textContent()).toMatch(/percentage above 0/);
    expect(await page.getByTestId('fault-submit').isDisabled()).toBe(true);
    await page.getByTestId('fault-rate').fill('25');
    await page.getByTestId('target-selected').click();
    await expect.poll(() => page.getByTestId('fault-problem').textContent()).toMatch(/at least one cluster/);
    expect(await page.getByTestId('fault-submit').isDisabled()).toBe(true);
    expect(await active()).toEqual([]);
  });

  it('injects API errors for a picked cluster and lists them', async () => {
    await page.getByTestId('cluster-filter').fill('fx-');
    expect(await page.getByTestId('select-matching').textContent()).toBe('Select matching (2)');
    expect(await page.getByTestId('pick-other-1').count()).toBe(0);
    await page.getByTestId('pick-fx-1').check();
    expect(await page.getByTestId('picked-count').textContent()).toBe('1 of 3 selected');
    await page.getByTestId('fault-code').selectOption('429');
    await page.getByTestId('fault-submit').click();
    await expect
      .poll(() => page.getByTestId('fault-result').textContent())
      .toMatch(/^Injected f-[0-9a-f]{8}\.$/);

    const row = page.locator('[data-kind="api_errors"]');
    await row.waitFor();
    expect(await row.getByTestId('fault-parameters').textContent()).toBe('25% of requests answer 429');
    expect(await row.textContent()).toContain('fx-1');
    expect(await row.getByTestId('fault-time-left').textContent()).toBe('until cleared');
    expect(await page.getByTestId('fault-count').textContent()).toBe('1 in effect');
    const [fault] = await active();
    expect(fault).toMatchObject({
      kind: 'api_errors',
      clusters: ['fx-1'],
      parameters: { rate: 0.25, code: 429 },
    });
    expect(await activeMetric('api_errors')).toBe(1);
    await page.screenshot({ path: join(SHOTS, 'faults-injected.png') });
  });

  it('shows a fault injected over REST without a reload, counting down', async () => {
    const res = await fetch(`${agent.url}/faults/latency`, {
      method: 'POST',
      body: JSON.stringify({ ms: 300, seconds: 600 }),
    });
    expect(res.status).toBe(200);
    const row = page.locator('[data-kind="latency"]');
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('All clusters');
    expect(await row.getByTestId('fault-parameters').textContent()).toBe('+300 ms per round trip');
    await expect.poll(() => row.getByTestId('fault-time-left').textContent()).toMatch(/^9m \d+s$/);
    expect(await page.getByTestId('fault-count').textContent()).toBe('2 in effect');
  });

  it('clears one fault, then all of them', async () => {
    const [apiErrors] = (await active()).filter((f) => f.kind === 'api_errors');
    await page.getByTestId(`clear-fault-${apiErrors?.id}`).click();
    await page.locator('[data-kind="api_errors"]').waitFor({ state: 'detached', timeout: 10_000 });
    expect((await active()).map((f) => f.kind)).toEqual(['latency']);
    expect(await activeMetric('api_errors')).toBe(0);

    await page.getByTestId('clear-all-faults').click();
    await page.getByTestId('faults-empty').waitFor({ timeout: 10_000 });
    expect(await page.getByTestId('fault-count').textContent()).toBe('0 in effect');
    expect(await active()).toEqual([]);
    expect(await activeMetric('latency')).toBe(0);
    await page.screenshot({ path: join(SHOTS, 'faults-cleared.png') });
  });
});
