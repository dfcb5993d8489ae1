/**
 * Kubernetes resource quantities ("100m", "1.5Gi", "1e3"), parsed into exact
 * values so that sums never drift, and printed back the way the Go
 * resource.Quantity String() prints them. Rancher shows whatever string the
 * agent writes into the pod-requests/pod-limits annotations, so matching the Go
 * canonical form ("1536Mi", not "1.5Gi"; "750m", not "0.75") matters.
 */

import type { ResourceList } from './template/cluster-template';

/**
 * How a quantity prints. Kubernetes remembers the style of the first non-zero
 * term: memory written in Mi/Gi keeps printing binary, cpu in millicores
 * prints decimal.
 */
export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

export interface Quantity {
  /**
   * The value in units of 10^-9. Kubernetes never keeps more precision than
   * nano (finer input is rounded up), so this integer is exact.
   */
  readonly nanos: bigint;
  readonly format: QuantityFormat;
}

export class QuantityError extends Error {
  constructor(readonly text: string) {
    super(`"${text}" is not a valid quantity`);
    this.name = 'QuantityError';
  }
}

const NANOS_PER_UNIT = 1_000_000_000n;

const DECIMAL_SUFFIX_EXPONENTS: Readonly<Record<string, number>> = {
  n: -9,
  u: -6,
  m: -3,
  '': 0,
  k: 3,
  M: 6,
  G: 9,
  T: 12,
  P: 15,
  E: 18,
};

const BINARY_SUFFIX_POWERS: Readonly<Record<string, number>> = {
  Ki: 1,
  Mi: 2,
  Gi: 3,
  Ti: 4,
  Pi: 5,
  Ei: 6,
};

/** Inverse tables, for printing. */
const DECIMAL_SUFFIX_BY_EXPONENT = new Map(
  Object.entries(DECIMAL_SUFFIX_EXPONENTS).map(([suffix, exponent]) => [exponent, suffix]),
);
const BINARY_SUFFIX_BY_POWER = new Map(
  Object.entries(BINARY_SUFFIX_POWERS).map(([suffix, power]) => [power, suffix]),
);

/**
 * Sign, digits with an optional fraction, then one suffix: a decimal SI
 * letter, a binary Ki..Ei, or an e/E exponent. Same grammar as the Go parser.
 */
const QUANTITY_PATTERN = /^([+-]?)(\d*)(?:\.(\d*))?(?:([numkMGTPE]|[KMGTPE]i)|[eE]([+-]?\d+))?$/;

/** Exponents beyond this could only come from a typo and would build enormous integers. */
const MAX_EXPONENT_MAGNITUDE = 40;

function pow10(exponent: number): bigint {
  return 10n ** BigInt(exponent);
}

/** Parses a quantity string; throws QuantityError if Kubernetes would reject it. */
export function parseQuantity(text: string): Quantity {
  const match = QUANTITY_PATTERN.exec(text);
  if (!match) throw new QuantityError(text);
  const [, sign = '', whole = '', fraction = '', suffix, exponentText] = match;
  if (whole === '' && fraction === '') throw new QuantityError(text);

  let exponent = 0;
  let binaryPower = 0;
  let format: QuantityFormat = 'DecimalSI';
  if (exponentText !== undefined) {
    exponent = Number(exponentText);
    format = 'DecimalExponent';
    if (Math.abs(exponent) > MAX_EXPONENT_MAGNITUDE) throw new QuantityError(text);
  } else if (suffix !== undefined && suffix in BINARY_SUFFIX_POWERS) {
    binaryPower = BINARY_SUFFIX_POWERS[suffix] ?? 0;
    format = 'BinarySI';
  } else {
    exponent = DECIMAL_SUFFIX_EXPONENTS[suffix ?? ''] ?? 0;
  }

  // value = digits * 10^(exponent - fraction.length) * 1024^binaryPower, kept
  // as a fraction numerator / denominator until the final rounding to nanos.
  const digits = BigInt(whole + fraction || '0');
  const scale = exponent - fraction.length + 9;
  let numerator = digits * 1024n ** BigInt(binaryPower);
  let denominator = 1n;
  if (scale >= 0) numerator *= pow10(scale);
  else denominator = pow10(-scale);

  // Kubernetes rounds sub-nano precision up (away from zero).
  let nanos = numerator / denominator;
  if (numerator % denominator !== 0n) nanos += 1n;
  if (sign === '-') nanos = -nanos;
  return { nanos, format };
}

/** The parsed quantity, or undefined when the text is not one. */
export function tryParseQuantity(text: string): Quantity | undefined {
  try {
    return parseQuantity(text);
  } catch {
    return undefined;
  }
}

export function isValidQuantity(text: string): boolean {
  return tryParseQuantity(text) !== undefined;
}

/** A whole-number quantity, as resource.NewQuantity(n, DecimalSI) makes for pod counts. */
export function quantityFromInteger(value: number | bigint, format: QuantityFormat = 'DecimalSI'): Quantity {
  return { nanos: BigInt(value) * NANOS_PER_UNIT, format };
}

/**
 * a + b. Like Go's Quantity.Add, the result keeps the format of `a` unless
 * `a` is zero, in which case it takes b's: that is why a sum of "512Mi" terms
 * still prints in Mi.
 */
export function addQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos + b.nanos, format: a.nanos === 0n ? b.format : a.format };
}

/** a - b, keeping a's format (used to derive allocatable from capacity). */
export function subtractQuantities(a: Quantity, b: Quantity): Quantity {
  return { nanos: a.nanos - b.nanos, format: a.format };
}

/** a * factor for a whole factor, e.g. one replica's requests times the replica count. */
export function multiplyQuantity(a: Quantity, factor: number): Quantity {
  return { nanos: a.nanos * BigInt(factor), format: a.format };
}

/** -1, 0 or 1, like Go's Quantity.Cmp. */
export function compareQuantities(a: Quantity, b: Quantity): -1 | 0 | 1 {
  if (a.nanos < b.nanos) return -1;
  if (a.nanos > b.nanos) return 1;
  return 0;
}

/** The larger of the two; on a tie, `a` (the entry already in the list, as Go's helper keeps it). */
export function maxQuantity(a: Quantity, b: Quantity): Quantity {
  return compareQuantities(b, a) > 0 ? b : a;
}

/** Removes factors of `base` from a non-zero value; returns what is left and how many were removed. */
function removeFactors(value: bigint, base: bigint, limit = Infinity): [bigint, number] {
  let rest = value;
  let count = 0;
  while (count < limit && rest % base === 0n) {
    rest /= base;
    count += 1;
  }
  return [rest, count];
}

function formatDecimal(nanos: bigint, format: QuantityFormat): string {
  // Smallest integer mantissa, then lower the exponent to a multiple of 3 so
  // that it maps onto an SI suffix (1.5 -> 1500m, never 15e-1).
  let [mantissa, exponent] = ((): [bigint, number] => {
    const [rest, removed] = removeFactors(nanos, 10n);
    return [rest, removed - 9];
  })();
  const remainder = ((exponent % 3) + 3) % 3;
  mantissa *= pow10(remainder);
  exponent -= remainder;

  if (format === 'DecimalExponent') {
    return exponent === 0 ? `${mantissa}` : `${mantissa}e${exponent}`;
  }
  const suffix = DECIMAL_SUFFIX_BY_EXPONENT.get(exponent);
  // Beyond E (10^18) there is no SI letter; Go would overflow int64 long before.
  return suffix === undefined ? `${mantissa}e${exponent}` : `${mantissa}${suffix}`;
}

/** The canonical string, as Go's Quantity.String() prints it. */
export function formatQuantity(quantity: Quantity): string {
  const { nanos } = quantity;
  if (nanos === 0n) return '0';
  if (quantity.format === 'BinarySI') {
    const wholeUnits = nanos / NANOS_PER_UNIT;
    const isWhole = nanos % NANOS_PER_UNIT === 0n;
    const magnitude = wholeUnits < 0n ? -wholeUnits : wholeUnits;
    // Go prints small or fractional binary quantities as decimal rather than
    // round them ("512" not "0.5Ki"; "0.5Ki" would be rounding anyway).
    if (isWhole && magnitude >= 1024n) {
      const [mantissa, power] = removeFactors(wholeUnits, 1024n, 6);
      return `${mantissa}${BINARY_SUFFIX_BY_POWER.get(power) ?? ''}`;
    }
    return formatDecimal(nanos, 'DecimalSI');
  }
  return formatDecimal(nanos, quantity.format);
}

/** Parses and reprints: "1.5Gi" -> "1536Mi", "0.5" -> "500m". */
export function canonicalQuantity(text: string): string {
  return formatQuantity(parseQuantity(text));
}

/** Parses every entry of a ResourceList; throws QuantityError on the first bad value. */
function parseResourceList(list: ResourceList): Map<string, Quantity> {
  const parsed = new Map<string, Quantity>();
  for (const [name, text] of Object.entries(list)) parsed.set(name, parseQuantity(text));
  return parsed;
}

/** Prints with keys sorted, which is how Go's encoding/json orders a map. */
function printResourceList(list: Map<string, Quantity>): ResourceList {
  const printed: ResourceList = {};
  for (const name of [...list.keys()].sort()) {
    const quantity = list.get(name);
    if (quantity) printed[name] = formatQuantity(quantity);
  }
  return printed;
}

/** Adds `addend` into `into` per resource name (Go's addResourceList). */
function addInto(into: Map<string, Quantity>, addend: Map<string, Quantity>): void {
  for (const [name, quantity] of addend) {
    const existing = into.get(name);
    into.set(name, existing ? addQuantities(existing, quantity) : quantity);
  }
}

/** Raises entries of `into` to `candidate`'s where larger (Go's maxResourceList). */
function maxInto(into: Map<string, Quantity>, candidate: Map<string, Quantity>): void {
  for (const [name, quantity] of candidate) {
    const existing = into.get(name);
    into.set(name, existing ? maxQuantity(existing, quantity) : quantity);
  }
}

/** Per-resource sum of several lists, canonical strings, keys sorted. */
export function sumResourceLists(lists: readonly ResourceList[]): ResourceList {
  const total = new Map<string, Quantity>();
  for (const list of lists) addInto(total, parseResourceList(list));
  return printResourceList(total);
}

/** Every entry times a whole factor: the requests of `factor` identical pods. */
export function multiplyResourceList(list: ResourceList, factor: number): ResourceList {
  const scaled = new Map<string, Quantity>();
  for (const [name, quantity] of parseResourceList(list))
    scaled.set(name, multiplyQuantity(quantity, factor));
  return printResourceList(scaled);
}

/** Per-resource maximum of several lists, canonical strings, keys sorted. */
export function maxResourceLists(lists: readonly ResourceList[]): ResourceList {
  const highest = new Map<string, Quantity>();
  for (const list of lists) maxInto(highest, parseResourceList(list));
  return printResourceList(highest);
}

/** The part of a container spec that matters for resource totals. */
export interface ContainerResourcesLike {
  resources?: { requests?: ResourceList; limits?: ResourceList };
  /** The flattened form the cluster templates use. */
  requests?: ResourceList;
  limits?: ResourceList;
}

/** The part of a pod spec that matters for resource totals. */
export interface PodResourcesLike {
  containers?: readonly ContainerResourcesLike[];
  initContainers?: readonly ContainerResourcesLike[];
  /** RuntimeClass overhead: added to requests, and to limits only where a limit exists. */
  overhead?: ResourceList;
  /** Pods in phase Succeeded or Failed no longer hold resources. */
  phase?: string;
}

export interface RequestsAndLimits {
  requests: ResourceList;
  limits: ResourceList;
}

function containerList(container: ContainerResourcesLike, kind: 'requests' | 'limits'): ResourceList {
  return { ...container.resources?.[kind], ...container[kind] };
}

function podRequestsAndLimitsParsed(pod: PodResourcesLike): {
  requests: Map<string, Quantity>;
  limits: Map<string, Quantity>;
} {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  // Containers run together, so their needs add up.
  for (const container of pod.containers ?? []) {
    addInto(requests, parseResourceList(containerList(container, 'requests')));
    addInto(limits, parseResourceList(containerList(container, 'limits')));
  }
  // Init containers run one at a time before the others: the pod needs the
  // largest of them or the sum of the regular containers, whichever is more.
  for (const container of pod.initContainers ?? []) {
    maxInto(requests, parseResourceList(containerList(container, 'requests')));
    maxInto(limits, parseResourceList(containerList(container, 'limits')));
  }
  if (pod.overhead) {
    const overhead = parseResourceList(pod.overhead);
    addInto(requests, overhead);
    for (const [name, quantity] of overhead) {
      const limit = limits.get(name);
      if (limit && limit.nanos !== 0n) limits.set(name, addQuantities(limit, quantity));
    }
  }
  return { requests, limits };
}

/**
 * A pod's effective requests and limits, by the rule Rancher's podresources
 * controller uses (kubectl's PodRequestsAndLimits): per resource, the larger
 * of the containers' sum and any single init container.
 */
export function podRequestsAndLimits(pod: PodResourcesLike): RequestsAndLimits {
  const { requests, limits } = podRequestsAndLimitsParsed(pod);
  return { requests: printResourceList(requests), limits: printResourceList(limits) };
}

function isTerminated(pod: PodResourcesLike): boolean {
  return pod.phase === 'Succeeded' || pod.phase === 'Failed';
}

/**
 * What Rancher's agent writes on a node: the sum over its non-terminated pods,
 * with `pods` (their count) in requests whenever there is a pod list at all.
 */
export function nodePodRequestsAndLimits(pods: readonly PodResourcesLike[]): RequestsAndLimits {
  const requests = new Map<string, Quantity>();
  const limits = new Map<string, Quantity>();
  let running = 0;
  for (const pod of pods) {
    if (isTerminated(pod)) continue;
    running += 1;
    const perPod = podRequestsAndLimitsParsed(pod);
    addInto(requests, perPod.requests);
    addInto(limits, perPod.limits);
  }
  requests.set('pods', quantityFromInteger(running));
  return { requests: printResourceList(requests), limits: printResourceList(limits) };
}
