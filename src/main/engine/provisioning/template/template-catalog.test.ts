import { describe, expect, it } from 'vitest';
import { EngineError } from '../../../../shared/errors';
import { checkTemplate, listTemplates } from './template-catalog';

describe('template catalog', () => {
  it('lists every preset with its description and totals', () => {
    const presets = listTemplates();
    expect(presets.map((p) => p.name)).toEqual(['tiny', 'default', 'medium', 'large']);
    const tiny = presets[0];
    expect(tiny).toMatchObject({ name: 'tiny', nodes: 1, pods: 5 });
    expect(tiny?.description).toMatch(/1 node/);
    const large = presets[3];
    expect(large).toMatchObject({ nodes: 50, pods: 1500 });
  });

  it('sums a custom template given as YAML text, labelled by its own name or "custom"', () => {
    const summary = checkTemplate('kind: generator\nnodes: 3\npodsPerNode: 4\nnodeSize: small\n');
    expect(summary).toMatchObject({ name: 'custom', nodes: 3, pods: 12 });
    expect(summary.capacity.cpu).toBeDefined();
    expect(checkTemplate({ preset: 'medium' })).toMatchObject({ nodes: 10, pods: 150 });
  });

  it('says which field is wrong, as an invalid-request error', () => {
    expect(() => checkTemplate('kind: generator\nnodes: -2\n')).toThrow(EngineError);
    expect(() => checkTemplate('kind: generator\nnodes: -2\n')).toThrow(/nodes/);
    expect(() => checkTemplate('mediun')).toThrow(/neither a preset/);
  });
});
