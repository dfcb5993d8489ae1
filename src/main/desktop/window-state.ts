/**
 * Remembers the main window's size, position and maximized state across
 * starts (electron-store, in the app's user-data folder). Saved a moment
 * after the user stops moving or resizing, and at close; restored only when
 * it still fits on a screen.
 */
import { screen, type BrowserWindow, type BrowserWindowConstructorOptions } from 'electron';
import Store from 'electron-store';
import { debounce, readSavedState, usableBounds, type SavedWindowState } from './window-bounds';

const SAVE_DELAY_MS = 500;

export class WindowState {
  private readonly store = new Store<{ window: SavedWindowState }>({ name: 'window-state' });
  private readonly saved: SavedWindowState = readSavedState(this.store.get('window'));

  /** Size and position for a new window: the saved ones if usable, else `defaults` (centered). */
  windowOptions(defaults: { width: number; height: number }): BrowserWindowConstructorOptions {
    const bounds = usableBounds(
      this.saved.bounds,
      screen.getAllDisplays().map((d) => d.workArea),
    );
    return bounds ?? { ...defaults, center: true };
  }

  /** Maximizes the window if it was, and keeps its state saved from now on. */
  track(win: BrowserWindow): void {
    if (this.saved.maximized) win.maximize();
    const save = (): void => {
      if (win.isDestroyed() || win.isMinimized() || win.isFullScreen()) return;
      // Normal bounds, so a maximized window comes back to its old size when restored.
      const state: SavedWindowState = { bounds: win.getNormalBounds(), maximized: win.isMaximized() };
      this.store.set('window', state);
    };
    const later = debounce(save, SAVE_DELAY_MS);
    win.on('move', later);
    win.on('resize', later);
    win.on('maximize', later);
    win.on('unmaximize', later);
    win.on('close', () => {
      later.cancel();
      save();
    });
  }
}
