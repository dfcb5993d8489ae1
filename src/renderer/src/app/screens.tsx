/**
 * The app's screens, in navigation order. Each feature adds one entry here;
 * App renders the navigation, the shortcuts (Alt+<key>) and the active screen
 * from this list, so no screen needs to know about the others.
 */
import { ClustersScreen } from '../features/clusters/ClustersScreen';
import { InspectorScreen } from '../features/inspector/InspectorScreen';
import { LogsScreen } from '../features/logs/LogsScreen';
import { MemoryScreen } from '../features/memory/MemoryScreen';
import { SettingsScreen } from '../features/settings/SettingsScreen';
import { FaultsScreen } from '../features/faults/FaultsScreen';

export interface ScreenEntry {
  id: string;
  label: string;
  /** Alt+<key> opens the screen. */
  key: string;
  render: () => React.JSX.Element;
}

export const SCREENS: readonly ScreenEntry[] = [
  { id: 'clusters', label: 'Clusters', key: '1', render: () => <ClustersScreen /> },
  { id: 'inspector', label: 'Inspector', key: '2', render: () => <InspectorScreen /> },
  { id: 'memory', label: 'Memory', key: '3', render: () => <MemoryScreen /> },
  { id: 'logs', label: 'Logs', key: '4', render: () => <LogsScreen /> },
  { id: 'settings', label: 'Settings', key: '5', render: () => <SettingsScreen /> },
  { id: 'faults', label: 'Faults', key: '6', render: () => <FaultsScreen /> },
];
