/**
 * "New batch": names from a pattern or a prefix and count, a template
 * preset and a concurrency, checked at each field before anything is sent;
 * after submit, the batch's live progress (polled every 500 ms) with
 * retry-failed and cancel.
 */
import { useEffect, useState } from 'react';
import type { BatchStatus, CreateBatchRequest } from '../../../shared/cluster';
import { concurrencyProblem, previewPattern, previewPrefix, type PreviewResult } from '../lib/batch-names';
import { formatEta } from '../lib/format';
import { engine } from '../transport/engine-client';
import { Modal } from './Modal';

/** Mirrors the engine's presets (the renderer cannot import engine code). */
const PRESETS: { name: string; description: string }[] = [
  { name: 'tiny', description: '1 node, 5 pods: the cheapest, for big counts' },
  { name: 'default', description: '2 nodes (4 CPU, 8Gi), 4 pods, 3 services' },
  { name: 'medium', description: '10 nodes, 150 pods' },
  { name: 'large', description: '50 nodes, 1,500 pods' },
];

const POLL_MS = 500;

type NameMode = 'pattern' | 'prefix';

function toInt(text: string): number {
  return text.trim() === '' ? NaN : Number(text);
}

export function BatchWizard({ onClose }: { onClose: () => void }): React.JSX.Element {
  const [batchId, setBatchId] = useState<string>();
  return (
    <Modal
      title={batchId ? 'Batch progress' : 'New batch'}
      onClose={onClose}
      width={600}
      testId="batch-wizard"
    >
      {batchId ? (
        <BatchProgress id={batchId} onClose={onClose} />
      ) : (
        <BatchForm onCreated={setBatchId} onClose={onClose} />
      )}
    </Modal>
  );
}

function BatchForm({
  onCreated,
  onClose,
}: {
  onCreated: (id: string) => void;
  onClose: () => void;
}): React.JSX.Element {
  const [mode, setMode] = useState<NameMode>('pattern');
  const [pattern, setPattern] = useState('scale-{001..010}');
  const [prefix, setPrefix] = useState('scale-');
  const [count, setCount] = useState('10');
  const [start, setStart] = useState('1');
  const [padding, setPadding] = useState('');
  const [template, setTemplate] = useState('tiny');
  const [concurrency, setConcurrency] = useState('4');
  const [submitting, setSubmitting] = useState(false);
  const [engineError, setEngineError] = useState<string>();

  const names: PreviewResult =
    mode === 'pattern'
      ? previewPattern(pattern.trim())
      : previewPrefix(
          prefix.trim(),
          toInt(count),
          toInt(start),
          padding.trim() === '' ? undefined : toInt(padding),
        );
  const concurrencyError = concurrencyProblem(toInt(concurrency));
  const valid = names.ok && !concurrencyError;
  const preset = PRESETS.find((p) => p.name === template);

  async function submit(e: React.FormEvent): Promise<void> {
    e.preventDefault();
    if (!valid || submitting) return;
    const request: CreateBatchRequest =
      mode === 'pattern'
        ? { pattern: pattern.trim(), template, concurrency: toInt(concurrency) }
        : {
            prefix: prefix.trim(),
            count: toInt(count),
            start: toInt(start),
            ...(padding.trim() === '' ? {} : { padding: toInt(padding) }),
            template,
            concurrency: toInt(concurrency),
          };
    setSubmitting(true);
    setEngineError(undefined);
    try {
      const status = await engine.call('batches.create', request);
      onCreated(status.id);
    } catch (err) {
      setEngineError((err as Error).message);
      setSubmitting(false);
    }
  }

  return (
    <form className="wizard" onSubmit={(e) => void submit(e)} noValidate>
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
            onChange={(e) => setTemplate(e.target.value)}
            data-testid="template-select"
          >
            {PRESETS.map((p) => (
              <option key={p.name} value={p.name}>
                {p.name}
              </option>
            ))}
          </select>
          <small className="hint" data-testid="template-description">
            {preset?.description}
          </small>
        </label>
        <label className="field narrow">
          <span>Concurrency</span>
          <input
            inputMode="numeric"
            className={concurrencyError ? 'invalid' : ''}
            value={concurrency}
            onChange={(e) => setConcurrency(e.target.value)}
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

      {engineError && (
        <p className="message error banner" role="alert" data-testid="wizard-error">
          The agent refused the batch: {engineError}
        </p>
      )}

      <footer className="modal-footer inline">
        <button type="button" className="button" onClick={onClose}>
          Cancel
        </button>
        <button
          type="submit"
          className="button primary"
          disabled={!valid || submitting}
          data-testid="wizard-submit"
        >
          {submitting ? 'Creating…' : names.ok ? `Create ${names.preview.count} clusters` : 'Create'}
        </button>
      </footer>
    </form>
  );
}

function BatchProgress({ id, onClose }: { id: string; onClose: () => void }): React.JSX.Element {
  const [status, setStatus] = useState<BatchStatus>();
  const [pollError, setPollError] = useState<string>();
  const [actionError, setActionError] = useState<string>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    let stopped = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const poll = async (): Promise<void> => {
      try {
        const s = await engine.call('batches.get', { id });
        if (stopped) return;
        setStatus(s);
        setPollError(undefined);
      } catch (err) {
        if (!stopped) setPollError((err as Error).message);
      }
      // Keep polling after completion too, so "Retry failed" shows its effect.
      if (!stopped) timer = setTimeout(() => void poll(), POLL_MS);
    };
    void poll();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [id]);

  async function act(channel: 'batches.retry' | 'batches.cancel'): Promise<void> {
    setBusy(true);
    setActionError(undefined);
    try {
      setStatus(await engine.call(channel, { id }));
    } catch (err) {
      setActionError((err as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!status) return <p className="muted">{pollError ?? 'Loading batch…'}</p>;
  const ready = status.byStatus.ready ?? 0;
  const failed = status.byStatus.failed ?? 0;
  const cancelled = status.cancelled.length;
  const done = ready + failed;
  const pct = (n: number): string => `${status.total ? (100 * n) / status.total : 0}%`;
  const inProgress = Object.entries(status.byStatus).filter(([s, n]) => n && s !== 'ready' && s !== 'failed');

  return (
    <div className="batch-progress" data-testid="batch-progress">
      <div className="progress-head">
        <span className={`badge batch-${status.state}`} data-testid="batch-state">
          {status.state}
        </span>
        <span className="mono muted">{status.id}</span>
        <span className="muted">
          {status.template} · concurrency {status.concurrency}
        </span>
      </div>
      <div className="progress-bar" aria-label="Batch progress">
        <div className="progress-ok" style={{ width: pct(ready) }} />
        <div className="progress-bad" style={{ width: pct(failed) }} />
      </div>
      <div className="progress-figures">
        <strong data-testid="batch-done">
          {done}/{status.total}
        </strong>
        <span data-testid="batch-ready">{ready} ready</span>
        {failed > 0 && <span className="row-error">{failed} failed</span>}
        {cancelled > 0 && <span className="muted">{cancelled} cancelled</span>}
        <span className="spacer" />
        <span>{status.ratePerSecond.toFixed(2)} clusters/s</span>
        <span>ETA {status.state === 'running' ? formatEta(status.etaSeconds) : '—'}</span>
      </div>
      {inProgress.length > 0 && (
        <div className="status-chips" data-testid="batch-by-status">
          {inProgress.map(([s, n]) => (
            <span key={s} className={`badge status-${s}`}>
              {s} {n}
            </span>
          ))}
        </div>
      )}
      {status.failures.length > 0 && (
        <div className="failures" data-testid="batch-failures">
          <h3>Failures</h3>
          <ul>
            {status.failures.map((f) => (
              <li key={f.name}>
                <span className="mono">{f.name}</span> <span className="row-error">{f.error}</span>
              </li>
            ))}
          </ul>
        </div>
      )}
      {(pollError || actionError) && <p className="message error">{actionError ?? pollError}</p>}
      <footer className="modal-footer inline">
        {status.failures.length > 0 && (
          <button type="button" className="button" disabled={busy} onClick={() => void act('batches.retry')}>
            Retry failed
          </button>
        )}
        {status.state === 'running' && (
          <button
            type="button"
            className="button danger"
            disabled={busy}
            onClick={() => void act('batches.cancel')}
            data-testid="batch-cancel"
          >
            Cancel batch
          </button>
        )}
        <button type="button" className="button primary" onClick={onClose} data-testid="batch-close">
          Close
        </button>
      </footer>
    </div>
  );
}
