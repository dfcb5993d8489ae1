/**
 * Templates as the UI sees them: the presets with their totals, and a check
 * of a custom template that answers its totals or says what is wrong with it,
 * so the wizard shows real figures and never keeps its own copy of the presets.
 */
import type { TemplateSpec } from '../../../../shared/cluster';
import type { TemplateSummary } from '../../../../shared/template-summary';
import { resolveTemplateSpec } from '../../clusters/resolve-template-spec';
import type { ClusterTemplate } from './cluster-template';
import { getPreset, PRESET_DESCRIPTIONS, PRESET_NAMES } from './presets';
import { templateTotals } from './template-totals';

function summarize(template: ClusterTemplate, name: string, description?: string): TemplateSummary {
  return { name, ...(description ? { description } : {}), ...templateTotals(template) };
}

let presetSummaries: TemplateSummary[] | undefined;

export function listTemplates(): TemplateSummary[] {
  // Presets never change while running: sum them once.
  presetSummaries ??= PRESET_NAMES.map((name) => summarize(getPreset(name), name, PRESET_DESCRIPTIONS[name]));
  return presetSummaries;
}

/** Totals of any template a batch could name; an `invalid` EngineError that names the field otherwise. */
export function checkTemplate(spec: TemplateSpec): TemplateSummary {
  const { template, label } = resolveTemplateSpec(spec);
  return summarize(template, label);
}
