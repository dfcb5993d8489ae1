/**
 * Debian's Chromium driven by playwright-core (a test tool's own browser
 * download cannot work here), with the flags this closed machine needs and
 * a fresh profile each launch.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export async function launchChromium(): Promise<BrowserContext> {
  return (await launchChromiumWithProfile()).context;
}

/** The browser and its profile folder (which names its processes, see setBrowserNiceness). */
export async function launchChromiumWithProfile(): Promise<{ context: BrowserContext; profile: string }> {
  const profile = mkdtempSync(join(tmpdir(), 'sca-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    viewport: { width: 1280, height: 800 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  return { context, profile };
}

/**
 * Sets the niceness of the browser that uses `profile` and of all its
 * descendants (negative: ahead of the rest of the machine; needs root).
 * Processes the browser starts later inherit it. For timing the UI: on 2
 * cores shared with kube-apiserver, etcd and the agent, a renderer task
 * otherwise waits for a core and looks long without doing more work.
 */
export function setBrowserNiceness(profile: string, niceness: number): number[] {
  const parentOf = new Map<number, number>();
  const commandOf = new Map<number, string>();
  for (const entry of readdirSync('/proc')) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    try {
      // The parent PID is the 2nd field after the command in parentheses.
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      parentOf.set(pid, Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      commandOf.set(pid, readFileSync(`/proc/${pid}/cmdline`, 'utf8'));
    } catch {
      // The process ended while we looked.
    }
  }
  const roots = [...commandOf]
    .filter(([, cmd]) => cmd.includes(`--user-data-dir=${profile}`))
    .map(([p]) => p);
  const all = new Set(roots);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, parent] of parentOf) {
      if (!all.has(pid) && all.has(parent)) {
        all.add(pid);
        grew = true;
      }
    }
  }
  if (all.size === 0) throw new Error(`no browser process found for profile ${profile}`);
  const pids = [...all];
  try {
    execFileSync('renice', ['-n', String(niceness), '-p', ...pids.map(String)], { stdio: 'pipe' });
  } catch (err) {
    throw new Error(`could not renice the browser to ${niceness} (root needed): ${(err as Error).message}`, {
      cause: err,
    });
  }
  return pids;
}
