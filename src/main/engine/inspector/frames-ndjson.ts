/**
 * A session's frames as NDJSON (one JSON object a line, oldest first), the
 * export format of the REST route and the UI's "Export NDJSON" button. Each
 * line names its cluster and session so exports of several sessions can be
 * concatenated and still be told apart.
 */
import type { TunnelSessionKind } from '../../../shared/inspector';
import { toWireFrame, type RecordedFrame } from './session-recorder';

export function framesToNdjson(
  cluster: string,
  session: TunnelSessionKind,
  frames: Iterable<RecordedFrame>,
): string {
  const lines: string[] = [];
  for (const frame of frames) {
    const wire = toWireFrame(frame);
    lines.push(
      JSON.stringify({
        cluster,
        session,
        seq: wire.seq,
        time: new Date(wire.time).toISOString(),
        direction: wire.direction,
        type: wire.type,
        connId: wire.connId,
        size: wire.size,
        summary: wire.summary,
        ...(wire.http !== undefined ? { http: wire.http } : {}),
      }),
    );
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}
