import { describe, expect, it } from 'vitest';
import { MALLOC_TUNABLE, withMallocTuning } from '../../../bin/malloc-tuning.mjs';

describe('malloc tuning of the launcher', () => {
  it('adds the mmap threshold on Linux, after tunables a user set', () => {
    expect(withMallocTuning({ PATH: '/bin' }, 'linux')).toEqual({
      PATH: '/bin',
      GLIBC_TUNABLES: MALLOC_TUNABLE,
    });
    expect(withMallocTuning({ GLIBC_TUNABLES: 'glibc.malloc.arena_max=2' }, 'linux')?.GLIBC_TUNABLES).toBe(
      `glibc.malloc.arena_max=2:${MALLOC_TUNABLE}`,
    );
  });

  it('changes nothing when already tuned (no second re-exec), turned off, or not on Linux', () => {
    expect(withMallocTuning({ GLIBC_TUNABLES: MALLOC_TUNABLE }, 'linux')).toBeUndefined();
    expect(
      withMallocTuning({ GLIBC_TUNABLES: 'glibc.malloc.mmap_threshold=131072' }, 'linux'),
    ).toBeUndefined();
    expect(withMallocTuning({ SCA_MALLOC_TUNING: '0' }, 'linux')).toBeUndefined();
    expect(withMallocTuning({}, 'darwin')).toBeUndefined();
  });
});
