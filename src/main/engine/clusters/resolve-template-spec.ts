/**
 * Turns what a request names as a template (a preset name, or a template
 * object in generator or seed form) into a validated template, or an
 * `invalid` error that names the field, before anything is created.
 */
import type { TemplateSpec } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import type { ClusterTemplate } from '../provisioning/template/cluster-template';
import { resolveTemplate } from '../provisioning/template/load-template';
import { isPresetName } from '../provisioning/template/presets';

export const DEFAULT_TEMPLATE = 'default';

export function resolveTemplateSpec(spec: TemplateSpec | undefined): {
  template: ClusterTemplate;
  label: string;
} {
  const input = spec ?? DEFAULT_TEMPLATE;
  if (typeof input !== 'string' && (typeof input !== 'object' || input === null || Array.isArray(input))) {
    throw new EngineError('invalid', 'template must be a preset name or a template object');
  }
  try {
    const template = resolveTemplate(input);
    // YAML text is a string too, but only a preset name makes a good label.
    const label =
      typeof input === 'string' && isPresetName(input.trim()) ? input.trim() : template.name || 'custom';
    return { template, label };
  } catch (err) {
    throw new EngineError('invalid', `template: ${(err as Error).message}`);
  }
}
