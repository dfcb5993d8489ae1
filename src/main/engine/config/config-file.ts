/**
 * Reads the seed-compatible config file `~/.scale-cluster-agent/config/config`.
 * The seed accepted JSON, YAML or `key: value` lines; YAML covers the last
 * two, so a file is JSON when it starts with `{` and YAML otherwise.
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { canonicalKey, ConfigError, parseValue, type AgentConfig } from './agent-config';

export interface ConfigFileResult {
  values: Partial<AgentConfig>;
  /** Keys present in the file that the agent does not know (ignored, reported). */
  unknownKeys: string[];
}

/** Parses config file text. `source` (the path) is named in every error. */
export function parseConfigText(source: string, text: string): ConfigFileResult {
  const trimmed = text.trim();
  if (trimmed === '') return { values: {}, unknownKeys: [] };
  let doc: unknown;
  try {
    doc = trimmed.startsWith('{') ? JSON.parse(trimmed) : parseYaml(trimmed);
  } catch (err) {
    const kind = trimmed.startsWith('{') ? 'JSON' : 'YAML or key: value';
    throw new ConfigError(source, '(file)', `is not valid ${kind}: ${(err as Error).message.split('\n')[0]}`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw new ConfigError(
      source,
      '(file)',
      'must be a mapping of keys to values, such as "ListenPort: 9090"',
    );
  }
  const values: Partial<AgentConfig> = {};
  const unknownKeys: string[] = [];
  for (const [name, raw] of Object.entries(doc as Record<string, unknown>)) {
    const key = canonicalKey(name);
    if (!key) {
      unknownKeys.push(name);
      continue;
    }
    if (raw === null || raw === undefined) continue;
    (values as Record<string, unknown>)[key] = parseValue(source, key, raw);
  }
  return { values, unknownKeys };
}

/** Reads the file if it exists; a missing file is an empty config, an unreadable one an error. */
export function readConfigFile(path: string): ConfigFileResult {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { values: {}, unknownKeys: [] };
    throw new ConfigError(path, '(file)', `cannot be read: ${(err as Error).message}`);
  }
  return parseConfigText(path, text);
}
