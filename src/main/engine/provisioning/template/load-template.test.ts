import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readTemplateFile, resolveTemplate } from './load-template';
import { TemplateError } from './template-error';

function fieldsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof TemplateError) return error.problems.map((problem) => problem.field);
    throw error;
  }
  return [];
}

describe('resolveTemplate', () => {
  it('accepts preset names, with or without surrounding space, and {preset: name}', () => {
    expect(resolveTemplate('tiny').nodes).toHaveLength(1);
    expect(resolveTemplate(' medium\n').nodes).toHaveLength(10);
    expect(resolveTemplate({ preset: 'default' }).name).toBe('default');
  });

  it('accepts a generator object and generator YAML', () => {
    expect(resolveTemplate({ kind: 'generator', nodes: 3, podsPerNode: 2 }).pods).toHaveLength(6);
    const fromYaml = resolveTemplate('kind: generator\nname: gen\nnodes: 2\npodsPerNode: 1\n');
    expect(fromYaml.name).toBe('gen');
    expect(fromYaml.pods).toHaveLength(2);
  });

  it('accepts seed-format objects, YAML and JSON', () => {
    expect(resolveTemplate({ nodes: [{ name: 'a' }] }).nodes[0]?.name).toBe('a');
    expect(resolveTemplate('nodes:\n  - name: b\n', 'mine').name).toBe('mine');
    expect(resolveTemplate('{"nodes":[{"name":"c"}],"pods":[{"name":"p","node":"c"}]}').pods).toHaveLength(1);
  });

  it('validates what it returns', () => {
    expect(fieldsOf(() => resolveTemplate({ nodes: [{ name: 'a', capacity: { memory: '8 Gi' } }] }))).toEqual(
      ['nodes[0].capacity.memory'],
    );
    expect(fieldsOf(() => resolveTemplate({ kind: 'generator', nodes: 0 }))).toEqual(['nodes']);
  });

  it('rejects unknown presets, bad YAML and non-templates naming the problem', () => {
    expect(() => resolveTemplate('mediun')).toThrow(
      /"mediun" is neither a preset \(tiny, default, medium, large\)/,
    );
    expect(fieldsOf(() => resolveTemplate({ preset: 'huge' }))).toEqual(['preset']);
    expect(() => resolveTemplate('nodes: [a\n')).toThrow(/template: is not valid YAML or JSON/);
    expect(() => resolveTemplate(42)).toThrow(TemplateError);
    expect(() => resolveTemplate(null)).toThrow(TemplateError);
  });
});

describe('readTemplateFile', () => {
  const directory = mkdtemp(join(tmpdir(), 'template-'));
  afterAll(async () => rm(await directory, { recursive: true, force: true }));

  it('reads a cluster.yaml and names it after the file', async () => {
    const path = join(await directory, 'cluster.yaml');
    await writeFile(
      path,
      'nodes:\n  - name: node1\n    kernel: 6.8.0\npods:\n  - name: p\n    node: node1\n',
    );
    const template = await readTemplateFile(path);
    expect(template.name).toBe('cluster');
    expect(template.nodes[0]?.kernelVersion).toBe('6.8.0');
  });

  it('fails for a missing file', async () => {
    await expect(readTemplateFile(join(await directory, 'missing.yaml'))).rejects.toThrow(/ENOENT/);
  });
});
