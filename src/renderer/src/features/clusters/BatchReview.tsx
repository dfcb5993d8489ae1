/** The wizard's review: what the batch will make, before anything is sent. */
import { useState } from 'react';
import type { CreateBatchRequest } from '../../../../shared/cluster';
import type { TemplateSummary } from '../../../../shared/template-summary';
import type { NamePreview } from './batch-names';
import { useEngine } from '../../engine/engine-provider';
import { engineForAgent } from '../../engine/agent-engines';
import { splitBatch } from './batch-split';
import { TemplateTotalsView } from './TemplateTotalsView';

export interface BatchPlan {
  request: CreateBatchRequest;
  names: NamePreview;
  template: TemplateSummary;
  /** Where the clusters will be imported; empty for local-only. */
  rancherUrl: string;
  connectRatePerSecond: number | undefined;
  /** Split across these agents (LOCAL_AGENT is this one); absent: made by the selected agent alone. */
  agents?: string[];
}

/** A batch and the agent that makes it (absent: the selected agent). */
export interface AgentBatch {
  agent?: string;
  id: string;
}

export function BatchReview({
  plan,
  onBack,
  onCreated,
}: {
  plan: BatchPlan;
  onBack: () => void;
  /** The batches made; `refused` says which agents refused their share, when some did. */
  onCreated: (batches: AgentBatch[], refused?: string) => void;
}): React.JSX.Element {
  const engine = useEngine();
  const [submitting, setSubmitting] = useState(false);
  const [engineError, setEngineError] = useState<string>();
  const { names, request } = plan;

  async function create(): Promise<void> {
    setSubmitting(true);
    setEngineError(undefined);
    if (!plan.agents) {
      try {
        const status = await engine.call('batches.create', request);
        onCreated([{ id: status.id }]);
      } catch (err) {
        setEngineError((err as Error).message);
        setSubmitting(false);
      }
      return;
    }
    // Each agent checks its share before making anything; a share refused is said with its agent.
    const shares = splitBatch(request, plan.agents.length);
    const results = await Promise.allSettled(
      shares.map((share, i) => engineForAgent(engine, plan.agents![i]!).call('batches.create', share)),
    );
    const made: AgentBatch[] = [];
    const refused: string[] = [];
    results.forEach((r, i) => {
      const agent = plan.agents![i]!;
      if (r.status === 'fulfilled') made.push({ agent, id: r.value.id });
      else refused.push(`${agent || 'this agent'}: ${(r.reason as Error).message}`);
    });
    if (made.length > 0) onCreated(made, refused.length ? refused.join('; ') : undefined);
    else {
      setEngineError(refused.join('; '));
      setSubmitting(false);
    }
  }

  return (
    <div className="wizard review" data-testid="batch-review">
      <dl className="review-list">
        <dt>Clusters</dt>
        <dd data-testid="review-names">
          <strong>{names.count}</strong>{' '}
          <span className="mono">
            {names.first}
            {names.count > 1 ? ` … ${names.last}` : ''}
          </span>
        </dd>
        <dt>Template</dt>
        <dd className="mono">{plan.template.name}</dd>
        <dt>Rancher</dt>
        <dd data-testid="review-rancher">
          {plan.rancherUrl ? `import into ${plan.rancherUrl}` : 'local only (not imported)'}
        </dd>
        {plan.agents && (
          <>
            <dt>Agents</dt>
            <dd data-testid="review-agents">
              split across {plan.agents.length}: {plan.agents.map((a) => a || 'this agent').join(', ')}
            </dd>
          </>
        )}
        <dt>Concurrency</dt>
        <dd>
          {request.concurrency === 'auto' || request.concurrency === undefined
            ? 'auto: as many at once as the main apiserver keeps up with'
            : `${request.concurrency} clusters provisioned at once`}
        </dd>
        {plan.rancherUrl && plan.connectRatePerSecond !== undefined && (
          <>
            <dt>Connect rate</dt>
            <dd>
              at most {plan.connectRatePerSecond} tunnel connects per second across all clusters (set with
              ConnectRatePerSecond)
            </dd>
          </>
        )}
      </dl>
      <TemplateTotalsView summary={plan.template} count={names.count} />
      {engineError && (
        <p className="message error banner" role="alert" data-testid="wizard-error">
          The agent refused the batch: {engineError}
        </p>
      )}
      <footer className="modal-footer inline">
        <button type="button" className="button" onClick={onBack} disabled={submitting}>
          Back
        </button>
        <button
          type="button"
          className="button primary"
          disabled={submitting}
          onClick={() => void create()}
          data-testid="wizard-create"
          autoFocus
        >
          {submitting ? 'Creating…' : `Create ${names.count} clusters`}
        </button>
      </footer>
    </div>
  );
}
