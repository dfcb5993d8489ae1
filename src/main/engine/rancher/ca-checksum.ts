/**
 * The CA check of Rancher's real agent (spec B.2; rancher:package/run.sh),
 * done before a cluster's first tunnel: the import manifest names the CA
 * Rancher had when it rendered it (`CATTLE_CA_CHECKSUM`), and the agent
 * compares that with sha256 of what `GET /v3/settings/cacerts` serves now
 * (the value plus the newline `jq -r` prints). A mismatch means the agent
 * is talking to another Rancher than the one that made the manifest, or a
 * CA that changed since, and no tunnel may be opened. An empty checksum
 * (a Rancher with a publicly trusted certificate) skips the check, as the
 * real entrypoint does.
 */
import { createHash } from 'node:crypto';
import { parseAllDocuments } from 'yaml';
import type { Logger } from '../telemetry/logger';
import { RancherError } from './rancher-errors';

export const CA_CHECKSUM_ENV = 'CATTLE_CA_CHECKSUM';

/** hex sha256(value + "\n"): what the agent computes from the cacerts setting. */
export function cacertsChecksum(value: string): string {
  return createHash('sha256').update(`${value}\n`).digest('hex');
}

interface ManifestDoc {
  kind?: string;
  spec?: { template?: { spec?: { containers?: { env?: { name?: string; value?: unknown }[] }[] } } };
}

/** The CATTLE_CA_CHECKSUM an import manifest gives its agent; '' when empty, undefined when absent. */
export function manifestCaChecksum(manifest: string): string | undefined {
  for (const doc of parseAllDocuments(manifest)) {
    if (doc.errors.length > 0) continue; // applying the manifest reports those
    const obj = doc.toJSON() as ManifestDoc | null;
    if (!obj || (obj.kind !== 'Deployment' && obj.kind !== 'DaemonSet')) continue;
    for (const container of obj.spec?.template?.spec?.containers ?? []) {
      const env = container.env?.find((e) => e.name === CA_CHECKSUM_ENV);
      if (env) return typeof env.value === 'string' ? env.value.trim().toLowerCase() : '';
    }
  }
  return undefined;
}

export interface CaCheckInput {
  cluster: string;
  rancherUrl: string;
  /** The import manifest as Rancher served it. */
  manifest: string;
  /** GET /v3/settings/cacerts's value. */
  cacerts: () => Promise<string>;
  /** RancherInsecure: a mismatch is a loud warning instead of an error. */
  insecure: boolean;
  logger: Logger;
}

export type CaCheckResult = 'matched' | 'skipped' | 'mismatch-ignored';

/** Throws a RancherError naming both checksums on a mismatch (unless insecure). */
export async function checkRancherCa(input: CaCheckInput): Promise<CaCheckResult> {
  const { cluster, rancherUrl, logger } = input;
  const expected = manifestCaChecksum(input.manifest);
  if (!expected) {
    logger.debug(
      { cluster },
      `Cluster ${cluster}: the import manifest gives no ${CA_CHECKSUM_ENV}; Rancher's CA is not checked (as the real agent does)`,
    );
    return 'skipped';
  }
  const value = await input.cacerts();
  const problem = value
    ? cacertsChecksum(value) === expected
      ? undefined
      : `Rancher's CA does not match the import manifest: sha256 of ${rancherUrl}/v3/settings/cacerts (value + newline) is ` +
        `${cacertsChecksum(value)}, the manifest's ${CA_CHECKSUM_ENV} is ${expected}. ` +
        "This agent is talking to another Rancher than the one that made the manifest, or Rancher's CA changed since"
    : `Rancher serves an empty cacerts setting (${rancherUrl}/v3/settings/cacerts) but the import manifest's ` +
      `${CA_CHECKSUM_ENV} is ${expected}`;
  if (!problem) return 'matched';
  if (input.insecure) {
    logger.warn(
      { cluster },
      `Cluster ${cluster}: ${problem}. RancherInsecure is on, so its tunnels are opened anyway: use this only with a throwaway test Rancher`,
    );
    return 'mismatch-ignored';
  }
  throw new RancherError(`${problem}; no tunnel was opened`);
}
