import { describe, expect, it } from 'vitest';
import { defaultInternalIP, kubeletAllocatable } from './node-defaults';

describe('kubeletAllocatable', () => {
  it.each([
    [
      { cpu: '4', memory: '8Gi', pods: '110' },
      { cpu: '3800m', memory: '7Gi', pods: '110' },
    ],
    [
      { cpu: '2', memory: '4Gi', pods: '110' },
      { cpu: '1900m', memory: '3Gi', pods: '110' },
    ],
    [
      { cpu: '1', memory: '2Gi' },
      { cpu: '900m', memory: '1Gi' },
    ],
    [
      { cpu: '64', memory: '256Gi' },
      { cpu: '60800m', memory: '230686Mi' },
    ],
    [
      { 'ephemeral-storage': '100Gi', 'nvidia.com/gpu': '2' },
      { 'ephemeral-storage': '90Gi', 'nvidia.com/gpu': '2' },
    ],
  ])('%j -> %j', (capacity, allocatable) => {
    expect(kubeletAllocatable(capacity)).toEqual(allocatable);
  });

  it('keeps something for nodes smaller than the reservation, and leaves out invalid values for validation to report once, on capacity', () => {
    expect(kubeletAllocatable({ memory: '512Mi', cpu: 'lots' })).toEqual({ memory: '256Mi' });
  });
});

describe('defaultInternalIP', () => {
  it('numbers nodes from 10.0.0.2 and never repeats within the node limit', () => {
    expect(defaultInternalIP(0)).toBe('10.0.0.2');
    expect(defaultInternalIP(249)).toBe('10.0.0.251');
    expect(defaultInternalIP(250)).toBe('10.0.1.2');
    const addresses = new Set(Array.from({ length: 5000 }, (_, index) => defaultInternalIP(index)));
    expect(addresses.size).toBe(5000);
  });
});
