/**
 * Windowed rendering for long lists with a fixed row height: only the rows
 * in view (plus an overscan margin) are in the DOM, so thousands of clusters
 * scroll as cheaply as twenty.
 */
import { useEffect, useRef, useState } from 'react';

interface VirtualRowsProps {
  count: number;
  rowHeight: number;
  /** Extra rows rendered above and below the visible ones. */
  overscan?: number;
  renderRow: (index: number, style: React.CSSProperties) => React.ReactNode;
  className?: string;
  testId?: string;
}

export function VirtualRows({
  count,
  rowHeight,
  overscan = 8,
  renderRow,
  className,
  testId,
}: VirtualRowsProps): React.JSX.Element {
  const ref = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  // The container grows with its rows up to a CSS max-height, then scrolls.
  const [viewport, setViewport] = useState(600);

  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const observer = new ResizeObserver(() => setViewport(el.clientHeight));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  const first = Math.max(0, Math.floor(scrollTop / rowHeight) - overscan);
  const last = Math.min(count, Math.ceil((scrollTop + viewport) / rowHeight) + overscan);
  const rows: React.ReactNode[] = [];
  for (let i = first; i < last; i++) {
    rows.push(
      renderRow(i, { position: 'absolute', top: i * rowHeight, height: rowHeight, left: 0, right: 0 }),
    );
  }

  return (
    <div
      ref={ref}
      className={className}
      data-testid={testId}
      onScroll={(e) => setScrollTop(e.currentTarget.scrollTop)}
      style={{ overflowY: 'auto', position: 'relative', height: count * rowHeight }}
    >
      <div style={{ height: count * rowHeight, position: 'relative' }}>{rows}</div>
    </div>
  );
}
