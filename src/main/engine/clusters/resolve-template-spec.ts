/**
 * Turns what a request names as a template (a preset name, or a template
 * object in generator or seed form) into a validated template, or an
 * `invalid` error that names the field, before anything is created.
 */
import type { TemplateSpec } from '../../../shared/cluster';
import { EngineError } from '../../../shared/errors';
import type { ClusterTemplate } from '../tenant/template/cluster-template';
import { resolveTemplate } from '../tenant/template/load-template';

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
    return { template, label: typeof input === 'string' ? input : template.name || 'custom' };
  } catch (err) {
    throw new EngineError('invalid', `template: ${(err as Error).message}`);
  }
}
