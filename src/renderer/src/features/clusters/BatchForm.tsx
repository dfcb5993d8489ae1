/**
 * The batch form: names (pattern, or prefix and count) with a live preview
 * and a check against existing clusters, a template (preset or custom
 * YAML/JSON) with its totals as the engine computes them, Rancher import and
 * concurrency. Every problem shows at its field; nothing is sent until review.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CreateBatchRequest } from '../../../../shared/cluster';
import type { TemplateSummary } from '../../../../shared/template-summary';
import { useEngineOnce } from '../../engine/use-engine-call';
import {
  concurrencyProblem,
  parseConcurrency,
  previewPattern,
  previewPrefix,
  type PreviewResult,
} from './batch-names';
import { useClustersStore } from '../../engine/stores/clusters-store';
import { useEngineInfoStore } from '../../engine/stores/engine-info-store';
import { useEngine } from '../../engine/engine-provider';
import { useAgentsStore } from '../../engine/stores/agents-store';
import { LOCAL_AGENT } from '../../engine/agent-engines';
import type { BatchPlan } from './BatchReview';
import { TemplateTotalsView } from './TemplateTotalsView';

type NameMode = 'pattern' | 'prefix';

const CUSTOM = 'custom';
/** Wait this long after the last keystroke before asking the engine about a custom template. */
const CHECK_DELAY_MS = 300;

const CUSTOM_EXAMPLE = `kind: generator
nodes: 3
podsPerNode: 10
nodeSize: medium
`;

function toInt(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

/** A custom template's totals from the engine, or why it is not a template. */
function useCustomTemplate(text: string, enabled: boolean): { summary?: TemplateSummary; error?: string } {
  const engine = useEngine();
  const [result, setResult] = useState<{ summary?: TemplateSummary; error?: string }>({});
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    const timer = setTimeout(() => {
      engine.call('templates.check', { template: text }).then(
        (summary) => live && setResult({ summary }),
        (err: unknown) => live && setResult({ error: (err as Error).message.replace(/^template: /, '') }),
      );
    }, CHECK_DELAY_MS);
    return () => {
      live = false;
      clearTimeout(timer);
    };
  }, [engine, text, enabled]);
  return enabled ? result : {};
}

export function BatchForm({
  initial,
  onReview,
  onClose,
}: {
  initial?: CreateBatchRequest;
  onReview: (plan: BatchPlan) => void;
  onClose: () => void;
}): React.JSX.Element {
  const [mode, setMode] = useState<NameMode>(initial?.prefix !== undefined ? 'prefix' : 'pattern');
  const [pattern, setPattern] = useState(initial?.pattern ?? 'scale-{001..010}');
  const [prefix, setPrefix] = useState(initial?.prefix ?? 'scale-');
  const [count, setCount] = useState(String(initial?.count ?? 10));
  const [start, setStart] = useState(String(initial?.start ?? 1));
  const [padding, setPadding] = useState(initial?.padding === undefined ? '' : String(initial.padding));
  // Back from review: a preset name comes back as itself, custom YAML/JSON text as "custom".
  const initialTemplate = typeof initial?.template === 'string' ? initial.template : 'tiny';
  const initialIsText = /[\n:{]/.test(initialTemplate);
  const [template, setTemplate] = useState(initialIsText ? CUSTOM : initialTemplate);
  const [customText, setCustomText] = useState(initialIsText ? initialTemplate : CUSTOM_EXAMPLE);
  const [concurrency, setConcurrency] = useState(String(initial?.concurrency ?? 'auto'));
  const [importToRancher, setImportToRancher] = useState(initial?.importToRancher ?? true);

  const engine = useEngine();
  const touched = useRef(new Set<'template' | 'concurrency'>());
  // A new batch starts from the saved defaults (Settings); a batch being edited keeps its own values.
  useEffect(() => {
    if (initial) return;
    let live = true;
    engine.call('settings.get', undefined).then(
      ({ values }) => {
        if (!live) return;
        // Fields the user already changed keep the user's value.
        if (!touched.current.has('template')) setTemplate(values.defaultTemplate);
        if (!touched.current.has('concurrency')) setConcurrency(String(values.defaultConcurrency));
      },
      () => undefined, // the form's own defaults stand
    );
    return () => {
      live = false;
    };
  }, [engine, initial]);

  const info = useEngineInfoStore((s) => s.info);
  const presets = useEngineOnce('templates.list');
  const byName = useClustersStore((s) => s.byName);
  const byAgent = useClustersStore((s) => s.byAgent);
  const peers = useAgentsStore((s) => s.agents);
  const connectedPeers = useMemo(() => peers.filter((a) => a.connected).map((a) => a.name), [peers]);
  const [split, setSplit] = useState(false);
  const splitting = split && connectedPeers.length > 0;
  // A split batch must not take a name any agent holds; otherwise the selected agent's names.
  const taken = useMemo(
    () => new Set(splitting ? Object.values(byAgent).flatMap((m) => Object.keys(m)) : Object.keys(byName)),
    [splitting, byAgent, byName],
  );
  const isCustom = template === CUSTOM;
  const custom = useCustomTemplate(customText, isCustom);
  const rancherConfigured = Boolean(info?.rancherUrl);

  const names: PreviewResult =
    mode === 'pattern'
      ? previewPattern(pattern.trim(), taken)
      : previewPrefix(
          prefix.trim(),
          toInt(count),
          toInt(start),
          padding.trim() === '' ? undefined : toInt(padding),
          taken,
        );
  const concurrencyError = concurrencyProblem(parseConcurrency(concurrency));
  const summary = isCustom ? custom.summary : presets.data?.find((p) => p.name === template);
  const templateError = isCustom ? custom.error : undefined;
  const valid = names.ok && !concurrencyError && summary !== undefined && !templateError;

  function review(e: React.FormEvent): void {
    e.preventDefault();
    if (!names.ok || !summary || !valid) return;
    const common = {
      template: isCustom ? customText : template,
      concurrency: parseConcurrency(concurrency),
      ...(rancherConfigured ? { importToRancher } : {}),
    };
    const request: CreateBatchRequest =
      mode === 'pattern'
        ? { pattern: pattern.trim(), ...common }
        : {
            prefix: prefix.trim(),
            count: toInt(count),
            start: toInt(start),
            ...(padding.trim() === '' ? {} : { padding: toInt(padding) }),
            ...common,
          };
    onReview({
      request,
      names: names.preview,
      template: summary,
      rancherUrl: rancherConfigured && importToRancher ? (info?.rancherUrl ?? '') : '',
      connectRatePerSecond: info?.connectRatePerSecond,
      ...(splitting ? { agents: [LOCAL_AGENT, ...connectedPeers] } : {}),
    });
  }

  return (
    <form className="wizard" onSubmit={review} noValidate>
      <div className="segmented" role="radiogroup" aria-label="Name form">
        <button
          type="button"
          role="radio"
          aria-checked={mode === 'pattern'}
          className={mode === 'pattern' ? 'active' : ''}
          onClick={() => setMode('pattern')}
        >
          Pattern
        </button>
        <button
          type="button"
          role="radio"
          aria-checked={mode === 'prefix'}
          className={mode === 'prefix' ? 'active' : ''}
          onClick={() => setMode('prefix')}
        >
          Prefix + count
        </button>
      </div>

      {mode === 'pattern' ? (
        <label className="field">
          <span>Name pattern</span>
          <input
            className={`mono ${names.ok ? '' : 'invalid'}`}
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
            aria-invalid={!names.ok}
            aria-describedby="names-help"
            data-testid="pattern-input"
            autoFocus
          />
          <small className="hint">One numeric range in braces; leading zeros set the padding.</small>
        </label>
      ) : (
        <div className="field-row">
          <label className="field grow">
            <span>Prefix</span>
            <input
              className="mono"
              value={prefix}
              onChange={(e) => setPrefix(e.target.value)}
              data-testid="prefix-input"
            />
          </label>
          <label className="field narrow">
            <span>Count</span>
            <input
              inputMode="numeric"
              className={names.ok ? '' : 'invalid'}
              value={count}
              onChange={(e) => setCount(e.target.value)}
              data-testid="count-input"
            />
          </label>
          <label className="field narrow">
            <span>Start</span>
            <input inputMode="numeric" value={start} onChange={(e) => setStart(e.target.value)} />
          </label>
          <label className="field narrow">
            <span>Padding</span>
            <input
              inputMode="numeric"
              placeholder="auto"
              value={padding}
              onChange={(e) => setPadding(e.target.value)}
            />
          </label>
        </div>
      )}
      <div id="names-help">
        {names.ok ? (
          <div className="preview" data-testid="name-preview">
            <span className="count-pill" data-testid="preview-count">
              {names.preview.count} cluster{names.preview.count === 1 ? '' : 's'}
            </span>
            <span className="mono" data-testid="preview-first">
              {names.preview.first}
            </span>
            {names.preview.count > 1 && (
              <>
                <span className="muted">…</span>
                <span className="mono" data-testid="preview-last">
                  {names.preview.last}
                </span>
              </>
            )}
          </div>
        ) : (
          <p className="field-error" role="alert" data-testid="pattern-error">
            {names.error}
          </p>
        )}
      </div>

      <div className="field-row">
        <label className="field grow">
          <span>Template</span>
          <select
            value={template}
            onChange={(e) => {
              touched.current.add('template');
              setTemplate(e.target.value);
            }}
            data-testid="template-select"
          >
            {(presets.data ?? []).map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
            <option value={CUSTOM}>custom (YAML or JSON)…</option>
          </select>
          <small className="hint" data-testid="template-description">
            {isCustom
              ? 'A generator or a seed-format cluster template'
              : (summary?.description ?? presets.error ?? 'Loading presets…')}
          </small>
        </label>
        <label className="field narrow">
          <span>Concurrency</span>
          <input
            className={concurrencyError ? 'invalid' : ''}
            value={concurrency}
            title="auto: as many at once as the main apiserver keeps up with; or a fixed number"
            onChange={(e) => {
              touched.current.add('concurrency');
              setConcurrency(e.target.value);
            }}
            aria-invalid={Boolean(concurrencyError)}
            data-testid="concurrency-input"
          />
        </label>
      </div>
      {concurrencyError && (
        <p className="field-error" role="alert" data-testid="concurrency-error">
          {concurrencyError}
        </p>
      )}
      {isCustom && (
        <label className="field">
          <span>Custom template</span>
          <textarea
            className={`mono ${templateError ? 'invalid' : ''}`}
            rows={6}
            spellCheck={false}
            value={customText}
            onChange={(e) => setCustomText(e.target.value)}
            aria-invalid={Boolean(templateError)}
            data-testid="custom-template"
          />
        </label>
      )}
      {templateError && (
        <p className="field-error" role="alert" data-testid="template-error">
          {templateError}
        </p>
      )}
      {summary && <TemplateTotalsView summary={summary} count={names.ok ? names.preview.count : undefined} />}

      <label className="check">
        <input
          type="checkbox"
          checked={rancherConfigured && importToRancher}
          disabled={!rancherConfigured}
          onChange={(e) => setImportToRancher(e.target.checked)}
          data-testid="import-toggle"
        />
        <span>
          Import into Rancher
          <small className="hint">
            {' '}
            {rancherConfigured
              ? `${info?.rancherUrl}; off makes local-only clusters, importable later`
              : 'no Rancher configured: clusters stay local'}
          </small>
        </span>
      </label>

      {connectedPeers.length > 0 && (
        <label className="check">
          <input
            type="checkbox"
            checked={split}
            onChange={(e) => setSplit(e.target.checked)}
            data-testid="split-toggle"
          />
          <span>
            Split across {connectedPeers.length + 1} agents
            <small className="hint">
              {' '}
              this agent, {connectedPeers.join(', ')}: each makes an equal, consecutive share of the names
            </small>
          </span>
        </label>
      )}

      <footer className="modal-footer inline">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button type="submit" className="button primary" disabled={!valid} data-testid="wizard-submit">
          {names.ok ? `Review ${names.preview.count} clusters` : 'Review'}
        </button>
      </footer>
    </form>
  );
}
