/**
 * A benchmark run's timeline: once a second, the agent's memory, the active
 * cluster count and kube-apiserver's memory, plus a mark where each phase
 * begins; drawn afterwards as the PNG in docs/benchmarks.md.
 */
import { writePlotPng } from './plot-png';
import { rssMiB } from './process-cpu';

export class RunTimeline {
  private readonly t0 = performance.now();
  private readonly seconds: number[] = [];
  private readonly agentMiB: number[] = [];
  private readonly heapMiB: number[] = [];
  private readonly apiserverMiB: number[] = [];
  private readonly active: (number | null)[] = [];
  private readonly marks: { at: number; label: string }[] = [];
  private timer: NodeJS.Timeout | undefined;
  private lastActive: number | null = null;

  /** `activeClusters` is asked each second; a slow answer keeps the last one. */
  constructor(
    private readonly activeClusters: () => Promise<number>,
    private readonly apiserverPids: number[],
  ) {}

  private now(): number {
    return (performance.now() - this.t0) / 1000;
  }

  start(): void {
    let asking = false;
    this.timer = setInterval(() => {
      const mem = process.memoryUsage();
      this.seconds.push(Math.round(this.now()));
      this.agentMiB.push(Math.round(mem.rss / 2 ** 20));
      this.heapMiB.push(Math.round(mem.heapUsed / 2 ** 20));
      this.apiserverMiB.push(this.apiserverPids.map(rssMiB).reduce((a, b) => a + b, 0));
      this.active.push(this.lastActive);
      if (asking) return;
      asking = true;
      this.activeClusters()
        .then((n) => (this.lastActive = n))
        .catch(() => undefined)
        .finally(() => (asking = false));
    }, 1000);
  }

  mark(label: string): void {
    this.marks.push({ at: Math.round(this.now()), label });
  }

  stop(): void {
    clearInterval(this.timer);
  }

  async writePng(path: string, title: string): Promise<void> {
    await writePlotPng(path, {
      title,
      seconds: this.seconds,
      series: [
        { label: 'agent RSS (MiB)', values: this.agentMiB, color: '#1f77b4', axis: 'memory' },
        { label: 'agent JS heap (MiB)', values: this.heapMiB, color: '#9467bd', axis: 'memory' },
        { label: 'kube-apiserver RSS (MiB)', values: this.apiserverMiB, color: '#ff7f0e', axis: 'memory' },
        { label: 'clusters active in Rancher', values: this.active, color: '#2ca02c', axis: 'count' },
      ],
      marks: this.marks,
    });
  }
}
