import type { BatchStatus } from '../../src/shared/cluster';
import type { Engine } from '../../src/main/engine/engine';

/**
 * Waits until a batch has completed and returns its final status. With
 * `failOnFailure`, the first failed cluster ends the wait at once with its reason.
 */
export async function waitForBatch(
  engine: Engine,
  id: string,
  timeoutMs: number,
  failOnFailure = false,
): Promise<BatchStatus> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const status = await engine.handle('batches.get', { id });
    if (failOnFailure && status.failures.length > 0)
      throw new Error(`batch ${id} failed: ${JSON.stringify(status.failures.slice(0, 3))}`);
    if (status.state === 'completed') return status;
    if (Date.now() > deadline)
      throw new Error(
        `batch ${id} not completed after ${timeoutMs / 1000} s: ${JSON.stringify(status.byStatus)}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
}
