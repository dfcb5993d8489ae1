/**
 * The desktop app's processes as the engine's load sampler takes them:
 * Electron's app.getAppMetrics() reports memory in kilobytes; the shared
 * shape is bytes, like every other memory figure the UI draws.
 */
import type { ProcessMetric } from 'electron';
import type { AppProcessMetric } from '../../shared/telemetry';

export function toAppProcessMetrics(metrics: readonly ProcessMetric[]): AppProcessMetric[] {
  return metrics.map((m) => ({
    type: m.type,
    pid: m.pid,
    ...(m.name || m.serviceName ? { name: m.name ?? m.serviceName } : {}),
    workingSetBytes: m.memory.workingSetSize * 1024,
    peakWorkingSetBytes: m.memory.peakWorkingSetSize * 1024,
    cpuPercent: m.cpu.percentCPUUsage,
  }));
}
