/**
 * Which saved window bounds are still usable: the screen setup may have
 * changed since they were saved (a monitor unplugged, a lower resolution), and
 * a window restored off every screen cannot be reached. Plain logic, no
 * Electron, so it is tested on its own.
 */

export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface SavedWindowState {
  bounds?: Rect;
  maximized?: boolean;
}

export const MIN_WIDTH = 640;
export const MIN_HEIGHT = 400;
/** How much of the title bar must be on a screen for the window to count as reachable. */
const VISIBLE_MIN = 100;

function isRect(value: unknown): value is Rect {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Record<string, unknown>;
  return ['x', 'y', 'width', 'height'].every((k) => typeof r[k] === 'number' && Number.isFinite(r[k]));
}

/**
 * The saved bounds when they are sane and enough of the window's top edge is
 * on one of the displays' work areas; undefined means "use the defaults".
 */
export function usableBounds(saved: unknown, workAreas: readonly Rect[]): Rect | undefined {
  if (!isRect(saved)) return undefined;
  const bounds = {
    x: Math.round(saved.x),
    y: Math.round(saved.y),
    width: Math.round(saved.width),
    height: Math.round(saved.height),
  };
  if (bounds.width < MIN_WIDTH || bounds.height < MIN_HEIGHT) return undefined;
  const reachable = workAreas.some((area) => {
    const titleTop = bounds.y;
    const overlap = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    return overlap >= VISIBLE_MIN && titleTop >= area.y && titleTop < area.y + area.height - 20;
  });
  return reachable ? bounds : undefined;
}

/** Reads what the store holds, whatever it is (a hand-edited or old file must not break the start). */
export function readSavedState(raw: unknown): SavedWindowState {
  if (typeof raw !== 'object' || raw === null) return {};
  const r = raw as Record<string, unknown>;
  return {
    ...(isRect(r.bounds) ? { bounds: r.bounds } : {}),
    maximized: r.maximized === true,
  };
}

/** Calls `fn` once things have been quiet for `ms` (a drag fires hundreds of move events). */
export function debounce(fn: () => void, ms: number): { (): void; flush(): void; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const run = (): void => {
    timer = undefined;
    fn();
  };
  const debounced = (): void => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(run, ms);
  };
  debounced.flush = (): void => {
    if (!timer) return;
    clearTimeout(timer);
    run();
  };
  debounced.cancel = (): void => {
    if (timer) clearTimeout(timer);
    timer = undefined;
  };
  return debounced;
}
