/**
 * The Settings and Logs screens in a real browser through web mode, against
 * the real agent and the Go Rancher stand-in: a bad URL is refused at the
 * field with nothing sent; the connection test says exactly what failed (a
 * wrong token, an untrusted CA) and then succeeds with Rancher's version; a
 * saved token is never shown back (not in the page, not in any WebSocket
 * frame from the agent, not on disk, not in the agent's log); the screen says
 * what applies now and what at the next start, and a restart applies it;
 * live log lines are filtered by cluster and by level, and pause holds them.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SettingsView } from '../src/shared/settings';
import { STANDIN_TOKEN, startStandIn, type StandIn } from '../test/helpers/rancher-standin';
import { PROJECT_ROOT, startAgentProcess, type AgentProcess } from './helpers/agent-process';
import { launchChromium } from './helpers/chromium';

const SECRET = STANDIN_TOKEN.split(':')[1]!;
const WRONG_TOKEN = 'token-abcde:wrongwrongwrongwrongwrongwrong0000';
const SHOTS = join(PROJECT_ROOT, 'test-results');

describe('settings and logs', () => {
  let standin: StandIn;
  let agent: AgentProcess;
  let browser: BrowserContext;
  let page: Page;
  let caPem: string;
  /** Every WebSocket frame the page received from the agent, and every one it sent. */
  const received: string[] = [];
  const sent: string[] = [];

  async function openPage(url: string): Promise<void> {
    page = await browser.newPage();
    page.on('websocket', (ws) => {
      ws.on('framereceived', (f) => received.push(String(f.payload)));
      ws.on('framesent', (f) => sent.push(String(f.payload)));
    });
    await page.goto(url);
  }

  async function screenshot(name: string): Promise<void> {
    mkdirSync(SHOTS, { recursive: true });
    await page.screenshot({ path: join(SHOTS, name), fullPage: true });
  }

  const createCluster = (name: string): Promise<Response> =>
    fetch(`${agent.url}/clusters`, { method: 'POST', body: JSON.stringify({ name, template: 'tiny' }) });

  /** Visible log rows' [level, cluster, text]. */
  async function logRows(): Promise<{ level: string; cluster: string; text: string }[]> {
    const rows = page.getByTestId('log-line');
    const out: { level: string; cluster: string; text: string }[] = [];
    for (let i = 0; i < (await rows.count()); i++) {
      const row = rows.nth(i);
      out.push({
        level: (await row.getAttribute('data-level')) ?? '',
        cluster: (await row.getAttribute('data-cluster')) ?? '',
        text: (await row.textContent()) ?? '',
      });
    }
    return out;
  }

  beforeAll(async () => {
    standin = await startStandIn();
    caPem = readFileSync(standin.caPath, 'utf8');
    // No main cluster: these screens do not need Kubernetes, and accepted clusters still log.
    agent = await startAgentProcess(['--no-main-cluster']);
    browser = await launchChromium();
    await openPage(agent.url);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-rancherUrl').waitFor();
  });

  afterAll(async () => {
    await browser?.close();
    await agent?.stop();
    await standin?.stop();
  });

  it('refuses a bad Rancher URL at the field and sends nothing', async () => {
    const url = page.getByTestId('settings-rancherUrl');
    await url.fill('ftp://rancher.example.com');
    await expect
      .poll(() => page.getByTestId('error-rancherUrl').textContent())
      .toBe('Rancher URL must use https:// (or http://), got ftp://');
    expect(await page.getByTestId('settings-save').isDisabled()).toBe(true);
    await url.fill('rancher example');
    await expect
      .poll(() => page.getByTestId('error-rancherUrl').textContent())
      .toMatch(/must be a URL such as https:/);
    await page.getByTestId('settings-mainApiPort').fill('70000');
    await expect.poll(() => page.getByTestId('error-mainApiPort').textContent()).toMatch(/from 1 to 65535/);
    await screenshot('settings-bad-url.png');
    await page.getByTestId('settings-mainApiPort').fill(String(agent.apiPort));
    expect(sent.some((f) => f.includes('"settings.update"'))).toBe(false);
    const saved = (await (await fetch(`${agent.url}/settings`)).json()) as SettingsView;
    expect(saved.values.rancherUrl).toBe('');
  });

  it('tests the connection and says exactly what failed, then what Rancher it found', async () => {
    await page.getByTestId('settings-rancherUrl').fill(standin.url);
    await page.getByTestId('settings-rancherCaCert').fill(caPem);
    await page.getByTestId('settings-rancherToken').fill(WRONG_TOKEN);
    await page.getByTestId('settings-test').click();
    const result = page.getByTestId('connection-result');
    await result.filter({ hasText: 'Token refused (401)' }).waitFor({ timeout: 15_000 });
    expect(await result.getAttribute('data-ok')).toBe('false');
    expect(await result.textContent()).toMatch(/refused the API token \(401\)/);

    await page.getByTestId('settings-rancherToken').fill(STANDIN_TOKEN);
    await page.getByTestId('settings-rancherCaCert').fill('');
    await page.getByTestId('settings-test').click();
    await result.filter({ hasText: 'Certificate not trusted' }).waitFor({ timeout: 15_000 });
    expect(await result.textContent()).toMatch(/not signed by a CA this agent trusts/);

    await page.getByTestId('settings-rancherCaCert').fill(caPem);
    await page.getByTestId('settings-test').click();
    await result.filter({ hasText: 'Connected: Rancher v2.12.3' }).waitFor({ timeout: 15_000 });
    expect(await result.getAttribute('data-ok')).toBe('true');
    expect(await result.textContent()).toContain(`at ${standin.url}; the API token is accepted`);
    await screenshot('settings-connection.png');
  });

  it('saves the token write-only and says what applies now and what at the next start', async () => {
    await page.getByTestId('settings-defaultConcurrency').fill('8');
    await page.getByTestId('settings-save').click();
    const summary = page.getByTestId('save-summary');
    await summary.waitFor({ timeout: 10_000 });
    expect(await summary.textContent()).toBe(
      'Saved. Applied now: Default concurrency. At next start: Rancher URL, Rancher API token, Rancher CA certificate.',
    );
    expect(await page.getByTestId('pending-restart').textContent()).toMatch(
      /next starts: Rancher URL, Rancher API token, Rancher CA certificate/,
    );
    expect(await page.getByTestId('settings-rancherToken').inputValue()).toBe('');
    expect(await page.getByTestId('token-hint').textContent()).toMatch(
      /Saved token: token-ab…:\*\*\*\* \(never shown in full\)/,
    );
    expect(await page.getByTestId('applies-defaultConcurrency').textContent()).toBe('applies now');
    expect(await page.getByTestId('applies-rancherUrl').textContent()).toBe('at next start');
    await screenshot('settings-saved.png');

    // Applied now: a batch that names no concurrency gets the new default.
    const batch = await fetch(`${agent.url}/clusters/batch`, {
      method: 'POST',
      body: JSON.stringify({ pattern: 'dflt-{1..2}', template: 'tiny' }),
    });
    expect(((await batch.json()) as { concurrency: number }).concurrency).toBe(8);

    // Never shown back: not in the page, not after a reload, not in any frame from the agent.
    expect(await page.content()).not.toContain(SECRET);
    await page.reload();
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('token-hint').filter({ hasText: 'token-ab…:****' }).waitFor();
    expect(await page.content()).not.toContain(SECRET);
    expect(received.length).toBeGreaterThan(0);
    expect(received.filter((f) => f.includes(SECRET))).toEqual([]);
    // The page sent it only when the user typed it: to test it and to save it.
    for (const frame of sent.filter((f) => f.includes(SECRET))) {
      expect(JSON.parse(frame).channel).toMatch(/^settings\.(testConnection|update)$/);
    }
    // Not on disk in clear, not in the agent's log.
    const onDisk = readFileSync(join(agent.home, 'settings.json'), 'utf8');
    expect(onDisk).toContain('rancherTokenSealed');
    expect(onDisk).not.toContain(SECRET);
    expect(agent.output()).not.toContain(SECRET);
  });

  it('shows live log lines, filtered by cluster and by level, and pause holds them', async () => {
    await page.getByTestId('nav-logs').click();
    await page.getByTestId('logs-list').waitFor({ timeout: 10_000 });
    // Live: lines logged after the screen opened appear without a reload.
    expect((await createCluster('logs-a')).status).toBe(201);
    expect((await createCluster('logs-b')).status).toBe(201);
    await page
      .getByTestId('log-line')
      .filter({ hasText: 'Cluster logs-b accepted' })
      .waitFor({ timeout: 5000 });

    // Cluster filter, then a line for it arriving live (and one for another cluster not shown).
    await page.getByTestId('logs-cluster').fill('logs-c');
    await page.getByTestId('logs-empty').waitFor({ timeout: 5000 });
    expect((await createCluster('logs-d')).status).toBe(201);
    expect((await createCluster('logs-c')).status).toBe(201);
    await page
      .getByTestId('log-line')
      .filter({ hasText: 'Cluster logs-c accepted' })
      .waitFor({ timeout: 5000 });
    await page.waitForTimeout(600); // a batch or two later: logs-d must still not show
    const filtered = await logRows();
    expect(filtered.length).toBeGreaterThan(0);
    expect(filtered.every((r) => r.cluster === 'logs-c')).toBe(true);
    await screenshot('logs-cluster-filter.png');

    // Pause holds new lines; resume shows them.
    await page.getByTestId('logs-cluster').fill('');
    await page
      .getByTestId('log-line')
      .filter({ hasText: 'Cluster logs-d accepted' })
      .waitFor({ timeout: 5000 });
    await page.getByTestId('logs-pause').click();
    expect((await createCluster('logs-e')).status).toBe(201);
    await page
      .getByTestId('logs-pause')
      .filter({ hasText: /Resume \(\d+ new\)/ })
      .waitFor({ timeout: 5000 });
    expect(await page.getByTestId('log-line').filter({ hasText: 'Cluster logs-e accepted' }).count()).toBe(0);
    await page.getByTestId('logs-pause').click();
    await page
      .getByTestId('log-line')
      .filter({ hasText: 'Cluster logs-e accepted' })
      .waitFor({ timeout: 5000 });

    // Level: warn and above shows the failed connection tests, and no info line.
    await page.getByTestId('logs-level').selectOption('warn');
    await page
      .getByTestId('log-line')
      .filter({ hasText: 'Rancher connection test failed' })
      .first()
      .waitFor({ timeout: 5000 });
    const warnings = await logRows();
    expect(warnings.every((r) => ['warn', 'error', 'fatal'].includes(r.level))).toBe(true);
    expect(warnings.some((r) => /refused the API token \(401\)/.test(r.text))).toBe(true);
    await screenshot('logs-level-filter.png');
    expect(await page.content()).not.toContain(SECRET);
    expect(received.filter((f) => f.includes(SECRET))).toEqual([]);
  });

  it('applies the saved Rancher settings at the next start', async () => {
    await page.close();
    await agent.stop();
    agent = await startAgentProcess(['--no-main-cluster'], { home: agent.home });
    await openPage(agent.url);
    await page
      .getByTestId('status-rancher-host')
      .filter({ hasText: new URL(standin.url).host })
      .waitFor({ timeout: 15_000 });
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('token-hint').filter({ hasText: 'token-ab…:****' }).waitFor();
    expect(await page.getByTestId('settings-rancherUrl').inputValue()).toBe(standin.url);
    expect(await page.getByTestId('settings-defaultConcurrency').inputValue()).toBe('8');
    expect(await page.getByTestId('pending-restart').count()).toBe(0);
    await screenshot('settings-after-restart.png');
    expect(await page.content()).not.toContain(SECRET);
    expect(agent.output()).not.toContain(SECRET);
  });
});
