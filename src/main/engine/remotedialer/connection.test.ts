import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  MAX_BUFFER,
  PAUSE_STALL_MS,
  TunnelConnection,
  WAKE_PEER_AFTER_MS,
  type ConnectionTransport,
} from './connection';

/** Records what the connection sends; Data completes at once. */
function recordingTransport(): ConnectionTransport & { sent: string[]; dataBytes: number } {
  const transport = {
    sent: [] as string[],
    dataBytes: 0,
    sendData(_connId: bigint, payload: Uint8Array, done?: (error?: Error | null) => void) {
      transport.sent.push('Data');
      transport.dataBytes += payload.length;
      done?.(null);
    },
    sendPause: () => transport.sent.push('Pause'),
    sendResume: () => transport.sent.push('Resume'),
    sendError: (_connId: bigint, text: string) => transport.sent.push(`Error ${text}`),
    forget: () => undefined,
  };
  return transport;
}

describe('TunnelConnection back-pressure', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('holds writes while the peer has paused us and sends them on Resume', async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receivePause();
    connection.write(Buffer.alloc(10));
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.dataBytes).toBe(0);
    connection.receiveResume();
    expect(transport.dataBytes).toBe(10);
    connection.destroy();
  });

  it('wakes a Go writer left asleep by its own Resume, once we are idle', async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receivePause();
    connection.receiveResume();
    expect(transport.sent).toEqual([]);
    await vi.advanceTimersByTimeAsync(WAKE_PEER_AFTER_MS + 1);
    expect(transport.sent).toEqual(['Resume']);
    connection.destroy();
  });

  it('does not wake a peer whose writer is evidently awake', async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receivePause();
    connection.receiveResume();
    connection.receiveData(Buffer.from('still talking'));
    await vi.advanceTimersByTimeAsync(WAKE_PEER_AFTER_MS * 3);
    expect(transport.sent).toEqual([]);
    connection.destroy();
  });

  it('never answers a Resume it did not need, so two of ours cannot ping-pong', async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receiveResume();
    await vi.advanceTimersByTimeAsync(WAKE_PEER_AFTER_MS * 3);
    expect(transport.sent).toEqual([]);
    connection.destroy();
  });

  it("gives up on a Pause that lasts too long (its Resume was lost to Go's shared flag)", async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receivePause();
    connection.write(Buffer.alloc(10));
    await vi.advanceTimersByTimeAsync(PAUSE_STALL_MS - 100);
    expect(transport.dataBytes).toBe(0);
    await vi.advanceTimersByTimeAsync(200);
    expect(transport.sent).toEqual(['Resume', 'Data']);
    connection.destroy();
  });

  it("treats its own Resume as ending the peer's Pause, as a Go peer does", async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receiveData(Buffer.alloc(MAX_BUFFER + 1));
    expect(transport.sent).toEqual(['Pause']);
    connection.receivePause();
    connection.write(Buffer.alloc(10));
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.dataBytes).toBe(0);
    connection.resume(); // our reader drains the buffer
    await vi.advanceTimersByTimeAsync(1);
    expect(transport.sent.slice(0, 3)).toEqual(['Pause', 'Resume', 'Data']);
    connection.destroy();
  });

  it('re-asserts its Pause when the peer kept writing for longer than the stall limit', async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.receiveData(Buffer.alloc(MAX_BUFFER + 1));
    connection.receiveData(Buffer.alloc(1000));
    expect(transport.sent).toEqual(['Pause']);
    await vi.advanceTimersByTimeAsync(PAUSE_STALL_MS + 1);
    connection.receiveData(Buffer.alloc(1000));
    expect(transport.sent).toEqual(['Pause', 'Pause']);
    connection.destroy();
  });

  it('closes with Error EOF when the local side ends, once', async () => {
    const transport = recordingTransport();
    const connection = new TunnelConnection(2n, 'tcp', 'x', transport);
    connection.end('bye');
    connection.resume();
    await vi.advanceTimersByTimeAsync(1);
    connection.destroy();
    expect(transport.sent).toEqual(['Data', 'Error EOF']);
  });
});
