// From ranking scores to an honest, variable-size answer. Raw cosine is no
// threshold (true pairs and hard negatives overlap, model-feasibility.md), so
// relevance is a logistic function of evidence that does not depend on the
// query's length: the cosine, how much of the query's (idf-weighted) vocabulary
// the chunk contains, and whether the query names it.

export interface Evidence {
  /** Cosine similarity (undefined in keyword mode). */
  cosine?: number;
  /** Idf-weighted fraction of query terms present in the chunk, 0..1. */
  coverage: number;
  /** nameMatchScore, 0..1. */
  nameMatch: number;
}

export interface CalibrationParams {
  hybrid: { bias: number; cosine: number; coverage: number; name: number };
  keyword: { bias: number; coverage: number; name: number };
  /** A hit is relevant at or above this probability. */
  threshold: number;
  /** Hits below this fraction of the best hit's probability are cut from the answer. */
  relativeCut: number;
}

// Set from measurements, see bench/README.md ("Calibration"): the slopes'
// ratio follows the per-hit fit of training/calibrate/fitCalibration.ts on
// held-out packages; the bias puts the "nothing relevant" line where the
// development benchmark's no-answer queries' best hits (cosine 0.23–0.49)
// separate from answerable ones as well as one cut can.
export const DEFAULT_CALIBRATION: CalibrationParams = {
  hybrid: { bias: -4.6, cosine: 12, coverage: 3, name: 3 },
  keyword: { bias: -2, coverage: 8, name: 3 },
  threshold: 0.5,
  relativeCut: 0.35,
};

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

export function relevanceProbability(e: Evidence, p: CalibrationParams = DEFAULT_CALIBRATION): number {
  if (e.cosine !== undefined) {
    const h = p.hybrid;
    return sigmoid(h.bias + h.cosine * e.cosine + h.coverage * e.coverage + h.name * e.nameMatch);
  }
  const k = p.keyword;
  return sigmoid(k.bias + k.coverage * e.coverage + k.name * e.nameMatch);
}

export interface Cut { size: number; noRelevant: boolean }

/**
 * How many of the ranked hits (probabilities in rank order) to return: none
 * when even the best is below the threshold; otherwise the leading run of hits
 * that stay within relativeCut of the best and above a floor.
 */
export function answerSize(probs: number[], k: number, p: CalibrationParams = DEFAULT_CALIBRATION): Cut {
  if (probs.length === 0) return { size: 0, noRelevant: true };
  const best = Math.max(...probs);
  if (best < p.threshold) return { size: 0, noRelevant: true };
  const floor = Math.max(best * p.relativeCut, p.threshold * 0.5);
  let size = 0;
  for (let i = 0; i < Math.min(k, probs.length); i++) if (probs[i] >= floor) size = i + 1;
  return { size: Math.max(1, size), noRelevant: false };
}
