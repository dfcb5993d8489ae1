// Sums the checks, vitest suites and Go test suites of scripts/test.sh into
// the one closing line CI reads: `N passed, N failed, N skipped`. A suite that
// failed without a failed test (it crashed, could not load or did not build)
// counts as one failure.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2];
let passed = 0;
let failed = 0;
let skipped = 0;
const problems = [];

for (const file of readdirSync(dir).sort()) {
  const path = join(dir, file);
  if (file.startsWith('check-')) {
    const ok = readFileSync(path, 'utf8').trim() === 'pass';
    if (ok) passed++;
    else {
      failed++;
      problems.push(`check ${file.slice(6)} failed`);
    }
  }
  if (file.startsWith('exit-')) {
    const project = file.slice(5);
    const exit = Number(readFileSync(path, 'utf8').trim());
    let report;
    try {
      report = JSON.parse(readFileSync(join(dir, `vitest-${project}.json`), 'utf8'));
    } catch {
      report = undefined;
    }
    const p = report?.numPassedTests ?? 0;
    const f = report?.numFailedTests ?? 0;
    const s = (report?.numPendingTests ?? 0) + (report?.numTodoTests ?? 0);
    passed += p;
    failed += f;
    skipped += s;
    if (f > 0) problems.push(`${project}: ${f} failed`);
    if (exit !== 0 && f === 0) {
      failed++;
      problems.push(`${project}: exited ${exit} without a failed test (crash or load error)`);
    }
    console.log(`suite ${project}: ${p} passed, ${f} failed, ${s} skipped`);
  }
  if (file.startsWith('goexit-')) {
    const name = file.slice(7);
    const exit = Number(readFileSync(path, 'utf8').trim());
    // go test -json: one event per line; top-level tests only (subtests are part of their test).
    const counts = { pass: 0, fail: 0, skip: 0 };
    const failedTests = [];
    let lines;
    try {
      lines = readFileSync(join(dir, `gotest-${name}.jsonl`), 'utf8').split('\n');
    } catch {
      lines = [];
    }
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      const event = JSON.parse(line);
      if (!event.Test || event.Test.includes('/') || !(event.Action in counts)) continue;
      counts[event.Action]++;
      if (event.Action === 'fail') failedTests.push(event.Test);
    }
    passed += counts.pass;
    failed += counts.fail;
    skipped += counts.skip;
    if (counts.fail > 0) problems.push(`${name} (go): ${failedTests.join(', ')} failed`);
    if (exit !== 0 && counts.fail === 0) {
      failed++;
      problems.push(`${name} (go): exited ${exit} without a failed test (build error?)`);
    }
    console.log(`suite ${name} (go): ${counts.pass} passed, ${counts.fail} failed, ${counts.skip} skipped`);
  }
}
for (const p of problems) console.log(`FAILED: ${p}`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 ? 1 : 0);
