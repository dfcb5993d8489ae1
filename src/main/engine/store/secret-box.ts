/**
 * Encrypts the secrets kept in the state file (Rancher registration and
 * service-account tokens) with AES-256-GCM. Headless: the key comes from
 * SCALE_AGENT_STATE_KEY (base64, 32 bytes) or a 0600 key file made once next
 * to the state; the desktop app can pass its own cipher (Electron safeStorage).
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-file';

export interface SecretCipher {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
}

export class AesSecretBox implements SecretCipher {
  constructor(private readonly key: Buffer) {
    if (key.length !== 32) throw new Error('the state key must be 32 bytes');
  }

  static fromEnvOrFile(keyPath: string, env: NodeJS.ProcessEnv = process.env): AesSecretBox {
    const fromEnv = env.SCALE_AGENT_STATE_KEY;
    if (fromEnv) return new AesSecretBox(Buffer.from(fromEnv, 'base64'));
    if (existsSync(keyPath)) {
      chmodSync(keyPath, 0o600);
      return new AesSecretBox(Buffer.from(readFileSync(keyPath, 'utf8').trim(), 'base64'));
    }
    const key = randomBytes(32);
    writeFileAtomic(keyPath, key.toString('base64'), 0o600);
    return new AesSecretBox(key);
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `v1:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  decrypt(sealed: string): string {
    if (!sealed.startsWith('v1:')) throw new Error('unknown secret format');
    const raw = Buffer.from(sealed.slice(3), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
  }
}
