/**
 * "New batch": a form (names, template with its totals, Rancher import,
 * concurrency) checked at each field before anything is sent, a review of
 * what will be made, then the batch's live progress.
 */
import { useState } from 'react';
import type { CreateBatchRequest } from '../../../../shared/cluster';
import { BatchForm } from './BatchForm';
import { BatchProgress } from './BatchProgress';
import { BatchReview, type BatchPlan } from './BatchReview';
import { Modal } from '../../ui/Modal';

type Step = { kind: 'form' } | { kind: 'review'; plan: BatchPlan } | { kind: 'progress'; id: string };

export function BatchWizard({ onClose }: { onClose: () => void }): React.JSX.Element {
  const [step, setStep] = useState<Step>({ kind: 'form' });
  // The form keeps its fields when the user goes back from the review.
  const [draft, setDraft] = useState<CreateBatchRequest>();
  const title =
    step.kind === 'form' ? 'New batch' : step.kind === 'review' ? 'Review batch' : 'Batch progress';
  return (
    <Modal title={title} onClose={onClose} width={640} testId="batch-wizard">
      {step.kind === 'form' && (
        <BatchForm
          initial={draft}
          onReview={(plan) => {
            setDraft(plan.request);
            setStep({ kind: 'review', plan });
          }}
          onClose={onClose}
        />
      )}
      {step.kind === 'review' && (
        <BatchReview
          plan={step.plan}
          onBack={() => setStep({ kind: 'form' })}
          onCreated={(id) => setStep({ kind: 'progress', id })}
        />
      )}
      {step.kind === 'progress' && <BatchProgress id={step.id} onClose={onClose} />}
    </Modal>
  );
}
