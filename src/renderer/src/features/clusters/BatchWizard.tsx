/**
 * "New batch": a form (names, template with its totals, Rancher import,
 * concurrency) checked at each field before anything is sent, a review of
 * what will be made, then the batch's live progress.
 */
import { useState } from 'react';
import type { CreateBatchRequest } from '../../../../shared/cluster';
import { BatchForm } from './BatchForm';
import { BatchProgress } from './BatchProgress';
import { BatchReview, type AgentBatch, type BatchPlan } from './BatchReview';
import { Modal } from '../../ui/Modal';
import { EngineProvider, useEngine } from '../../engine/engine-provider';
import { engineForAgent } from '../../engine/agent-engines';

type Step =
  | { kind: 'form' }
  | { kind: 'review'; plan: BatchPlan }
  | { kind: 'progress'; batches: AgentBatch[]; refused?: string };

export function BatchWizard({ onClose }: { onClose: () => void }): React.JSX.Element {
  const engine = useEngine();
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
          onCreated={(batches, refused) => setStep({ kind: 'progress', batches, refused })}
        />
      )}
      {step.kind === 'progress' && step.refused && (
        <p className="message error banner" role="alert" data-testid="wizard-error">
          Refused: {step.refused}
        </p>
      )}
      {step.kind === 'progress' &&
        step.batches.map(({ agent, id }) =>
          agent === undefined ? (
            <BatchProgress key={id} id={id} onClose={onClose} />
          ) : (
            // A split batch: each share's progress comes from the agent that makes it.
            <EngineProvider key={`${agent}/${id}`} engine={engineForAgent(engine, agent)}>
              <BatchProgress id={id} agent={agent} onClose={onClose} />
            </EngineProvider>
          ),
        )}
    </Modal>
  );
}
