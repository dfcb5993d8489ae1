import type { TemplateSummary } from '../../../../shared/template-summary';

/** A template's totals per cluster, and for the whole batch when a count is given. */
export function TemplateTotalsView({
  summary,
  count,
}: {
  summary: TemplateSummary;
  count?: number;
}): React.JSX.Element {
  const { capacity, requests } = summary;
  return (
    <dl className="template-totals" data-testid="template-totals">
      <div>
        <dt>Nodes</dt>
        <dd data-testid="totals-nodes">{summary.nodes}</dd>
      </div>
      <div>
        <dt>Pods</dt>
        <dd data-testid="totals-pods">{summary.pods}</dd>
      </div>
      <div>
        <dt>CPU</dt>
        <dd>
          {capacity.cpu ?? '0'}
          {requests.cpu ? <small className="muted"> ({requests.cpu} requested)</small> : null}
        </dd>
      </div>
      <div>
        <dt>Memory</dt>
        <dd>
          {capacity.memory ?? '0'}
          {requests.memory ? <small className="muted"> ({requests.memory} requested)</small> : null}
        </dd>
      </div>
      {count !== undefined && count > 1 && (
        <div className="batch-totals" data-testid="batch-totals">
          <dt>Whole batch</dt>
          <dd>
            {(summary.nodes * count).toLocaleString()} nodes, {(summary.pods * count).toLocaleString()} pods
          </dd>
        </div>
      )}
    </dl>
  );
}
