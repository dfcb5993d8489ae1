/**
 * Node conditions as the two writers of a real node write them: the node
 * lifecycle controller when the kubelet stopped posting (every kubelet
 * condition Unknown, reason NodeStatusUnknown, the last heartbeat kept), and
 * the kubelet (kwok's default set) when it posts again. Status patches are
 * strategic merges: conditions are merged by type, others are left alone.
 */
import type { V1NodeCondition } from '@kubernetes/client-node';

/** What kube-controller-manager's node lifecycle controller sets (pkg/controller/nodelifecycle). */
const KUBELET_CONDITION_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
const STOPPED_REASON = 'NodeStatusUnknown';
const STOPPED_MESSAGE = 'Kubelet stopped posting node status.';

type Condition = Pick<V1NodeCondition, 'type' | 'status' | 'reason' | 'message'> & {
  lastHeartbeatTime?: string | Date;
  lastTransitionTime?: string | Date;
};

function iso(value: string | Date | undefined, fallback: string): string {
  if (value === undefined) return fallback;
  return typeof value === 'string' ? value : value.toISOString();
}

/** Kubernetes Time: RFC 3339 to the second. */
function kubeTime(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** Status patch: the kubelet's conditions become Unknown, as after a missed heartbeat. */
export function notReadyStatusPatch(current: readonly Condition[] | undefined, now = new Date()): object {
  const at = kubeTime(now);
  const byType = new Map((current ?? []).map((c) => [c.type, c]));
  return {
    status: {
      conditions: KUBELET_CONDITION_TYPES.map((type) => {
        const was = byType.get(type);
        return {
          type,
          status: 'Unknown',
          reason: STOPPED_REASON,
          message: STOPPED_MESSAGE,
          lastHeartbeatTime: iso(was?.lastHeartbeatTime, at),
          lastTransitionTime: was?.status === 'Unknown' ? iso(was.lastTransitionTime, at) : at,
        };
      }),
    },
  };
}

/** Status patch: the kubelet posts again (kwok's default conditions, fresh heartbeat). */
export function readyStatusPatch(now = new Date()): object {
  const at = kubeTime(now);
  const condition = (type: string, status: string, reason: string, message: string): Condition => ({
    type,
    status,
    reason,
    message,
    lastHeartbeatTime: at,
    lastTransitionTime: at,
  });
  return {
    status: {
      conditions: [
        condition('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status'),
        condition(
          'MemoryPressure',
          'False',
          'KubeletHasSufficientMemory',
          'kubelet has sufficient memory available',
        ),
        condition('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        condition('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
      ],
    },
  };
}

/** The node's Ready status ('True', 'False', 'Unknown'), or undefined without one. */
export function readyStatus(conditions: readonly Condition[] | undefined): string | undefined {
  return conditions?.find((c) => c.type === 'Ready')?.status;
}
