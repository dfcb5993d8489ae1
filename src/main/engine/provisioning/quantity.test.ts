import { describe, expect, it } from 'vitest';
import {
  QuantityError,
  addQuantities,
  canonicalQuantity,
  compareQuantities,
  formatQuantity,
  isValidQuantity,
  maxQuantity,
  maxResourceLists,
  multiplyQuantity,
  multiplyResourceList,
  nodePodRequestsAndLimits,
  parseQuantity,
  podRequestsAndLimits,
  quantityFromInteger,
  subtractQuantities,
  sumResourceLists,
} from './quantity';

describe('parseQuantity', () => {
  it.each([
    ['0', 0n, 'DecimalSI'],
    ['1', 1_000_000_000n, 'DecimalSI'],
    ['100m', 100_000_000n, 'DecimalSI'],
    ['0.9', 900_000_000n, 'DecimalSI'],
    ['.5', 500_000_000n, 'DecimalSI'],
    ['1n', 1n, 'DecimalSI'],
    ['3u', 3_000n, 'DecimalSI'],
    ['2k', 2_000_000_000_000n, 'DecimalSI'],
    ['1M', 10n ** 15n, 'DecimalSI'],
    ['1G', 10n ** 18n, 'DecimalSI'],
    ['1E', 10n ** 27n, 'DecimalSI'],
    ['1Ki', 1024n * 10n ** 9n, 'BinarySI'],
    ['1.5Gi', 1_610_612_736n * 10n ** 9n, 'BinarySI'],
    ['1Ei', 2n ** 60n * 10n ** 9n, 'BinarySI'],
    ['1e3', 1000n * 10n ** 9n, 'DecimalExponent'],
    ['1E3', 1000n * 10n ** 9n, 'DecimalExponent'],
    ['2.5e-3', 2_500_000n, 'DecimalExponent'],
    ['+5', 5_000_000_000n, 'DecimalSI'],
    ['-250m', -250_000_000n, 'DecimalSI'],
  ] as const)('%s', (text, nanos, format) => {
    expect(parseQuantity(text)).toEqual({ nanos, format });
  });

  it('rounds precision finer than nano up, as Kubernetes does', () => {
    expect(parseQuantity('0.1n').nanos).toBe(1n);
    expect(parseQuantity('1.0000000001').nanos).toBe(1_000_000_001n);
  });

  it.each([
    '',
    ' ',
    '.',
    'abc',
    '8 Gi',
    '1K',
    '1ki',
    '1mi',
    '1Gb',
    '1e',
    '1e3k',
    '1..2',
    '--1',
    'm',
    'Gi',
    '1e999',
  ])('rejects %j', (text) => {
    expect(() => parseQuantity(text)).toThrow(QuantityError);
    expect(isValidQuantity(text)).toBe(false);
  });

  it('names the bad text in the error', () => {
    expect(() => parseQuantity('8 Gi')).toThrow('"8 Gi" is not a valid quantity');
  });
});

describe('formatQuantity / canonicalQuantity', () => {
  it.each([
    ['0', '0'],
    ['0Mi', '0'],
    ['1', '1'],
    ['0.9', '900m'],
    ['0.75', '750m'],
    ['1.5', '1500m'],
    ['1000m', '1'],
    ['3800m', '3800m'],
    ['1000', '1k'],
    ['1500', '1500'],
    ['110', '110'],
    ['1024Mi', '1Gi'],
    ['1.5Gi', '1536Mi'],
    ['8Gi', '8Gi'],
    ['0.5Ki', '512'],
    ['1023', '1023'],
    ['1Ki', '1Ki'],
    ['1536Ki', '1536Ki'],
    ['1e3', '1e3'],
    ['1.5e3', '1500'],
    ['1e-3', '1e-3'],
    ['12e6', '12e6'],
    ['1G', '1G'],
    ['2000M', '2G'],
    ['-250m', '-250m'],
    ['1n', '1n'],
    ['100u', '100u'],
    ['1.1Ki', '1126400m'],
  ])('%s -> %s', (text, expected) => {
    expect(canonicalQuantity(text)).toBe(expected);
  });

  it('prints pod counts as plain integers', () => {
    expect(formatQuantity(quantityFromInteger(7))).toBe('7');
    expect(formatQuantity(quantityFromInteger(110))).toBe('110');
    // Go prints round thousands with an SI suffix, pod counts included.
    expect(formatQuantity(quantityFromInteger(1000))).toBe('1k');
    expect(formatQuantity(quantityFromInteger(100_000))).toBe('100k');
  });
});

describe('arithmetic', () => {
  it('adds exactly: 100m + 0.9 = 1', () => {
    expect(formatQuantity(addQuantities(parseQuantity('100m'), parseQuantity('0.9')))).toBe('1');
  });

  it('keeps the first non-zero term format', () => {
    const binaryFirst = addQuantities(parseQuantity('512Mi'), parseQuantity('1G'));
    expect(binaryFirst.format).toBe('BinarySI');
    const zeroFirst = addQuantities(parseQuantity('0'), parseQuantity('512Mi'));
    expect(formatQuantity(zeroFirst)).toBe('512Mi');
    const decimalFirst = addQuantities(parseQuantity('1G'), parseQuantity('1Gi'));
    expect(formatQuantity(decimalFirst)).toBe('2073741824');
  });

  it('compares and takes maxima', () => {
    expect(compareQuantities(parseQuantity('1Gi'), parseQuantity('1G'))).toBe(1);
    expect(compareQuantities(parseQuantity('1000m'), parseQuantity('1'))).toBe(0);
    expect(compareQuantities(parseQuantity('999m'), parseQuantity('1'))).toBe(-1);
    expect(formatQuantity(maxQuantity(parseQuantity('500m'), parseQuantity('1')))).toBe('1');
    // On a tie the existing entry (first argument) and its format win.
    expect(maxQuantity(parseQuantity('1024'), parseQuantity('1Ki')).format).toBe('DecimalSI');
  });
});

describe('ResourceList helpers', () => {
  it('sums lists with canonical output and sorted keys', () => {
    const total = sumResourceLists([
      { memory: '512Mi', cpu: '250m' },
      { cpu: '500m', memory: '1Gi', pods: '3' },
      { pods: '4' },
    ]);
    expect(total).toEqual({ cpu: '750m', memory: '1536Mi', pods: '7' });
    expect(JSON.stringify(total)).toBe('{"cpu":"750m","memory":"1536Mi","pods":"7"}');
  });

  it('sums node capacities of the default preset shape', () => {
    expect(
      sumResourceLists([
        { cpu: '3800m', memory: '7Gi' },
        { cpu: '3800m', memory: '7Gi' },
      ]),
    ).toEqual({
      cpu: '7600m',
      memory: '14Gi',
    });
  });

  it('takes maxima per resource', () => {
    expect(maxResourceLists([{ cpu: '1' }, { cpu: '1500m', memory: '1Gi' }, { memory: '512Mi' }])).toEqual({
      cpu: '1500m',
      memory: '1Gi',
    });
  });

  it('returns an empty list for no input', () => {
    expect(sumResourceLists([])).toEqual({});
  });

  it('throws on a bad value', () => {
    expect(() => sumResourceLists([{ cpu: 'lots' }])).toThrow(QuantityError);
  });
});

describe('podRequestsAndLimits', () => {
  it('sums regular containers', () => {
    expect(
      podRequestsAndLimits({
        containers: [
          { resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '200m' } } },
          { requests: { cpu: '150m', memory: '128Mi' }, limits: { cpu: '300m', memory: '512Mi' } },
        ],
      }),
    ).toEqual({
      requests: { cpu: '250m', memory: '256Mi' },
      limits: { cpu: '500m', memory: '512Mi' },
    });
  });

  it('takes the larger of the containers sum and each init container', () => {
    const result = podRequestsAndLimits({
      containers: [
        { requests: { cpu: '100m', memory: '64Mi' } },
        { requests: { cpu: '100m', memory: '64Mi' } },
      ],
      initContainers: [
        { requests: { cpu: '500m', memory: '32Mi' }, limits: { cpu: '1' } },
        { requests: { cpu: '150m', memory: '100Mi' } },
      ],
    });
    expect(result).toEqual({ requests: { cpu: '500m', memory: '128Mi' }, limits: { cpu: '1' } });
  });

  it('adds overhead to requests, and to limits only where a limit exists', () => {
    expect(
      podRequestsAndLimits({
        containers: [{ requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m' } }],
        overhead: { cpu: '50m', memory: '16Mi' },
      }),
    ).toEqual({ requests: { cpu: '150m', memory: '80Mi' }, limits: { cpu: '250m' } });
  });

  it('is empty for a pod without resources', () => {
    expect(podRequestsAndLimits({ containers: [{}] })).toEqual({ requests: {}, limits: {} });
  });
});

describe('nodePodRequestsAndLimits', () => {
  it('matches the shape of the pod-requests annotation', () => {
    const pod = { containers: [{ requests: { cpu: '250m', memory: '512Mi' }, limits: { cpu: '500m' } }] };
    const done = { ...pod, phase: 'Succeeded' };
    const pods = [
      pod,
      pod,
      pod,
      { containers: [{}] },
      { containers: [{}] },
      { containers: [{}] },
      { containers: [{}] },
    ];
    const result = nodePodRequestsAndLimits([...pods, done]);
    expect(JSON.stringify(result.requests)).toBe('{"cpu":"750m","memory":"1536Mi","pods":"7"}');
    expect(result.limits).toEqual({ cpu: '1500m' });
  });

  it('counts zero pods', () => {
    expect(nodePodRequestsAndLimits([])).toEqual({ requests: { pods: '0' }, limits: {} });
  });
});

describe('subtract and multiply', () => {
  it('subtracts keeping the first format', () => {
    expect(formatQuantity(subtractQuantities(parseQuantity('8Gi'), parseQuantity('1Gi')))).toBe('7Gi');
    expect(formatQuantity(subtractQuantities(parseQuantity('4'), parseQuantity('200m')))).toBe('3800m');
  });

  it('multiplies quantities and lists', () => {
    expect(formatQuantity(multiplyQuantity(parseQuantity('512Mi'), 3))).toBe('1536Mi');
    expect(multiplyResourceList({ memory: '128Mi', cpu: '250m' }, 4)).toEqual({ cpu: '1', memory: '512Mi' });
    expect(multiplyResourceList({ cpu: '250m' }, 0)).toEqual({ cpu: '0' });
  });
});
