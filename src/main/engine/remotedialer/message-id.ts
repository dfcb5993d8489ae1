// Message ids exist on the wire but every receiver ignores them. Go seeds a
// process-wide counter with a random Int63 and increments it per message; we
// do the same so our frames look like Go's to anyone reading a capture.

import { randomBytes } from 'node:crypto';

const INT64_MAX = (1n << 63n) - 1n;

function randomInt63(): bigint {
  return randomBytes(8).readBigUInt64LE() & INT64_MAX;
}

let counter = randomInt63();

/** Next id, wrapping from int64 max to int64 min like Go's atomic.AddInt64. */
export function nextMessageId(): bigint {
  counter = counter === INT64_MAX ? -(1n << 63n) : counter + 1n;
  return counter;
}
