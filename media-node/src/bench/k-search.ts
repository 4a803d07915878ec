/**
 * The search for the largest stream count K that stays real time (issue 3:
 * "how many 2 Mbps streams one core can segment and upload in real time"):
 * double K until a run is not real time, then bisect between the largest
 * K that was and the smallest larger K that was not. Precision is relative
 * (1/8 of K, at least 1): a run is one noisy sample, so finer steps would
 * measure the noise, and each step costs a full case.
 */

/** Most extra cases one search runs per storage; doubling to 256 and bisecting to 1/8 takes fewer. */
export const MAX_SEARCH_STEPS = 12;

/** Largest K that was real time and the smallest larger K that was not; 0 / undefined when there is none. */
export function searchBounds(tried: ReadonlyMap<number, boolean>): { good: number; bad: number | undefined } {
  let good = 0;
  for (const [k, ok] of tried) if (ok && k > good) good = k;
  let bad: number | undefined;
  for (const [k, ok] of tried) if (!ok && k > good && (bad === undefined || k < bad)) bad = k;
  return { good, bad };
}

/** The next K to run, or undefined when the bounds are close enough or `maxStreams` was reached. */
export function nextSearchK(tried: ReadonlyMap<number, boolean>, maxStreams: number): number | undefined {
  const { good, bad } = searchBounds(tried);
  if (bad === undefined) {
    if (good >= maxStreams) return undefined;
    const next = Math.min(Math.max(1, good * 2), maxStreams);
    return tried.has(next) ? undefined : next;
  }
  if (bad - good <= Math.max(1, Math.floor(good / 8))) return undefined;
  const next = Math.floor((good + bad) / 2);
  return tried.has(next) ? undefined : next;
}
