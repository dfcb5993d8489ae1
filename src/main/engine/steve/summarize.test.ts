import { describe, expect, it } from 'vitest';
import {
  podStateName,
  relatedState,
  relationships,
  reverseRelationships,
  summarize,
  withNormalisedConditions,
  type SteveState,
} from './summarize';

// Every expected value below is what the real Go code returns for the same
// object: wrangler v3.7.0 SummarizeWithOptions / NormalizeConditions, and
// steve v0.9.18 summarycache.SummaryAndRelationship over a cache holding the
// objects of each test (research digest §5.4, re-run with int64 numbers).

type Obj = Record<string, unknown>;

const NOW = Date.parse('2025-06-01T00:00:00Z');

function state(name: string, more: Partial<Omit<SteveState, 'name'>> = {}): SteveState {
  return { error: false, message: '', name, transitioning: false, ...more };
}

const cond = (type: string, status: string, more: Obj = {}): Obj => ({ type, status, ...more });

function pod(status: Obj, metadata: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'd', ...metadata }, status };
}

const selector = { matchLabels: { a: 'b' } };
const template = { spec: {} };

function deployment(generation: number, spec: Obj, status: Obj): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', namespace: 'd', generation },
    spec: { selector, template, ...spec },
    status,
  };
}

function workload(kind: string, apiVersion: string, spec: Obj, status: Obj): Obj {
  return {
    apiVersion,
    kind,
    metadata: { name: 'w', namespace: 'd', generation: 1 },
    spec: { selector, template, ...spec },
    status: { observedGeneration: 1, ...status },
  };
}

function node(conditions: Obj[], spec: Obj = {}): Obj {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name: 'n1' }, spec, status: { conditions } };
}

function service(spec: Obj, status: Obj): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 's', namespace: 'd' },
    spec: { clusterIP: '10.43.0.10', selector: { a: 'b' }, ...spec },
    status,
  };
}

function widget(metadata: Obj, rest: Obj = {}): Obj {
  return {
    apiVersion: 'example.io/v1',
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'd', ...metadata },
    ...rest,
  };
}

const notReadyMessage = 'containers with unready status: [c]';
const available = [
  cond('Available', 'True'),
  cond('Progressing', 'True', { reason: 'NewReplicaSetAvailable' }),
];

describe('summarize: the truth table of the real wrangler code (digest §5.4)', () => {
  const rows: [string, Obj, SteveState][] = [
    [
      'Pod Running, all conditions True',
      pod({
        phase: 'Running',
        conditions: [
          cond('Initialized', 'True'),
          cond('Ready', 'True'),
          cond('ContainersReady', 'True'),
          cond('PodScheduled', 'True'),
        ],
      }),
      state('running'),
    ],
    [
      'Pod Running, Ready=False (ContainersNotReady)',
      pod({
        phase: 'Running',
        conditions: [
          cond('Initialized', 'True'),
          cond('Ready', 'False', { reason: 'ContainersNotReady', message: notReadyMessage }),
          cond('ContainersReady', 'False', { reason: 'ContainersNotReady', message: notReadyMessage }),
          cond('PodScheduled', 'True'),
        ],
      }),
      state('unavailable', { transitioning: true, message: notReadyMessage }),
    ],
    [
      'Pod CrashLoop (Ready=False)',
      pod({
        phase: 'Running',
        conditions: [
          cond('Ready', 'False', { reason: 'ContainersNotReady', message: notReadyMessage }),
          cond('PodScheduled', 'True'),
        ],
        containerStatuses: [{ name: 'c', state: { waiting: { reason: 'CrashLoopBackOff' } } }],
      }),
      state('unavailable', { transitioning: true, message: notReadyMessage }),
    ],
    [
      'Pod Pending, PodScheduled=False Unschedulable',
      pod(
        {
          phase: 'Pending',
          conditions: [
            cond('PodScheduled', 'False', { reason: 'Unschedulable', message: '0/3 nodes are available' }),
          ],
        },
        { creationTimestamp: '2020-01-01T00:00:00Z' },
      ),
      state('scheduling', { error: true, message: '0/3 nodes are available' }),
    ],
    ['Pod Pending, no conditions', pod({ phase: 'Pending' }), state('pending')],
    [
      'Pod Succeeded',
      pod({
        phase: 'Succeeded',
        conditions: [cond('Ready', 'False', { reason: 'PodCompleted' }), cond('PodScheduled', 'True')],
      }),
      state('succeeded'),
    ],
    [
      'Pod Failed (Ready=False, no message)',
      pod({ phase: 'Failed', conditions: [cond('Ready', 'False', { reason: 'PodFailed' })] }),
      state('unavailable', { transitioning: true }),
    ],
    [
      'Pod with deletionTimestamp, Running',
      pod(
        { phase: 'Running', conditions: [cond('Ready', 'True')] },
        { deletionTimestamp: '2024-01-01T00:00:00Z' },
      ),
      state('running'),
    ],
    [
      'Deployment available (2/2)',
      deployment(
        1,
        { replicas: 2 },
        {
          observedGeneration: 1,
          replicas: 2,
          updatedReplicas: 2,
          readyReplicas: 2,
          availableReplicas: 2,
          conditions: available,
        },
      ),
      state('active', { message: 'Deployment is available. Replicas: 2' }),
    ],
    [
      'Deployment ready 1/2',
      deployment(
        2,
        { replicas: 2 },
        {
          observedGeneration: 2,
          replicas: 2,
          updatedReplicas: 2,
          readyReplicas: 1,
          availableReplicas: 1,
          conditions: [
            cond('Available', 'True', { reason: 'MinimumReplicasAvailable' }),
            cond('Progressing', 'True', { reason: 'ReplicaSetUpdated' }),
          ],
        },
      ),
      state('in-progress', { transitioning: true, message: 'Available: 1/2' }),
    ],
    [
      'Deployment Available=False',
      deployment(
        1,
        { replicas: 1 },
        {
          observedGeneration: 1,
          replicas: 1,
          updatedReplicas: 1,
          unavailableReplicas: 1,
          conditions: [
            cond('Available', 'False', {
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            }),
            cond('Progressing', 'True', { reason: 'ReplicaSetUpdated' }),
          ],
        },
      ),
      state('updating', { transitioning: true, message: 'Deployment does not have minimum availability.' }),
    ],
    [
      'Deployment Progressing=False ProgressDeadlineExceeded',
      deployment(
        1,
        { replicas: 1 },
        {
          observedGeneration: 1,
          replicas: 1,
          updatedReplicas: 1,
          conditions: [
            cond('Available', 'False', {
              reason: 'MinimumReplicasUnavailable',
              message: 'Deployment does not have minimum availability.',
            }),
            cond('Progressing', 'False', {
              reason: 'ProgressDeadlineExceeded',
              message: 'ReplicaSet "x" has timed out progressing.',
            }),
          ],
        },
      ),
      state('error', { error: true, message: 'ReplicaSet "x" has timed out progressing.' }),
    ],
    [
      'Deployment scaled to 0',
      deployment(3, { replicas: 0 }, { observedGeneration: 3, conditions: available }),
      state('active', { message: 'Deployment is available. Replicas: 0' }),
    ],
    [
      'ReplicaSet ready',
      workload(
        'ReplicaSet',
        'apps/v1',
        { replicas: 2 },
        { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 2, availableReplicas: 2 },
      ),
      state('active', { message: 'ReplicaSet is available. Replicas: 2' }),
    ],
    [
      'ReplicaSet old, 0 replicas',
      workload('ReplicaSet', 'apps/v1', { replicas: 0 }, { replicas: 0 }),
      state('active', { message: 'ReplicaSet is available. Replicas: 0' }),
    ],
    [
      'ReplicaSet not ready',
      workload(
        'ReplicaSet',
        'apps/v1',
        { replicas: 2 },
        { replicas: 2, fullyLabeledReplicas: 2, readyReplicas: 1, availableReplicas: 1 },
      ),
      state('in-progress', { transitioning: true, message: 'Available: 1/2' }),
    ],
    [
      'StatefulSet ready',
      workload(
        'StatefulSet',
        'apps/v1',
        { replicas: 1, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } },
        {
          replicas: 1,
          readyReplicas: 1,
          currentReplicas: 1,
          updatedReplicas: 1,
          currentRevision: 's-1',
          updateRevision: 's-1',
          availableReplicas: 1,
        },
      ),
      state('active', { message: 'Partition rollout complete. updated: 1' }),
    ],
    [
      'StatefulSet not ready',
      workload(
        'StatefulSet',
        'apps/v1',
        { replicas: 2 },
        {
          replicas: 2,
          readyReplicas: 1,
          currentReplicas: 2,
          updatedReplicas: 2,
          currentRevision: 's-1',
          updateRevision: 's-1',
        },
      ),
      state('in-progress', { transitioning: true, message: 'Ready: 1/2' }),
    ],
    [
      'DaemonSet ready',
      workload(
        'DaemonSet',
        'apps/v1',
        {},
        {
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 3,
          numberReady: 3,
          numberMisscheduled: 0,
        },
      ),
      state('active', { message: 'All replicas scheduled as expected. Replicas: 3' }),
    ],
    [
      'DaemonSet not ready',
      workload(
        'DaemonSet',
        'apps/v1',
        {},
        {
          desiredNumberScheduled: 3,
          currentNumberScheduled: 3,
          updatedNumberScheduled: 3,
          numberAvailable: 2,
          numberReady: 2,
        },
      ),
      state('in-progress', { transitioning: true, message: 'Available: 2/3' }),
    ],
    [
      'Job complete',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'd', generation: 1 },
        spec: { completions: 1, parallelism: 1, selector, template },
        status: {
          startTime: '2024-01-01T00:00:00Z',
          completionTime: '2024-01-01T00:01:00Z',
          succeeded: 1,
          conditions: [cond('SuccessCriteriaMet', 'True'), cond('Complete', 'True')],
        },
      },
      state('active', { message: 'Job Completed. succeeded: 1/1' }),
    ],
    [
      'Job running',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'd', generation: 1 },
        spec: { completions: 1, parallelism: 1, selector, template },
        status: { startTime: '2024-01-01T00:00:00Z', active: 1 },
      },
      state('active', { message: 'Job in progress. success:0, active: 1, failed: 0' }),
    ],
    [
      'Job failed (Failed=True)',
      {
        apiVersion: 'batch/v1',
        kind: 'Job',
        metadata: { name: 'j', namespace: 'd', generation: 1 },
        spec: { completions: 1, parallelism: 1, selector, template },
        status: {
          startTime: '2024-01-01T00:00:00Z',
          failed: 6,
          conditions: [
            cond('FailureTarget', 'True', { reason: 'BackoffLimitExceeded' }),
            cond('Failed', 'True', {
              reason: 'BackoffLimitExceeded',
              message: 'Job has reached the specified backoff limit',
            }),
          ],
        },
      },
      state('error', { error: true, message: 'Job has reached the specified backoff limit' }),
    ],
    [
      'CronJob',
      {
        apiVersion: 'batch/v1',
        kind: 'CronJob',
        metadata: { name: 'c', namespace: 'd', generation: 1 },
        spec: { schedule: '* * * * *', jobTemplate: {} },
        status: {},
      },
      state('active', { message: 'Resource is always ready' }),
    ],
    [
      'Node Ready=True, pressures False',
      node([
        cond('MemoryPressure', 'False', { reason: 'KubeletHasSufficientMemory' }),
        cond('DiskPressure', 'False'),
        cond('PIDPressure', 'False'),
        cond('Ready', 'True', { reason: 'KubeletReady', message: 'kubelet is posting ready status' }),
      ]),
      state('active', { message: 'Resource is Ready' }),
    ],
    [
      'Node Ready=Unknown',
      node([
        cond('MemoryPressure', 'Unknown', {
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        }),
        cond('Ready', 'Unknown', {
          reason: 'NodeStatusUnknown',
          message: 'Kubelet stopped posting node status.',
        }),
      ]),
      state('unavailable', { error: true, message: 'Kubelet stopped posting node status.' }),
    ],
    [
      'Node Ready=False',
      node([
        cond('MemoryPressure', 'False'),
        cond('Ready', 'False', { reason: 'KubeletNotReady', message: 'container runtime network not ready' }),
      ]),
      state('unavailable', { transitioning: true, message: 'container runtime network not ready' }),
    ],
    [
      'Node MemoryPressure=True',
      node([
        cond('MemoryPressure', 'True', {
          reason: 'KubeletHasInsufficientMemory',
          message: 'kubelet has insufficient memory available',
        }),
        cond('Ready', 'True'),
      ]),
      state('error', { error: true, message: 'kubelet has insufficient memory available' }),
    ],
    [
      'Node cordoned (spec.unschedulable)',
      node([cond('Ready', 'True')], { unschedulable: true }),
      state('active', { message: 'Resource is Ready' }),
    ],
    [
      'Namespace phase Active',
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'ns' },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Active' },
      },
      state('active'),
    ],
    [
      'Namespace phase Terminating',
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: { name: 'ns', deletionTimestamp: '2024-01-01T00:00:00Z' },
        spec: { finalizers: ['kubernetes'] },
        status: { phase: 'Terminating' },
      },
      state('terminating'),
    ],
    [
      'Service ClusterIP',
      service({ type: 'ClusterIP' }, { loadBalancer: {} }),
      state('active', { message: 'Service is ready' }),
    ],
    [
      'Service LoadBalancer with ingress',
      service({ type: 'LoadBalancer' }, { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } }),
      state('active', { message: 'Service is ready' }),
    ],
    [
      'Service LoadBalancer without ingress',
      service({ type: 'LoadBalancer' }, { loadBalancer: {} }),
      state('pending', {
        transitioning: true,
        message: 'Service is ready:Load balancer is being provisioned',
      }),
    ],
    [
      'ConfigMap',
      { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' }, data: { a: 'b' } },
      state('active', { message: 'Resource is always ready' }),
    ],
    [
      'Secret',
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'd' }, type: 'Opaque', data: {} },
      state('active', { message: 'Resource is always ready' }),
    ],
    [
      'Event Normal',
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'e', namespace: 'd' },
        type: 'Normal',
        reason: 'Scheduled',
        message: 'ok',
        involvedObject: { kind: 'Pod', name: 'p' },
      },
      state('active', { message: 'Resource is current' }),
    ],
    [
      'Event Warning',
      {
        apiVersion: 'v1',
        kind: 'Event',
        metadata: { name: 'e', namespace: 'd' },
        type: 'Warning',
        reason: 'BackOff',
        message: 'Back-off restarting failed container',
        involvedObject: { kind: 'Pod', name: 'p' },
      },
      state('active', { message: 'Resource is current' }),
    ],
    [
      'PersistentVolumeClaim Bound',
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'c', namespace: 'd' },
        spec: {},
        status: { phase: 'Bound' },
      },
      state('bound'),
    ],
    [
      'PersistentVolumeClaim Pending',
      {
        apiVersion: 'v1',
        kind: 'PersistentVolumeClaim',
        metadata: { name: 'c', namespace: 'd' },
        spec: {},
        status: { phase: 'Pending' },
      },
      state('pending'),
    ],
    [
      'ServiceAccount',
      { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'sa', namespace: 'd' } },
      state('active', { message: 'Resource is current' }),
    ],
    [
      'Endpoints',
      {
        apiVersion: 'v1',
        kind: 'Endpoints',
        metadata: { name: 's', namespace: 'd' },
        subsets: [{ addresses: [{ ip: '10.0.0.1' }], ports: [{ port: 80 }] }],
      },
      state('active', { message: 'Resource is current' }),
    ],
  ];

  it.each(rows)('%s', (_name, obj, expected) => {
    expect(summarize(obj, NOW)).toEqual(expected);
  });

  it('Deployment generation ≠ observedGeneration (kstatus, for every kind)', () => {
    const obj = deployment(
      2,
      { replicas: 1 },
      { observedGeneration: 1, replicas: 1, updatedReplicas: 1, readyReplicas: 1, availableReplicas: 1 },
    );
    expect(summarize(obj, NOW)).toEqual(
      state('in-progress', {
        transitioning: true,
        message: 'Deployment generation is 2, but latest observed generation is 1',
      }),
    );
  });
});

describe('summarize: the generic fallback', () => {
  const rows: [string, Obj, SteveState][] = [
    [
      'Ready=False',
      widget({}, { status: { conditions: [cond('Ready', 'False', { message: 'waiting for x' })] } }),
      state('unavailable', { transitioning: true, message: 'waiting for x' }),
    ],
    [
      'Ready=True',
      widget({}, { status: { conditions: [cond('Ready', 'True')] } }),
      state('active', { message: 'Resource is Ready' }),
    ],
    [
      'Stalled=True',
      widget({}, { status: { conditions: [cond('Stalled', 'True', { message: 'stuck' })] } }),
      state('error', { error: true, message: 'stuck' }),
    ],
    [
      'Failed=True',
      widget({}, { status: { conditions: [cond('Failed', 'True', { message: 'boom' })] } }),
      state('error', { error: true, message: 'boom' }),
    ],
    [
      'any condition with reason Error',
      widget(
        {},
        { status: { conditions: [cond('Synced', 'True', { reason: 'Error', message: 'sync failed' })] } },
      ),
      state('error', { error: true, message: 'sync failed' }),
    ],
    [
      'Reconciling=True',
      widget({}, { status: { conditions: [cond('Reconciling', 'True', { message: 'working' })] } }),
      state('reconciling', { transitioning: true, message: 'working' }),
    ],
    [
      'deletionTimestamp',
      widget({ deletionTimestamp: '2024-01-01T00:00:00Z' }),
      state('removing', { transitioning: true, message: 'Resource scheduled for deletion' }),
    ],
    [
      'generation ahead of observedGeneration',
      widget({ generation: 3 }, { status: { observedGeneration: 2 } }),
      state('in-progress', {
        transitioning: true,
        message: 'Widget generation is 3, but latest observed generation is 2',
      }),
    ],
    ['a phase', { ...widget({}), status: { phase: 'Lost' } }, state('lost')],
    [
      'a non-integer generation makes kstatus fail: plain active',
      widget({ generation: 1.5 }),
      state('active'),
    ],
    [
      'status.display',
      widget({}, { status: { display: { state: 'Deploying', transitioning: 'true', message: 'half way' } } }),
      state('deploying', { transitioning: true, message: 'half way' }),
    ],
    ['spec.active false', widget({}, { spec: { active: false } }), state('inactive')],
    [
      'conditions in the cattle.io/status annotation',
      widget({
        annotations: {
          'cattle.io/status': JSON.stringify({
            conditions: [cond('Created', 'Unknown', { message: 'creating it' })],
          }),
        },
      }),
      state('creating', { transitioning: true, message: 'creating it' }),
    ],
  ];

  it.each(rows)('%s', (_name, obj, expected) => {
    expect(summarize(obj, NOW)).toEqual(expected);
  });

  it('generation vs observedGeneration on its own only with hasObservedGeneration (kstatus failing first)', () => {
    const obj = widget({ generation: 1.5 }, { status: { observedGeneration: 1 } });
    expect(summarize(obj, NOW)).toEqual(state('active'));
    expect(summarize(obj, NOW, { hasObservedGeneration: true })).toEqual(state('active'));
    // With an int64 generation kstatus itself reports the mismatch, option or not.
    const whole = widget({ generation: 2 }, { status: { observedGeneration: 1 } });
    expect(summarize(whole, NOW, { hasObservedGeneration: true })).toEqual(
      state('in-progress', {
        transitioning: true,
        message: 'Widget generation is 2, but latest observed generation is 1',
      }),
    );
  });

  it('norman metadata.removed: removing, an error after five minutes', () => {
    const obj = widget(
      { removed: '2025-05-31T23:59:00Z', finalizers: ['controller.cattle.io/foo-bar'] },
      { type: '/v3/x' },
    );
    expect(summarize(obj, NOW)).toEqual(
      state('removing', { transitioning: true, message: 'waiting on foo-bar' }),
    );
    expect(summarize(obj, NOW + 10 * 60_000)).toEqual(
      state('removing', { error: true, transitioning: true, message: 'waiting on foo-bar' }),
    );
  });
});

describe('podStateName', () => {
  it.each([
    ['Running', 'running'],
    ['CrashLoopBackOff', 'crashLoopBackOff'],
    ['ContainerCreating', 'containerCreating'],
    ['OOMKilled', 'oomKilled'],
    ['Init:0/1', 'init:0/1'],
    ['Completed', 'completed'],
    ['Terminating', 'terminating'],
    ['', ''],
  ])('%s -> %s', (cell, expected) => {
    expect(podStateName(cell)).toBe(expected);
  });

  it('no cell: no override', () => {
    expect(podStateName(undefined)).toBeUndefined();
  });
});

describe('withNormalisedConditions', () => {
  it('flags each condition on its own and fills lastUpdateTime, without touching the input', () => {
    const obj = pod({
      phase: 'Running',
      conditions: [
        cond('Initialized', 'True', { lastTransitionTime: '2024-01-01T00:00:00Z' }),
        cond('Ready', 'False', {
          reason: 'ContainersNotReady',
          message: 'm',
          lastTransitionTime: '2024-01-01T00:00:01Z',
        }),
        cond('PodScheduled', 'False', {
          reason: 'Unschedulable',
          lastTransitionTime: '2024-01-01T00:00:02Z',
        }),
      ],
    });
    const before = JSON.stringify(obj);
    expect(withNormalisedConditions(obj, NOW)).toEqual({
      ...obj,
      status: {
        phase: 'Running',
        conditions: [
          {
            type: 'Initialized',
            status: 'True',
            lastTransitionTime: '2024-01-01T00:00:00Z',
            error: false,
            transitioning: false,
            lastUpdateTime: '2024-01-01T00:00:00Z',
          },
          {
            type: 'Ready',
            status: 'False',
            reason: 'ContainersNotReady',
            message: 'm',
            lastTransitionTime: '2024-01-01T00:00:01Z',
            error: false,
            transitioning: true,
            lastUpdateTime: '2024-01-01T00:00:01Z',
          },
          {
            type: 'PodScheduled',
            status: 'False',
            reason: 'Unschedulable',
            lastTransitionTime: '2024-01-01T00:00:02Z',
            error: true,
            transitioning: false,
            lastUpdateTime: '2024-01-01T00:00:02Z',
          },
        ],
      },
    });
    expect(JSON.stringify(obj)).toBe(before);
  });

  it("uses the object's kind: a Node's pressure and a Deployment's Progressing=False are errors", () => {
    const n = node([cond('MemoryPressure', 'True', { lastTransitionTime: 't1' }), cond('Ready', 'Unknown')]);
    expect(withNormalisedConditions(n, NOW).status).toEqual({
      conditions: [
        {
          type: 'MemoryPressure',
          status: 'True',
          lastTransitionTime: 't1',
          error: true,
          transitioning: false,
          lastUpdateTime: 't1',
        },
        { type: 'Ready', status: 'Unknown', error: true, transitioning: false, lastUpdateTime: '' },
      ],
    });
    const d = deployment(
      1,
      {},
      { conditions: [cond('Available', 'False', { lastUpdateTime: 'u1' }), cond('Progressing', 'False')] },
    );
    expect(withNormalisedConditions(d, NOW).status).toEqual({
      conditions: [
        { type: 'Available', status: 'False', lastUpdateTime: 'u1', error: false, transitioning: true },
        { type: 'Progressing', status: 'False', error: true, transitioning: false, lastUpdateTime: '' },
      ],
    });
  });

  it('a list entry that is not a map becomes null; no conditions: an unchanged copy', () => {
    const obj = pod({ conditions: ['x', cond('Ready', 'True')] });
    expect(withNormalisedConditions(obj, NOW).status).toEqual({
      conditions: [
        null,
        { type: 'Ready', status: 'True', error: false, transitioning: false, lastUpdateTime: '' },
      ],
    });
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'd' } };
    const out = withNormalisedConditions(cm, NOW);
    expect(out).toEqual(cm);
    expect(out).not.toBe(cm);
  });
});

describe('relationships (steve summarycache)', () => {
  const CORE = new Map([
    ['v1/Pod', 'pod'],
    ['v1/Node', 'node'],
    ['v1/ConfigMap', 'configmap'],
    ['v1/Secret', 'secret'],
    ['v1/ServiceAccount', 'serviceaccount'],
    ['v1/Service', 'service'],
    ['v1/PersistentVolumeClaim', 'persistentvolumeclaim'],
    ['apps/v1/Deployment', 'apps.deployment'],
    ['apps/v1/ReplicaSet', 'apps.replicaset'],
  ]);
  const schemaIdOf = (apiVersion: string, kind: string): string | undefined =>
    CORE.get(`${apiVersion}/${kind}`);

  const deploy: Obj = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', generation: 1 },
    spec: {
      replicas: 1,
      selector: { matchLabels: { tier: 'front', app: 'web' } },
      template: {
        metadata: { labels: { app: 'web', tier: 'front' } },
        spec: {
          containers: [{ name: 'c', image: 'nginx', envFrom: [{ configMapRef: { name: 'web-env' } }] }],
          volumes: [{ name: 'cfg', configMap: { name: 'web-config' } }],
        },
      },
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      updatedReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
      conditions: available,
    },
  };
  const rs: Obj = {
    apiVersion: 'apps/v1',
    kind: 'ReplicaSet',
    metadata: {
      name: 'web-abc',
      namespace: 'default',
      generation: 1,
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'u-d', controller: true },
      ],
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web', 'pod-template-hash': 'abc' } },
      template: { spec: { serviceAccountName: 'web-sa', containers: [{ name: 'c', image: 'nginx' }] } },
    },
    status: {
      observedGeneration: 1,
      replicas: 1,
      fullyLabeledReplicas: 1,
      readyReplicas: 1,
      availableReplicas: 1,
    },
  };
  const webPod: Obj = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'web-abc-x1',
      namespace: 'default',
      ownerReferences: [
        { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-abc', uid: 'u-rs', controller: true },
      ],
    },
    spec: {
      nodeName: 'node-1',
      serviceAccountName: 'default',
      containers: [
        {
          name: 'c',
          image: 'nginx',
          env: [
            { name: 'PW', valueFrom: { secretKeyRef: { name: 'db-pass', key: 'pw' } } },
            { name: 'X', valueFrom: { configMapKeyRef: { name: 'web-config', key: 'x' } } },
          ],
        },
      ],
      initContainers: [{ name: 'i', envFrom: [{ secretRef: { name: 'init-secret' } }] }],
      imagePullSecrets: [{ name: 'regcred' }],
      volumes: [
        { name: 'cfg', configMap: { name: 'web-config' } },
        { name: 'tls', secret: { secretName: 'web-tls' } },
        { name: 'data', persistentVolumeClaim: { claimName: 'web-data' } },
        {
          name: 'api',
          projected: {
            sources: [{ serviceAccountToken: { path: 't' } }, { configMap: { name: 'kube-root-ca.crt' } }],
          },
        },
      ],
    },
    status: { phase: 'Running', conditions: [cond('Ready', 'True')] },
  };
  const svc: Obj = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: 'web', namespace: 'default' },
    spec: { type: 'ClusterIP', clusterIP: '10.43.0.5', selector: { app: 'web' } },
  };
  const webConfig: Obj = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'web-config', namespace: 'default' },
  };
  const nodeObj: Obj = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name: 'node-1' },
    status: { conditions: [cond('Ready', 'True')] },
  };
  const cache = [deploy, rs, webPod, svc, webConfig, nodeObj];

  it('a pod owned by a ReplicaSet: the owner as fromId/fromType on the pod', () => {
    expect(relationships(webPod, schemaIdOf).filter((r) => r.rel === 'owner')).toEqual([
      { fromId: 'default/web-abc', fromType: 'apps.replicaset', rel: 'owner' },
    ]);
  });

  it('...and each owned pod as toId on the ReplicaSet, with the pod state from the cache', () => {
    expect(relationships(rs, schemaIdOf)).toEqual([
      { toType: 'pod', toNamespace: 'default', rel: 'creates', selector: 'app=web,pod-template-hash=abc' },
      { toId: 'default/web-sa', toType: 'serviceaccount', rel: 'uses' },
      { fromId: 'default/web', fromType: 'apps.deployment', rel: 'owner' },
    ]);
    expect(reverseRelationships(rs, cache, schemaIdOf, { now: NOW })).toEqual([
      { toId: 'default/web-abc-x1', toType: 'pod', rel: 'owner', state: 'running' },
    ]);
  });

  it('a Deployment with a selector: "creates" pods by selector, then its template references', () => {
    expect(relationships(deploy, schemaIdOf)).toEqual([
      { toType: 'pod', toNamespace: 'default', rel: 'creates', selector: 'app=web,tier=front' },
      { toId: 'default/web-config', toType: 'configmap', rel: 'uses' },
      { toId: 'default/web-env', toType: 'configmap', rel: 'uses' },
      // The template names no service account: an entry without toId, as Steve serves it.
      { toType: 'serviceaccount', rel: 'uses' },
    ]);
    expect(reverseRelationships(deploy, cache, schemaIdOf, { now: NOW })).toEqual([
      {
        toId: 'default/web-abc',
        toType: 'apps.replicaset',
        rel: 'owner',
        state: 'active',
        message: 'ReplicaSet is available. Replicas: 1',
      },
    ]);
  });

  it('a Service with a selector: "selects" pods', () => {
    expect(relationships(svc, schemaIdOf)).toEqual([
      { toType: 'pod', toNamespace: 'default', rel: 'selects', selector: 'app=web' },
    ]);
    expect(reverseRelationships(svc, cache, schemaIdOf, { now: NOW })).toEqual([]);
  });

  it('a pod on a node mounting a configmap and a secret: no node, no PVC, no pull secret, no init containers', () => {
    expect(relationships(webPod, schemaIdOf)).toEqual([
      { toId: 'default/web-config', toType: 'configmap', rel: 'uses' },
      { toId: 'default/web-tls', toType: 'secret', rel: 'uses' },
      { toId: 'default/db-pass', toType: 'secret', rel: 'uses' },
      { toId: 'default/default', toType: 'serviceaccount', rel: 'uses' },
      { toId: 'default/kube-root-ca.crt', toType: 'configmap', rel: 'uses' },
      { fromId: 'default/web-abc', fromType: 'apps.replicaset', rel: 'owner' },
    ]);
    expect(reverseRelationships(nodeObj, cache, schemaIdOf, { now: NOW })).toEqual([]);
  });

  it('the configmap sees the pod and the deployment that use it', () => {
    expect(relationships(webConfig, schemaIdOf)).toEqual([]);
    expect(reverseRelationships(webConfig, cache, schemaIdOf, { now: NOW })).toEqual([
      {
        fromId: 'default/web',
        fromType: 'apps.deployment',
        rel: 'uses',
        state: 'active',
        message: 'Deployment is available. Replicas: 1',
      },
      { fromId: 'default/web-abc-x1', fromType: 'pod', rel: 'uses', state: 'running' },
    ]);
  });

  it('match expressions print as a label selector, sorted by key; an invalid one prints nothing', () => {
    const sts: Obj = {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 'db', namespace: 'default' },
      spec: {
        selector: {
          matchLabels: { role: 'primary' },
          matchExpressions: [
            { key: 'tier', operator: 'NotIn', values: ['z', 'a'] },
            { key: 'app', operator: 'In', values: ['db'] },
            { key: 'legacy', operator: 'DoesNotExist' },
            { key: 'env', operator: 'Exists' },
          ],
        },
      },
    };
    expect(relationships(sts, schemaIdOf)).toEqual([
      {
        toType: 'pod',
        toNamespace: 'default',
        rel: 'creates',
        selector: 'app in (db),env,!legacy,role=primary,tier notin (a,z)',
      },
    ]);
    const bad: Obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'bad', namespace: 'default' },
      spec: { selector: { matchExpressions: [{ key: 'a', operator: 'in', values: ['x'] }] } },
    };
    expect(relationships(bad, schemaIdOf)).toEqual([
      { toType: 'pod', toNamespace: 'default', rel: 'creates' },
    ]);
  });

  it('relatedState: the summary a relationship carries, messages joined with "; "', () => {
    expect(relatedState(service({ type: 'LoadBalancer' }, { loadBalancer: {} }), NOW)).toEqual({
      state: 'pending',
      message: 'Service is ready; Load balancer is being provisioned',
      transitioning: true,
    });
  });
});
