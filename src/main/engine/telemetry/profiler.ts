/**
 * CPU profiles and heap snapshots of the engine itself, taken with Node's
 * inspector (the seed's pprof, done so that Chrome DevTools opens the files:
 * a `.cpuprofile` is the Profiler domain's Profile object, a `.heapsnapshot`
 * the HeapProfiler's chunks joined). A CPU profile runs for the seconds asked
 * while the engine goes on working; a heap snapshot stops the event loop for
 * as long as V8 needs to write it, and no longer. One at a time: a second
 * request while one runs is a conflict, not a queue.
 */
import { Session } from 'node:inspector/promises';
import { EngineError } from '../../../shared/errors';
import type { ProfileFile } from '../../../shared/telemetry';

export const MAX_PROFILE_SECONDS = 300;

export class Profiler {
  private busy: string | undefined;

  async cpuProfile(seconds: number): Promise<ProfileFile> {
    return this.exclusive(`a ${seconds} s CPU profile`, async (session) => {
      await session.post('Profiler.enable');
      // 1 ms sampling: fine enough for the engine's short callbacks, small enough for minutes of profile.
      await session.post('Profiler.setSamplingInterval', { interval: 1000 });
      await session.post('Profiler.start');
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      const { profile } = await session.post('Profiler.stop');
      await session.post('Profiler.disable');
      return { fileName: fileName('cpuprofile'), text: JSON.stringify(profile) };
    });
  }

  async heapSnapshot(): Promise<ProfileFile> {
    return this.exclusive('a heap snapshot', async (session) => {
      const chunks: string[] = [];
      session.on('HeapProfiler.addHeapSnapshotChunk', (m) => chunks.push(m.params.chunk));
      await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      return { fileName: fileName('heapsnapshot'), text: chunks.join('') };
    });
  }

  private async exclusive(
    what: string,
    run: (session: Session) => Promise<ProfileFile>,
  ): Promise<ProfileFile> {
    if (this.busy)
      throw new EngineError('conflict', `${this.busy} is being taken; ask again when it is done`);
    this.busy = what;
    const session = new Session();
    session.connect();
    try {
      return await run(session);
    } finally {
      session.disconnect();
      this.busy = undefined;
    }
  }
}

function fileName(ext: string): string {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  return `scale-cluster-agent-${stamp}.${ext}`;
}
