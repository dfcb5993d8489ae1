/** Asks before something destructive; the confirm button names the action. */
import { Modal } from './Modal';

interface ConfirmDialogProps {
  title: string;
  message: React.ReactNode;
  confirmLabel: string;
  busy?: boolean;
  error?: string;
  onConfirm: () => void;
  onCancel: () => void;
}

export function ConfirmDialog(props: ConfirmDialogProps): React.JSX.Element {
  return (
    <Modal
      title={props.title}
      onClose={props.onCancel}
      width={440}
      testId="confirm-dialog"
      footer={
        <>
          <button type="button" className="button" onClick={props.onCancel} disabled={props.busy}>
            Cancel
          </button>
          <button
            type="button"
            className="button danger"
            onClick={props.onConfirm}
            disabled={props.busy}
            data-testid="confirm-button"
          >
            {props.busy ? 'Working…' : props.confirmLabel}
          </button>
        </>
      }
    >
      <div className="confirm-message">{props.message}</div>
      {props.error && <p className="field-error">{props.error}</p>}
    </Modal>
  );
}
