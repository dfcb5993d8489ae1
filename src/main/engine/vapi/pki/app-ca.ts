/**
 * The app's certificate authority: made once, kept in `<home>/pki/` with a
 * 0600 private key, and reused across restarts, since Rancher stores the CA a
 * cluster sent and verifies every later connection against it.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCa, type PemPair } from './x509';

export async function loadOrCreateAppCa(homeDir: string): Promise<PemPair> {
  const dir = join(homeDir, 'pki');
  const certPath = join(dir, 'ca.crt');
  const keyPath = join(dir, 'ca.key');
  if (existsSync(certPath) && existsSync(keyPath)) {
    // Tighten the key's mode in case something loosened it.
    chmodSync(keyPath, 0o600);
    return { certPem: readFileSync(certPath, 'utf8'), keyPem: readFileSync(keyPath, 'utf8') };
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const ca = await createCa('scale-cluster-agent CA');
  writeAtomic(keyPath, ca.keyPem, 0o600);
  writeAtomic(certPath, ca.certPem, 0o644);
  return ca;
}

function writeAtomic(path: string, text: string, mode: number): void {
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, text, { mode });
  renameSync(tmp, path);
}
