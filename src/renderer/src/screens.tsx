/**
 * The app's screens, in navigation order. Each feature adds one entry here;
 * App renders the navigation, the shortcuts (Alt+<key>) and the active screen
 * from this list, so no screen needs to know about the others.
 */
import { ClustersScreen } from './components/ClustersScreen';

export interface ScreenEntry {
  id: string;
  label: string;
  /** Alt+<key> opens the screen. */
  key: string;
  render: () => React.JSX.Element;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: 'clusters', label: 'Clusters', key: '1', render: () => <ClustersScreen /> },
];
