import { describe, expect, it } from 'vitest';
import type { FrameRecord } from '../remotedialer/frame-tap';
import { MessageType } from '../remotedialer/message-types';
import { summarizeFrame } from './frame-summary';

const HEAD = 256;

function frame(type: number | null, payload: string | Uint8Array, size = 100): FrameRecord {
  const bytes = typeof payload === 'string' ? Buffer.from(payload, 'latin1') : payload;
  return {
    direction: 'in',
    type,
    typeName: 'x',
    connId: 5n,
    size,
    timestamp: 0,
    head: bytes.subarray(0, HEAD),
  };
}

describe('frame summaries', () => {
  it('shows the address of a Connect', () => {
    expect(summarizeFrame(frame(MessageType.Connect, 'tcp/api.c1.scale-agent.local:443'), HEAD)).toBe(
      'tcp/api.c1.scale-agent.local:443',
    );
  });

  it('shows the reason of an Error, with anything that looks like a token masked', () => {
    expect(summarizeFrame(frame(MessageType.Error, 'EOF'), HEAD)).toBe('EOF');
    const leaked = summarizeFrame(
      frame(MessageType.Error, 'dial failed: Bearer abcdefghijklmnopqrstuvwxyz0123'),
      HEAD,
    );
    expect(leaked).toContain('dial failed');
    expect(leaked).not.toContain('abcdefghijklmnopqrstuvwxyz0123');
  });

  it('names Pause and Resume', () => {
    expect(summarizeFrame(frame(MessageType.Pause, ''), HEAD)).toMatch(/^pause/);
    expect(summarizeFrame(frame(MessageType.Resume, ''), HEAD)).toBe('resume');
  });

  it('shows the request line of plain HTTP Data and never its headers', () => {
    const summary = summarizeFrame(
      frame(
        MessageType.Data,
        'GET /ping HTTP/1.1\r\nHost: not-used\r\nAuthorization: Bearer s3cr3t-t0ken-value\r\n\r\n',
      ),
      HEAD,
    );
    expect(summary).toBe('GET /ping HTTP/1.1');
  });

  it('shows the status line of an HTTP answer', () => {
    expect(
      summarizeFrame(frame(MessageType.Data, 'HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\npong'), HEAD),
    ).toBe('HTTP/1.1 200 OK');
    expect(summarizeFrame(frame(MessageType.Data, 'HTTP/1.1 404 Not Found\r\n'), HEAD)).toBe(
      'HTTP/1.1 404 Not Found',
    );
  });

  it('still names a request whose line is longer than the captured head', () => {
    const long = `GET /api/v1/nodes?${'x'.repeat(400)} HTTP/1.1\r\n`;
    const summary = summarizeFrame(frame(MessageType.Data, long), HEAD);
    expect(summary.startsWith('GET /api/v1/nodes?xxx')).toBe(true);
  });

  it('names TLS records on the main tunnel', () => {
    const clientHello = Uint8Array.from([22, 3, 1, 0, 200, 1, 0, 0, 196]);
    expect(summarizeFrame(frame(MessageType.Data, clientHello), HEAD)).toBe('TLS handshake: ClientHello');
    const appData = Uint8Array.from([23, 3, 3, 0, 64, 0xde, 0xad]);
    expect(summarizeFrame(frame(MessageType.Data, appData), HEAD)).toBe('TLS application data');
    expect(summarizeFrame(frame(MessageType.Data, Uint8Array.from([21, 3, 3, 0, 2, 1, 0])), HEAD)).toBe(
      'TLS alert',
    );
  });

  it('says "continued data" for the middle of a stream, without showing it', () => {
    expect(summarizeFrame(frame(MessageType.Data, 'n": "node-1", "token": "x"}'), HEAD)).toBe(
      'continued data',
    );
    expect(summarizeFrame(frame(MessageType.Data, ''), HEAD)).toBe('empty');
  });

  it('lists the ids of SyncConnections', () => {
    const ids = Buffer.alloc(16);
    ids.writeBigUInt64LE(2n, 0);
    ids.writeBigUInt64LE(7n, 8);
    expect(summarizeFrame(frame(MessageType.SyncConnections, ids), HEAD)).toBe('open: 2, 7');
    expect(summarizeFrame(frame(MessageType.SyncConnections, ''), HEAD)).toBe('no open connections');
  });

  it('describes undecodable and unknown frames by size', () => {
    expect(summarizeFrame(frame(null, 'zz', 9), HEAD)).toBe('undecodable frame (9 bytes)');
    expect(summarizeFrame(frame(42, 'zz', 9), HEAD)).toBe('unknown message type (9 bytes)');
  });
});
