import { once } from 'node:events';
import { describe, expect, it } from 'vitest';
import { linkedDuplexPair } from './linked-duplex-pair';

describe('linkedDuplexPair', () => {
  it('destroys the other side when one side is destroyed', async () => {
    const [a, b] = linkedDuplexPair();
    const closed = once(b, 'close');
    a.destroy();
    await closed;
    expect(b.destroyed).toBe(true);
  });

  it('passes an error-destroy on too, either way', async () => {
    const [a, b] = linkedDuplexPair();
    a.on('error', () => undefined);
    b.on('error', () => undefined);
    const closed = once(a, 'close');
    b.destroy(new Error('boom'));
    await closed;
    expect(a.destroyed).toBe(true);
  });

  it('a clean end in both directions delivers every byte and closes both sides', async () => {
    const [a, b] = linkedDuplexPair();
    let atB = '';
    let atA = '';
    b.on('data', (d: Buffer) => (atB += d.toString()));
    a.on('data', (d: Buffer) => (atA += d.toString()));
    const bothClosed = Promise.all([once(a, 'close'), once(b, 'close')]);
    a.end('request');
    b.end('answer');
    await bothClosed;
    expect(atB).toBe('request');
    expect(atA).toBe('answer');
  });
});
