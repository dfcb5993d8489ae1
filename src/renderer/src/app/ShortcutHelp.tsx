/** The keyboard shortcuts, listed ('?' opens it). */
import { SCREENS } from './screens';
import { Modal } from '../ui/Modal';

const COMMON: [keys: string, what: string][] = [
  ['/', 'Focus the filter of the current screen'],
  ['n', 'New batch of clusters (Clusters screen)'],
  ['t', 'Theme: system → light → dark'],
  ['?', 'Show or hide this list'],
  ['Esc', 'Close a dialog'],
];

export function ShortcutHelp({ onClose }: { onClose: () => void }): React.JSX.Element {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose} width={440} testId="shortcut-help">
      <table className="shortcuts">
        <tbody>
          {SCREENS.map((s) => (
            <tr key={s.id}>
              <td>
                <kbd>Alt</kbd>+<kbd>{s.key}</kbd>
              </td>
              <td>{s.label}</td>
            </tr>
          ))}
          {COMMON.map(([keys, what]) => (
            <tr key={keys}>
              <td>
                <kbd>{keys}</kbd>
              </td>
              <td>{what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
