/**
 * What a simulated node reports when the template does not say: values close
 * to a real node of today, so Rancher's node pages look ordinary.
 */

import type { ResourceList } from './cluster-template';
import {
  formatQuantity,
  maxQuantity,
  parseQuantity,
  subtractQuantities,
  tryParseQuantity,
  type Quantity,
} from '../quantity';

export const DEFAULT_NODE_INFO = {
  version: 'v1.31.4',
  osImage: 'Ubuntu 22.04.5 LTS',
  kernelVersion: '5.15.0-130-generic',
  containerRuntimeVersion: 'containerd://1.7.24',
  architecture: 'amd64',
  operatingSystem: 'linux',
} as const;

/** A tiny image every registry mirror has; KWOK never pulls it anyway. */
export const DEFAULT_CONTAINER_IMAGE = 'registry.k8s.io/pause:3.10';

/** The seed's default node: 4 CPU, 8Gi, 110 pods. */
export const DEFAULT_NODE_CAPACITY: Readonly<ResourceList> = { cpu: '4', memory: '8Gi', pods: '110' };

/** Node number `index` (0-based) gets 10.0.<high>.<low>, skipping .0 and .255 addresses. */
export function defaultInternalIP(index: number): string {
  const perBlock = 250;
  return `10.0.${Math.floor(index / perBlock) % 256}.${(index % perBlock) + 2}`;
}

/** Rounds up to a whole number of Mi so reserved memory prints like a kubelet flag would. */
function roundUpToMebibytes(quantity: Quantity): Quantity {
  const mebibyte = 1024n * 1024n * 1_000_000_000n;
  const whole = (quantity.nanos + mebibyte - 1n) / mebibyte;
  return { nanos: whole * mebibyte, format: 'BinarySI' };
}

function percentOf(quantity: Quantity, percent: number): Quantity {
  return { nanos: (quantity.nanos * BigInt(percent)) / 100n, format: quantity.format };
}

/**
 * Allocatable as a kubelet with typical system/kube reservations reports it:
 * cpu less 5% (at least 100m: 4 CPU -> 3800m), memory less 12% (at least 1Gi:
 * 8Gi -> 7Gi), ephemeral storage less 10%; pods and anything else unchanged.
 * Values that are not quantities are left out: validation reports them once,
 * on capacity, rather than twice.
 */
export function kubeletAllocatable(capacity: ResourceList): ResourceList {
  const reservations: Record<string, (total: Quantity) => Quantity> = {
    cpu: (total) => maxQuantity(parseQuantity('100m'), percentOf(total, 5)),
    memory: (total) => maxQuantity(parseQuantity('1Gi'), roundUpToMebibytes(percentOf(total, 12))),
    'ephemeral-storage': (total) => percentOf(total, 10),
  };
  const allocatable: ResourceList = {};
  for (const [name, text] of Object.entries(capacity)) {
    const total = tryParseQuantity(text);
    const reserve = reservations[name];
    if (!total) continue;
    if (!reserve) {
      allocatable[name] = text;
      continue;
    }
    const left = subtractQuantities(total, reserve(total));
    // A node too small for its reservations still offers something.
    allocatable[name] = left.nanos > 0n ? formatQuantity(left) : formatQuantity(percentOf(total, 50));
  }
  return allocatable;
}
