/**
 * One connection's whole conversation: where it was dialled (Connect), what
 * travelled (request and status lines; on the main tunnel the requests the
 * virtual API decrypted), and why it closed. From the engine's history, kept
 * live from the batches.
 */
import { useMemo } from 'react';
import type { InspectorFrame } from '../../../../shared/inspector';
import type { Conversation } from './inspector-store';
import { InspectorFrameList } from './InspectorFrameList';

const HTTP_LINE = /^([A-Z]+ \S+ HTTP\/\d\.\d|HTTP\/\d\.\d \d{3}\b)/;

function story(conversation: Conversation): {
  address: string | undefined;
  http: string[];
  closeReason: string | undefined;
} {
  const { frames, summary } = conversation;
  const connect = frames.find((f) => f.type === 'Connect');
  const errors = frames.filter((f) => f.type === 'Error');
  const http: string[] = [...(summary?.http ?? [])];
  for (const f of frames) {
    // Main: what the virtual API decrypted; Steve: the plain request and status lines.
    const line = f.http ?? (f.type === 'Data' && HTTP_LINE.test(f.summary) ? f.summary : undefined);
    if (line && !http.includes(line)) http.push(line);
  }
  return {
    address: summary?.address ?? connect?.summary,
    http,
    closeReason: errors[0]?.summary ?? summary?.closeReason,
  };
}

export function InspectorConversation({
  conversation,
  onClose,
}: {
  conversation: Conversation;
  onClose: () => void;
}): React.JSX.Element {
  const { address, http, closeReason } = useMemo(() => story(conversation), [conversation]);
  const data = conversation.frames.filter((f: InspectorFrame) => f.type === 'Data');
  const bytes = data.reduce((n, f) => n + f.size, 0);
  return (
    <section className="panel conversation" aria-label="Connection" data-testid="conversation">
      <header>
        <h2>
          Connection <span className="mono">{conversation.connId}</span>
          <span className="count">{conversation.session === 'main' ? 'main tunnel' : 'Steve tunnel'}</span>
        </h2>
        <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
          ×
        </button>
      </header>
      {conversation.error && <p className="message error">{conversation.error}</p>}
      <dl className="conversation-facts">
        <dt>Connect</dt>
        <dd data-testid="conversation-address">
          {address ?? (conversation.loading ? '…' : 'not in history')}
        </dd>
        <dt>Data</dt>
        <dd>
          {data.length} frames, {bytes} bytes
        </dd>
        <dt>HTTP</dt>
        <dd data-testid="conversation-http">
          {http.length === 0 ? (
            <span className="muted">none seen</span>
          ) : (
            http.map((line, i) => <div key={`${i}-${line}`}>{line}</div>)
          )}
        </dd>
        <dt>Closed</dt>
        <dd data-testid="conversation-close">{closeReason ?? <span className="muted">open</span>}</dd>
      </dl>
      <InspectorFrameList
        rows={conversation.frames}
        followed={undefined}
        onConnection={() => undefined}
        testId="conversation-frames"
        height="240px"
      />
    </section>
  );
}
