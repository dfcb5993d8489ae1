/**
 * A full garbage collection on demand, without --expose-gc on the command
 * line (vitest's workers do not take it from every pool): V8 exposes gc to a
 * fresh context once the flag is set at run time.
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Collects until the heap settles (weak references and finalizers need more than one pass). */
export function forceGc(passes = 3): void {
  for (let i = 0; i < passes; i++) gc();
}
