import { describe, expect, it } from 'vitest';
import { parseFleetSpec } from './fleet-spec';

const parse = (text: string) => parseFleetSpec(text, 'default');

describe('fleet spec', () => {
  it('expands patterns, prefixes and single names with their templates and import choice', () => {
    const spec = parse(`
concurrency: 6
clusters:
  - pattern: "fleet-{01..03}"
    template: tiny
  - prefix: edge-
    count: 2
    start: 7
    importToRancher: false
  - name: big-one
    template: medium
`);
    expect(spec.concurrency).toBe(6);
    expect(spec.clusters.map((c) => [c.name, c.templateLabel, c.importToRancher])).toEqual([
      ['fleet-01', 'tiny', true],
      ['fleet-02', 'tiny', true],
      ['fleet-03', 'tiny', true],
      ['edge-7', 'default', false],
      ['edge-8', 'default', false],
      ['big-one', 'medium', true],
    ]);
  });

  it('reads an empty file as no clusters, and hashes the text', () => {
    expect(parse('').clusters).toEqual([]);
    expect(parse('clusters: []').hash).not.toBe(parse('clusters: []\n').hash);
    expect(parse('clusters: []').hash).toBe(parse('clusters: []').hash);
  });

  it.each([
    ['clusters: [', /not valid YAML \(line 1\)/],
    ['- a', /must be a mapping with a "clusters" list/],
    ['cluster: []', /unknown field "cluster"/],
    ['clusters: {a: 1}', /"clusters" must be a list/],
    ['concurrency: 0', /concurrency: /],
    ['clusters: [42]', /clusters\[0\]: must be a mapping/],
    [
      'clusters: [{name: a, pattern: "b-{1..2}"}]',
      /clusters\[0\]: give exactly one of name, pattern or prefix/,
    ],
    [
      'clusters: [{template: tiny}]',
      /clusters\[0\]: give exactly one of name, pattern or prefix \(with count\), got none/,
    ],
    ['clusters: [{name: Bad_Name}]', /clusters\[0\]: name: /],
    ['clusters: [{name: a, count: 3}]', /"count" goes with prefix/],
    ['clusters: [{name: a, template: no-such-preset}]', /clusters\[0\]: template: /],
    ['clusters: [{name: a, importToRancher: "yes"}]', /importToRancher must be true or false/],
    ['clusters: [{name: a, colour: red}]', /clusters\[0\]: unknown field "colour"/],
    [
      'clusters: [{pattern: "x-{1..3}"}, {name: x-2}]',
      /clusters\[1\]: cluster "x-2" is already named by clusters\[0\]/,
    ],
    ['clusters: [{pattern: "x-{1..2"}]', /clusters\[0\]: /],
  ])('refuses %s', (text, message) => {
    expect(() => parse(text)).toThrow(message);
  });
});
