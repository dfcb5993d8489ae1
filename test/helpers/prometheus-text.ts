/**
 * Reads one sample from Prometheus text exposition (GET /metrics): the value
 * of the series with exactly this name and label set, NaN when absent.
 */
export function metric(text: string, name: string, labels = ''): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name}${labels ? `{${labels}}` : ''} `));
  return line ? Number(line.split(' ').at(-1)) : NaN;
}
