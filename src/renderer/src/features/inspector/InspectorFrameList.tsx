/**
 * The inspector's frame list: windowed (only the rows in view are in the
 * DOM), newest at the bottom, and it follows the tail while the user is at
 * the bottom; scrolling up stops following so rows can be read.
 *
 * Built for floods (10,000 frames/s): while following, the window is taken
 * from the end of the rows, not from the scroll position, so a batch never
 * makes the browser lay out the page to answer "where are we?"; the scroll
 * position is written only when the content height changed. Rows are keyed
 * by their slot in the window, so new frames update existing DOM nodes
 * instead of replacing them.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { InspectorFrame } from '../../../../shared/inspector';
import { formatClock } from './frame-rows';
import { formatBytes } from '../../ui/units';
import '../../ui/grid-table.css';

export const FRAME_ROW_HEIGHT = 24;
const OVERSCAN = 5;

interface FrameListProps {
  rows: InspectorFrame[];
  /** Highlights this connection's rows. */
  followed: string | undefined;
  onConnection: (connId: string) => void;
  testId?: string;
  /** Fixed height of the scrolling area (CSS). */
  height?: string;
}

const FrameRow = memo(function FrameRow({
  frame,
  top,
  followed,
  onConnection,
}: {
  frame: InspectorFrame;
  top: number;
  followed: boolean;
  onConnection: (connId: string) => void;
}): React.JSX.Element {
  return (
    <div
      role="row"
      className={`frame-row dir-${frame.direction} type-${frame.type}${followed ? ' followed' : ''}`}
      style={{ top, height: FRAME_ROW_HEIGHT }}
      data-testid="frame-row"
      data-seq={frame.seq}
      data-conn={frame.connId}
      data-type={frame.type}
    >
      <span role="cell" className="mono muted">
        {formatClock(frame.time)}
      </span>
      <span role="cell" className="dir" title={frame.direction === 'in' ? 'from Rancher' : 'to Rancher'}>
        {frame.direction === 'in' ? '↓ in' : '↑ out'}
      </span>
      <span role="cell">
        <span className={`frame-type frame-type-${frame.type}`}>{frame.type}</span>
      </span>
      <span role="cell" className="mono">
        {frame.connId && (
          <button
            type="button"
            className="conn-link"
            title={`Follow connection ${frame.connId}`}
            onClick={() => onConnection(frame.connId)}
            data-testid="conn-link"
          >
            {frame.connId}
          </button>
        )}
      </span>
      <span role="cell" className="num mono">
        {formatBytes(frame.size)}
      </span>
      <span
        role="cell"
        className="mono summary"
        title={frame.http ? `${frame.http}\n${frame.summary}` : frame.summary}
      >
        {frame.http && <span className="http">{frame.http}</span>}
        {frame.http ? <span className="muted"> · {frame.summary}</span> : frame.summary}
      </span>
    </div>
  );
});

export function InspectorFrameList({
  rows,
  followed,
  onConnection,
  testId,
  height = 'max(200px, calc(100vh - 340px))',
}: FrameListProps): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [viewport, setViewport] = useState(480);
  const [following, setFollowing] = useState(true);
  /** The scrollTop we last wrote, so following never has to read (and lay out) it. */
  const written = useRef(-1);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const contentHeight = rows.length * FRAME_ROW_HEIGHT;
  const tailTop = Math.max(0, contentHeight - viewport);
  const top = following ? tailTop : scrollTop;

  // Following: keep the scroll position at the end. Once the list is at its
  // row cap the height stops changing and nothing is written at all.
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el || !following || written.current === tailTop) return;
    written.current = tailTop;
    el.scrollTop = tailTop;
  }, [following, tailTop]);

  const onScroll = useCallback(
    (e: React.UIEvent<HTMLDivElement>) => {
      const el = e.currentTarget;
      const position = el.scrollTop;
      // Our own write (or the end reached by hand) keeps following; scrolling up stops it.
      const atEnd = position >= el.scrollHeight - el.clientHeight - FRAME_ROW_HEIGHT * 2;
      if (position === written.current && following) return;
      written.current = -1;
      setFollowing(atEnd);
      setScrollTop(position);
    },
    [following],
  );

  const first = Math.max(0, Math.floor(top / FRAME_ROW_HEIGHT) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + viewport) / FRAME_ROW_HEIGHT) + OVERSCAN);
  const visible: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    const frame = rows[i] as InspectorFrame;
    visible.push(
      <FrameRow
        key={i - first}
        frame={frame}
        top={i * FRAME_ROW_HEIGHT}
        followed={followed !== undefined && frame.connId === followed}
        onConnection={onConnection}
      />,
    );
  }

  return (
    <div className="frame-table" role="table" aria-label="Tunnel frames">
      <div className="frame-row frame-head" role="row">
        <span role="columnheader">Time</span>
        <span role="columnheader">Dir</span>
        <span role="columnheader">Type</span>
        <span role="columnheader">Conn</span>
        <span role="columnheader" className="num">
          Size
        </span>
        <span role="columnheader">Summary</span>
      </div>
      <div ref={ref} className="frame-body" style={{ height }} onScroll={onScroll} data-testid={testId}>
        <div style={{ height: rows.length * FRAME_ROW_HEIGHT, position: 'relative' }}>{visible}</div>
      </div>
    </div>
  );
}
