import type { ProcessMetric } from 'electron';
import { describe, expect, it } from 'vitest';
import { toAppProcessMetrics } from './app-process-metrics';

describe('toAppProcessMetrics', () => {
  it("turns Electron's kilobytes into bytes and keeps type, pid, name and CPU", () => {
    const metrics = [
      {
        pid: 10,
        type: 'Browser',
        creationTime: 0,
        cpu: { percentCPUUsage: 4.5, idleWakeupsPerSecond: 0 },
        memory: { workingSetSize: 2048, peakWorkingSetSize: 4096 },
      },
      {
        pid: 11,
        type: 'Utility',
        serviceName: 'network.mojom.NetworkService',
        name: 'Network Service',
        creationTime: 0,
        cpu: { percentCPUUsage: 0.1, idleWakeupsPerSecond: 0 },
        memory: { workingSetSize: 1, peakWorkingSetSize: 1 },
      },
    ] as ProcessMetric[];
    expect(toAppProcessMetrics(metrics)).toEqual([
      {
        type: 'Browser',
        pid: 10,
        workingSetBytes: 2048 * 1024,
        peakWorkingSetBytes: 4096 * 1024,
        cpuPercent: 4.5,
      },
      {
        type: 'Utility',
        pid: 11,
        name: 'Network Service',
        workingSetBytes: 1024,
        peakWorkingSetBytes: 1024,
        cpuPercent: 0.1,
      },
    ]);
  });
});
