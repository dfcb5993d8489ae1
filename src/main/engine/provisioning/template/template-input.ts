/**
 * Lenient readers for hand-written template input (YAML or JSON). They accept
 * the spellings people actually type (any key case, numbers where strings are
 * expected) and record a problem naming the field instead of throwing, so one
 * pass reports every mistake.
 */

import type { ResourceList } from './cluster-template';
import type { TemplateProblem } from './template-error';

export type InputRecord = Record<string, unknown>;

export function isRecord(value: unknown): value is InputRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** "containerRuntime", "container_runtime" and "ContainerRuntime" are the same key. */
function normalizeKey(key: string): string {
  return key.toLowerCase().replace(/[-_]/g, '');
}

/** The value of the first key matching any alias, ignoring case, dashes and underscores. */
export function getField(record: InputRecord, ...aliases: string[]): unknown {
  const wanted = aliases.map(normalizeKey);
  for (const alias of wanted) {
    for (const [key, value] of Object.entries(record)) {
      if (normalizeKey(key) === alias) return value;
    }
  }
  return undefined;
}

function isAbsent(value: unknown): value is null | undefined {
  return value === undefined || value === null;
}

/** Collects problems while reading; every reader returns a usable fallback on error. */
export class InputReader {
  readonly problems: TemplateProblem[] = [];

  problem(field: string, message: string): void {
    this.problems.push({ field, message });
  }

  string(field: string, value: unknown, fallback: string): string {
    if (isAbsent(value)) return fallback;
    if (typeof value === 'string') return value;
    if (typeof value === 'number' || typeof value === 'boolean') return String(value);
    this.problem(field, 'must be a string');
    return fallback;
  }

  /** A whole number; numeric strings such as "3" are accepted. */
  integer(field: string, value: unknown, fallback: number): number {
    if (isAbsent(value)) return fallback;
    const parsed = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
    if (typeof parsed === 'number' && Number.isInteger(parsed)) return parsed;
    this.problem(field, `${JSON.stringify(value)} must be a whole number`);
    return fallback;
  }

  /** A list; absent means empty. */
  list(field: string, value: unknown): unknown[] {
    if (isAbsent(value)) return [];
    if (Array.isArray(value)) return value;
    this.problem(field, 'must be a list');
    return [];
  }

  /** A mapping; absent means empty. */
  record(field: string, value: unknown): InputRecord {
    if (isAbsent(value)) return {};
    if (isRecord(value)) return value;
    this.problem(field, 'must be a mapping');
    return {};
  }

  /** A list of strings, also written as one comma-separated string ("control-plane,etcd"). */
  stringList(field: string, value: unknown, fallback: string[]): string[] {
    if (isAbsent(value)) return fallback;
    if (typeof value === 'string') {
      return value
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
    }
    if (!Array.isArray(value)) {
      this.problem(field, 'must be a list of strings');
      return fallback;
    }
    return value.map((item, index) => this.string(`${field}[${index}]`, item, ''));
  }

  /** A string-to-string mapping such as labels or configmap data; scalar values are stringified. */
  stringMap(field: string, value: unknown): Record<string, string> {
    const record = this.record(field, value);
    const result: Record<string, string> = {};
    for (const [key, item] of Object.entries(record)) {
      result[key] = this.string(`${field}.${key}`, item, '');
    }
    return result;
  }

  /**
   * A resource list. Numbers are kept as written ("cpu: 4" -> "4"); whether
   * each string is a valid quantity is left to validation, which names it.
   */
  resourceList(field: string, value: unknown): ResourceList {
    return this.stringMap(field, value);
  }
}
