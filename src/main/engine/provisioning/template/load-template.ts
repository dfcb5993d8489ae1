/**
 * The one way in for templates: a preset name, a generator object, a
 * seed-format object, or YAML/JSON text of either, always coming out
 * validated.
 */

import { readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { ClusterTemplate } from './cluster-template';
import { expandGenerator, isGeneratorInput, parseGeneratorSpec } from './generator';
import { parseSeedTemplate } from './parse-seed-template';
import { PRESET_NAMES, getPreset, isPresetName } from './presets';
import { TemplateError } from './template-error';
import { getField, isRecord } from './template-input';
import { validateTemplate } from './validate-template';

function parseText(text: string, name: string): unknown {
  try {
    return parseYaml(text);
  } catch (error) {
    // YAML errors carry line and column in their message.
    const detail = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new TemplateError([{ field: 'template', message: `is not valid YAML or JSON: ${detail}` }], name);
  }
}

function notATemplate(input: unknown, name: string): TemplateError {
  const shown = typeof input === 'string' ? `"${input.trim().slice(0, 60)}"` : JSON.stringify(input);
  return new TemplateError(
    [
      {
        field: 'template',
        message: `${shown} is neither a preset (${PRESET_NAMES.join(', ')}), a generator ({kind: generator, ...}) nor a cluster template (nodes, pods, ...)`,
      },
    ],
    name,
  );
}

/**
 * A validated ClusterTemplate from any accepted input. Throws TemplateError
 * listing every problem. `name` labels templates that do not name themselves.
 */
export function resolveTemplate(input: unknown, name = 'custom'): ClusterTemplate {
  if (typeof input === 'string') {
    const trimmed = input.trim();
    if (isPresetName(trimmed)) return getPreset(trimmed);
    const parsed = parseText(input, name);
    if (!isRecord(parsed)) throw notATemplate(input, name);
    return resolveTemplate(parsed, name);
  }
  if (!isRecord(input)) throw notATemplate(input, name);
  // {preset: medium} lets a file or request refer to a built-in.
  const preset = getField(input, 'preset');
  if (typeof preset === 'string') {
    if (!isPresetName(preset)) {
      throw new TemplateError(
        [{ field: 'preset', message: `"${preset}" is not a preset (${PRESET_NAMES.join(', ')})` }],
        name,
      );
    }
    return getPreset(preset);
  }
  if (isGeneratorInput(input)) return validateTemplate(expandGenerator(parseGeneratorSpec(input, name)));
  return validateTemplate(parseSeedTemplate(input, name));
}

/** Reads and resolves a template file; the file name (without extension) names it unless it names itself. */
export async function readTemplateFile(path: string): Promise<ClusterTemplate> {
  const text = await readFile(path, 'utf8');
  return resolveTemplate(text, basename(path, extname(path)));
}
