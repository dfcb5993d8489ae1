import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../telemetry/logger';
import { cacertsChecksum, checkRancherCa, manifestCaChecksum } from './ca-checksum';

const CA = '-----BEGIN CERTIFICATE-----\nMIIB...\n-----END CERTIFICATE-----';
const SUM = createHash('sha256').update(`${CA}\n`).digest('hex');

const manifest = (checksum: string) => `apiVersion: v1
kind: Namespace
metadata:
  name: cattle-system
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: cattle-cluster-agent
  namespace: cattle-system
spec:
  template:
    spec:
      containers:
        - name: cluster-register
          env:
            - name: CATTLE_SERVER
              value: "https://rancher.example.com"
            - name: CATTLE_CA_CHECKSUM
              value: "${checksum}"
`;

function logged() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'debug', destination: { write: (l: string) => void lines.push(l) } });
  return { logger, lines };
}

const input = (over: Partial<Parameters<typeof checkRancherCa>[0]> = {}) => ({
  cluster: 'c1',
  rancherUrl: 'https://rancher.example.com',
  manifest: manifest(SUM),
  cacerts: async () => CA,
  insecure: false,
  logger: logged().logger,
  ...over,
});

describe("Rancher's CA check (spec B.2)", () => {
  it('hashes the cacerts value plus the newline jq -r prints', () => {
    expect(cacertsChecksum(CA)).toBe(SUM);
    expect(cacertsChecksum(CA)).not.toBe(createHash('sha256').update(CA).digest('hex'));
  });

  it("reads CATTLE_CA_CHECKSUM from the agent Deployment; '' when Rancher gives none", () => {
    expect(manifestCaChecksum(manifest(SUM))).toBe(SUM);
    expect(manifestCaChecksum(manifest(''))).toBe('');
    expect(manifestCaChecksum('kind: Namespace\nmetadata: {name: x}\n')).toBeUndefined();
  });

  it('passes when they match, and skips (as the real agent does) when the manifest has no checksum', async () => {
    expect(await checkRancherCa(input())).toBe('matched');
    let asked = false;
    const skipped = await checkRancherCa(
      input({
        manifest: manifest(''),
        cacerts: async () => {
          asked = true;
          return CA;
        },
      }),
    );
    expect(skipped).toBe('skipped');
    expect(asked).toBe(false);
  });

  it('fails a mismatch naming both checksums, and an empty cacerts setting', async () => {
    const other = 'f'.repeat(64);
    await expect(checkRancherCa(input({ manifest: manifest(other) }))).rejects.toThrow(
      `Rancher's CA does not match the import manifest: sha256 of https://rancher.example.com/v3/settings/cacerts (value + newline) is ${SUM}, the manifest's CATTLE_CA_CHECKSUM is ${other}.`,
    );
    await expect(checkRancherCa(input({ manifest: manifest(other) }))).rejects.toThrow(
      /no tunnel was opened$/,
    );
    await expect(checkRancherCa(input({ cacerts: async () => '' }))).rejects.toThrow(
      `Rancher serves an empty cacerts setting (https://rancher.example.com/v3/settings/cacerts) but the import manifest's CATTLE_CA_CHECKSUM is ${SUM}`,
    );
  });

  it('with RancherInsecure, warns loudly instead', async () => {
    const { logger, lines } = logged();
    const other = 'e'.repeat(64);
    expect(await checkRancherCa(input({ manifest: manifest(other), insecure: true, logger }))).toBe(
      'mismatch-ignored',
    );
    const warning = lines
      .map((l) => JSON.parse(l) as { level: number; msg: string })
      .find((l) => l.level === 40);
    expect(warning?.msg).toContain(`the manifest's CATTLE_CA_CHECKSUM is ${other}`);
    expect(warning?.msg).toContain('RancherInsecure is on, so its tunnels are opened anyway');
  });
});
