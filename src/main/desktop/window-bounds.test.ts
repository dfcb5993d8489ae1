import { afterEach, describe, expect, it, vi } from 'vitest';
import { debounce, readSavedState, usableBounds } from './window-bounds';

const screen = { x: 0, y: 0, width: 1920, height: 1040 };
const second = { x: 1920, y: 0, width: 1280, height: 1024 };

describe('window bounds', () => {
  afterEach(() => vi.useRealTimers());

  it('restores bounds that are on a screen, rounded', () => {
    expect(usableBounds({ x: 100.4, y: 50, width: 1200, height: 800 }, [screen])).toEqual({
      x: 100,
      y: 50,
      width: 1200,
      height: 800,
    });
    expect(usableBounds({ x: 2000, y: 10, width: 1000, height: 700 }, [screen, second])).toBeDefined();
  });

  it('drops bounds on a screen that is gone, too small, or not numbers', () => {
    expect(usableBounds({ x: 2000, y: 10, width: 1000, height: 700 }, [screen])).toBeUndefined();
    expect(usableBounds({ x: 100, y: -400, width: 1000, height: 700 }, [screen])).toBeUndefined();
    expect(usableBounds({ x: 100, y: 100, width: 200, height: 100 }, [screen])).toBeUndefined();
    expect(usableBounds({ x: '1', y: 0, width: 1000, height: 700 }, [screen])).toBeUndefined();
    expect(usableBounds(undefined, [screen])).toBeUndefined();
  });

  it('reads whatever the store file holds without failing', () => {
    expect(readSavedState(undefined)).toEqual({});
    expect(readSavedState('junk')).toEqual({});
    expect(readSavedState({ bounds: { x: 1 }, maximized: 'yes' })).toEqual({ maximized: false });
    expect(readSavedState({ bounds: { x: 1, y: 2, width: 900, height: 700 }, maximized: true })).toEqual({
      bounds: { x: 1, y: 2, width: 900, height: 700 },
      maximized: true,
    });
  });

  it('debounces saves while moving, and flushes or cancels on demand', () => {
    vi.useFakeTimers();
    const fn = vi.fn();
    const d = debounce(fn, 500);
    for (let i = 0; i < 20; i++) {
      d();
      vi.advanceTimersByTime(100);
    }
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(500);
    expect(fn).toHaveBeenCalledTimes(1);
    d();
    d.flush();
    expect(fn).toHaveBeenCalledTimes(2);
    d();
    d.cancel();
    vi.advanceTimersByTime(1000);
    expect(fn).toHaveBeenCalledTimes(2);
  });
});
