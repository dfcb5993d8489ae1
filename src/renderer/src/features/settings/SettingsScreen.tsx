/**
 * Settings: Rancher (URL, write-only API token, CA or skip verification,
 * with a connection test that says exactly what failed), the main cluster,
 * and defaults for new batches. Every field says whether it applies at once
 * or at the next start, problems show at the field before anything is sent,
 * and after saving the screen says what took effect and what waits.
 */
import { useEffect } from 'react';
import type { ConnectionFailure, SettingsField } from '../../../../shared/settings';
import { SETTINGS_LABELS } from '../../../../shared/settings';
import {
  crossFieldProblems,
  rancherTokenProblem,
  settingsFieldProblem,
} from '../../../../shared/settings-validation';
import { changedValues, useSettingsStore, valuesOf, type SettingsDraft } from './settings-store';
import './settings.css';

const FAILURE_TITLES: Record<ConnectionFailure, string> = {
  refused: 'Connection refused',
  unreachable: 'Unreachable',
  dns: 'Host name not found',
  timeout: 'Timed out',
  'tls-untrusted': 'Certificate not trusted',
  'tls-hostname': 'Certificate is for another host',
  'tls-expired': 'Certificate expired',
  'tls-handshake': 'TLS handshake failed',
  unauthorized: 'Token refused (401)',
  forbidden: 'Token not allowed (403)',
  'not-rancher': 'Not a Rancher server',
  'http-error': 'Unexpected answer',
};

type Errors = Partial<Record<SettingsField, string>>;

export function SettingsScreen(): React.JSX.Element {
  const s = useSettingsStore();
  const { view, draft } = s;

  useEffect(() => {
    void useSettingsStore.getState().load();
  }, []);

  if (!view || !draft) {
    return (
      <main className="settings-screen">
        <p className={s.loadError ? 'message error' : 'message'}>
          {s.loadError ? `Settings cannot be read: ${s.loadError}` : 'Loading settings…'}
        </p>
      </main>
    );
  }

  const typed = valuesOf(draft);
  const rules = { presets: view.presets };
  const errors: Errors = {};
  for (const field of Object.keys(draft) as (keyof SettingsDraft)[]) {
    const problem = settingsFieldProblem(field, typed[field], rules);
    if (problem) errors[field] = problem;
  }
  if (s.token.trim() !== '') {
    const problem = rancherTokenProblem(s.token);
    if (problem) errors.rancherToken = problem;
  }
  const tokenWillBeSet =
    s.token.trim() !== '' ||
    (view.token.set && !s.clearToken) ||
    view.overriddenBy.rancherToken !== undefined;
  for (const p of crossFieldProblems(typed, tokenWillBeSet)) errors[p.field as SettingsField] ??= p.problem;
  for (const [field, problem] of Object.entries(s.serverErrors)) errors[field as SettingsField] ??= problem;

  const changes =
    Object.keys(changedValues(view, draft)).length + (s.token.trim() !== '' || s.clearToken ? 1 : 0);
  const hasErrors = Object.keys(errors).length > 0;
  const canTest =
    draft.rancherUrl.trim() !== '' &&
    !errors.rancherUrl &&
    !errors.rancherCaCert &&
    !(s.token.trim() !== '' && errors.rancherToken) &&
    (s.token.trim() !== '' || view.token.set) &&
    !s.testing;

  const field = (name: SettingsField): FieldMeta => ({
    name,
    applies: view.applies[name],
    overriddenBy: view.overriddenBy[name],
    pending: view.pendingRestart.includes(name),
    error: errors[name],
  });

  return (
    <>
      <div className="screen-toolbar">
        <h2>Settings</h2>
        <span className="spacer" />
        <span className="muted small" data-testid="settings-storage">
          Saved in {view.storage.kind === 'electron-store' ? 'electron-store' : 'a file'}:{' '}
          {view.storage.location}
        </span>
      </div>
      <main className="settings-screen">
        <form
          className="settings-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!hasErrors && changes > 0) void s.save();
          }}
        >
          <section className="panel" aria-labelledby="settings-rancher">
            <header>
              <h2 id="settings-rancher">Rancher</h2>
            </header>
            <Field meta={field('rancherUrl')}>
              <input
                type="url"
                value={draft.rancherUrl}
                placeholder="https://rancher.example.com (empty: no Rancher)"
                onChange={(e) => s.edit({ rancherUrl: e.target.value })}
                className={errors.rancherUrl ? 'invalid' : undefined}
                data-testid="settings-rancherUrl"
                aria-label={SETTINGS_LABELS.rancherUrl}
                spellCheck={false}
              />
            </Field>
            <Field meta={field('rancherToken')}>
              <input
                type="password"
                autoComplete="off"
                value={s.token}
                placeholder={
                  view.token.set && !s.clearToken ? 'Saved — type a new token to replace it' : 'token-xxxxx:…'
                }
                onChange={(e) => s.setToken(e.target.value)}
                className={errors.rancherToken ? 'invalid' : undefined}
                data-testid="settings-rancherToken"
                aria-label={SETTINGS_LABELS.rancherToken}
                spellCheck={false}
              />
              <span className="token-state">
                {s.clearToken ? (
                  <span className="muted small" data-testid="token-hint">
                    The saved token will be removed.
                  </span>
                ) : s.token.trim() !== '' ? (
                  <span className="muted small" data-testid="token-hint">
                    New token, not saved yet: saving seals it, and it is never shown again.
                  </span>
                ) : view.token.set ? (
                  <span className="muted small" data-testid="token-hint">
                    Saved token: <span className="mono">{view.token.hint}</span> (never shown in full)
                  </span>
                ) : (
                  <span className="muted small" data-testid="token-hint">
                    No token saved.
                  </span>
                )}
                {view.token.set && !s.clearToken && (
                  <button
                    type="button"
                    className="button small"
                    onClick={() => s.setClearToken(true)}
                    data-testid="settings-clear-token"
                  >
                    Remove
                  </button>
                )}
              </span>
            </Field>
            <Field
              meta={field('rancherCaCert')}
              hint="PEM of the CA that signs Rancher's certificate (Rancher shows it at /v3/settings/cacerts). Empty: the system's CAs."
            >
              <textarea
                value={draft.rancherCaCert}
                rows={4}
                placeholder="-----BEGIN CERTIFICATE-----"
                onChange={(e) => s.edit({ rancherCaCert: e.target.value })}
                className={errors.rancherCaCert ? 'invalid mono' : 'mono'}
                data-testid="settings-rancherCaCert"
                aria-label={SETTINGS_LABELS.rancherCaCert}
                spellCheck={false}
              />
            </Field>
            <Field meta={field('rancherInsecure')}>
              <label className="check">
                <input
                  type="checkbox"
                  checked={draft.rancherInsecure}
                  onChange={(e) => s.edit({ rancherInsecure: e.target.checked })}
                  data-testid="settings-rancherInsecure"
                />
                Do not verify Rancher's certificate
              </label>
              {draft.rancherInsecure && (
                <span className="warn-text small">
                  Only for a throwaway test Rancher: anyone in the path can read the token.
                </span>
              )}
            </Field>
            <div className="connection-test">
              <button
                type="button"
                className="button"
                disabled={!canTest}
                onClick={() => void s.testConnection()}
                data-testid="settings-test"
                title={
                  canTest
                    ? 'Test these values (a typed token, or the saved one)'
                    : 'Needs a valid URL and a token'
                }
              >
                {s.testing ? 'Testing…' : 'Test connection'}
              </button>
              {s.testResult && (
                <div
                  className={s.testResult.ok ? 'test-result ok' : 'test-result bad'}
                  data-testid="connection-result"
                  data-ok={String(s.testResult.ok)}
                  role="status"
                >
                  <strong>
                    {s.testResult.ok
                      ? `Connected: Rancher ${s.testResult.rancherVersion}`
                      : FAILURE_TITLES[s.testResult.failure]}
                  </strong>
                  <span>{s.testResult.message}</span>
                  <span className="muted small">{s.testResult.ms} ms</span>
                </div>
              )}
              {s.testError && (
                <p className="field-error" data-testid="connection-error">
                  {s.testError}
                </p>
              )}
            </div>
          </section>

          <section className="panel" aria-labelledby="settings-main">
            <header>
              <h2 id="settings-main">Main cluster</h2>
            </header>
            <Field meta={field('mainClusterProvider')}>
              <select
                value={draft.mainClusterProvider}
                onChange={(e) =>
                  s.edit({ mainClusterProvider: e.target.value as SettingsDraft['mainClusterProvider'] })
                }
                data-testid="settings-mainClusterProvider"
                aria-label={SETTINGS_LABELS.mainClusterProvider}
              >
                <option value="kwokctl">kwokctl (managed by the agent)</option>
                <option value="external">external (a kubeconfig)</option>
              </select>
            </Field>
            {draft.mainClusterProvider === 'kwokctl' ? (
              <Field meta={field('mainApiPort')}>
                <input
                  inputMode="numeric"
                  value={draft.mainApiPort}
                  onChange={(e) => s.edit({ mainApiPort: e.target.value })}
                  className={errors.mainApiPort ? 'invalid narrow-input' : 'narrow-input'}
                  data-testid="settings-mainApiPort"
                  aria-label={SETTINGS_LABELS.mainApiPort}
                />
              </Field>
            ) : (
              <Field meta={field('mainKubeconfig')}>
                <input
                  value={draft.mainKubeconfig}
                  placeholder="/home/me/.kube/config"
                  onChange={(e) => s.edit({ mainKubeconfig: e.target.value })}
                  className={errors.mainKubeconfig ? 'invalid' : undefined}
                  data-testid="settings-mainKubeconfig"
                  aria-label={SETTINGS_LABELS.mainKubeconfig}
                  spellCheck={false}
                />
              </Field>
            )}
          </section>

          <section className="panel" aria-labelledby="settings-batches">
            <header>
              <h2 id="settings-batches">Defaults for new batches</h2>
            </header>
            <Field meta={field('defaultTemplate')}>
              <select
                value={draft.defaultTemplate}
                onChange={(e) => s.edit({ defaultTemplate: e.target.value })}
                data-testid="settings-defaultTemplate"
                aria-label={SETTINGS_LABELS.defaultTemplate}
              >
                {view.presets.map((p) => (
                  <option key={p} value={p}>
                    {p}
                  </option>
                ))}
              </select>
            </Field>
            <Field
              meta={field('defaultConcurrency')}
              hint='Clusters a batch provisions at once: "auto" adapts to the main apiserver, or a fixed number.'
            >
              <input
                value={draft.defaultConcurrency}
                onChange={(e) => s.edit({ defaultConcurrency: e.target.value })}
                className={errors.defaultConcurrency ? 'invalid narrow-input' : 'narrow-input'}
                data-testid="settings-defaultConcurrency"
                aria-label={SETTINGS_LABELS.defaultConcurrency}
              />
            </Field>
            <Field
              meta={field('connectRatePerSecond')}
              hint="Tunnel connects per second across all clusters."
            >
              <input
                inputMode="decimal"
                value={draft.connectRatePerSecond}
                onChange={(e) => s.edit({ connectRatePerSecond: e.target.value })}
                className={errors.connectRatePerSecond ? 'invalid narrow-input' : 'narrow-input'}
                data-testid="settings-connectRatePerSecond"
                aria-label={SETTINGS_LABELS.connectRatePerSecond}
              />
            </Field>
          </section>

          <div className="settings-actions">
            <button
              type="submit"
              className="button primary"
              disabled={hasErrors || changes === 0 || s.saving}
              data-testid="settings-save"
            >
              {s.saving ? 'Saving…' : 'Save'}
            </button>
            <button type="button" className="button" disabled={changes === 0} onClick={() => s.reset()}>
              Discard changes
            </button>
            <span className="muted small">
              {hasErrors
                ? 'Fix the fields marked in red to save.'
                : changes === 0
                  ? 'No unsaved changes.'
                  : `${changes} unsaved change${changes === 1 ? '' : 's'}.`}
            </span>
          </div>
          {s.saveResult && (
            <p className="save-summary" data-testid="save-summary" role="status">
              {s.saveResult.summary}
            </p>
          )}
          {s.saveError && (
            <p className="banner" data-testid="save-error">
              {s.saveError}
            </p>
          )}
          {view.pendingRestart.length > 0 && (
            <p className="pending-restart" data-testid="pending-restart">
              Saved, taking effect when the agent next starts:{' '}
              {view.pendingRestart.map((f) => SETTINGS_LABELS[f]).join(', ')}.
            </p>
          )}
        </form>
      </main>
    </>
  );
}

interface FieldMeta {
  name: SettingsField;
  applies: 'now' | 'restart';
  overriddenBy: string | undefined;
  pending: boolean;
  error: string | undefined;
}

function Field({
  meta,
  hint,
  children,
}: {
  meta: FieldMeta;
  hint?: string;
  children: React.ReactNode;
}): React.JSX.Element {
  return (
    <div className="field settings-field" data-testid={`field-${meta.name}`}>
      <span className="settings-label">
        {SETTINGS_LABELS[meta.name]}
        <span className={`applies applies-${meta.applies}`} data-testid={`applies-${meta.name}`}>
          {meta.applies === 'now' ? 'applies now' : 'at next start'}
        </span>
        {meta.pending && <span className="applies applies-pending">saved, waiting for restart</span>}
      </span>
      {children}
      {hint && <span className="hint">{hint}</span>}
      {meta.overriddenBy && (
        <span className="hint overridden" data-testid={`overridden-${meta.name}`}>
          Set by {meta.overriddenBy}, which wins over a saved value while it is set.
        </span>
      )}
      {meta.error && (
        <p className="field-error" data-testid={`error-${meta.name}`}>
          {SETTINGS_LABELS[meta.name]} {meta.error}
        </p>
      )}
    </div>
  );
}
