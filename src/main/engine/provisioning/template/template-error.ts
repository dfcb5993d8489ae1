/**
 * Everything wrong with a cluster template, reported at once: a user fixing a
 * cluster.yaml by hand should not have to rerun once per typo.
 */

export interface TemplateProblem {
  /** Path of the offending field, e.g. "nodes[1].capacity.memory". */
  field: string;
  message: string;
}

/** Problems beyond this many are summarized; a bad generator can produce thousands. */
const MAX_LISTED_PROBLEMS = 30;

function describeProblems(problems: readonly TemplateProblem[], templateName?: string): string {
  const subject = templateName ? `Cluster template "${templateName}"` : 'Cluster template';
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems
    .slice(0, MAX_LISTED_PROBLEMS)
    .map(({ field, message }) => `  - ${field}: ${message}`);
  if (problems.length > MAX_LISTED_PROBLEMS)
    lines.push(`  ... and ${problems.length - MAX_LISTED_PROBLEMS} more`);
  return `${subject} is invalid (${count}):\n${lines.join('\n')}`;
}

export class TemplateError extends Error {
  readonly problems: readonly TemplateProblem[];

  constructor(problems: readonly TemplateProblem[], templateName?: string) {
    super(describeProblems(problems, templateName));
    this.name = 'TemplateError';
    this.problems = problems;
  }
}

/** Throws a TemplateError if any problems were collected. */
export function throwIfProblems(problems: readonly TemplateProblem[], templateName?: string): void {
  if (problems.length > 0) throw new TemplateError(problems, templateName);
}
