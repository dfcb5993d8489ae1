/** Most events in any one-second window of sorted times (ms): how hard a rate limit was pressed. */
export function busiestSecond(times: number[]): number {
  let worst = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (j < times.length && times[j]! - times[i]! < 1000) j++;
    worst = Math.max(worst, j - i);
  }
  return worst;
}
