/**
 * The built-in template presets by name, with their one-line summaries: what
 * config, settings and the UI need to know of them. Their contents are the
 * engine's (src/main/engine/provisioning/template/presets.ts).
 */
export const PRESET_NAMES = ['tiny', 'default', 'medium', 'large'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** One-line summaries, for pickers and help text. */
export const PRESET_DESCRIPTIONS: Readonly<Record<PresetName, string>> = {
  tiny: '1 node, 5 pods',
  default: '2 nodes (4 CPU, 8Gi), 4 pods, 3 services',
  medium: '10 nodes, 150 pods',
  large: '50 nodes, 1,500 pods',
};

export function isPresetName(name: string): name is PresetName {
  return (PRESET_NAMES as readonly string[]).includes(name);
}
