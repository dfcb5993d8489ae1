/**
 * The User-Agent of every request the agent makes to Rancher (v3 calls and
 * tunnel dials), so Rancher's access logs tell its traffic apart from the
 * real cattle-cluster-agent's: `scale-cluster-agent/<version>`, the version
 * read once from the app's own package.json (from sources and bundles alike).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../kube/package-root';

let cached: string | undefined;

export function agentVersion(): string {
  if (cached !== undefined) return cached;
  cached = 'unknown';
  const root = packageRoot();
  if (root) {
    try {
      const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
        version?: unknown;
      };
      if (typeof version === 'string' && version) cached = version;
    } catch {
      // an unreadable package.json leaves "unknown": the header still names the agent
    }
  }
  return cached;
}

export function userAgent(): string {
  return `scale-cluster-agent/${agentVersion()}`;
}
