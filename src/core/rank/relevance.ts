// From ranked hits to calibrated relevance: each shown hit's probability of
// being a right answer, and the answer made of the hits at or above a threshold.
// The ranker's scores only order one query's candidates (its listwise loss is
// blind to a shift of all of them), so the probability also reads absolute
// evidence: the hit's cosine, how much of the query it covers, how well the
// query names it. A logistic function of these and of the hit's place in the
// ranking, fitted on held-out packages (training/rank) with no-answer queries
// among them, so weak evidence everywhere reads as "nothing relevant".
// Reliability curve and expected calibration error: models/sift-rank/README.md.
import { FEATURE_COUNT, FEATURES, type FeatureName } from './features';

export const RELEVANCE_INPUTS = [
  'margin', 'gap', 'first', 'cos', 'z_cos', 'coverage', 'name_exact', 'name_prefix', 'name_fuzzy', 'q_identifier',
] as const;

export interface RelevanceWeights {
  /** Input names in order; must equal RELEVANCE_INPUTS. */
  inputs: string[];
  weights: number[];
  bias: number;
}

const FROM_FEATURES: FeatureName[] = ['cos', 'z_cos', 'coverage', 'name_exact', 'name_prefix', 'name_fuzzy', 'q_identifier'];
const FEATURE_COL = FROM_FEATURES.map((f) => FEATURES.indexOf(f));

/**
 * The calibration's inputs for ranked hits (best first): the score's lead over
 * the next hit (saturating) and its gap to the best (differences only: the ranker's scores
 * have no absolute level), first place, and the hit's own absolute evidence
 * from its feature row.
 */
export function relevanceInputs(scores: ArrayLike<number>, features: Float32Array, rows: ArrayLike<number>): number[][] {
  const n = scores.length;
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const base = rows[i] * FEATURE_COUNT;
    // saturating: a lead of 4 says little more than a lead of 2, and an unbounded input would let
    // the ranker's confidence among weak candidates (a tiny workspace) outweigh the evidence
    const margin = i + 1 < n ? Math.tanh((scores[i] - scores[i + 1]) / 2) : 0;
    out.push([margin, scores[i] - scores[0], i === 0 ? 1 : 0, ...FEATURE_COL.map((c) => features[base + c])]);
  }
  return out;
}

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));

/** Probabilities for ranked hits' inputs. Never rising down the list: a hit never looks more relevant than one shown above it. */
export function relevance(w: RelevanceWeights, inputs: number[][]): number[] {
  const out: number[] = [];
  for (let i = 0; i < inputs.length; i++) {
    let s = w.bias;
    for (let j = 0; j < w.weights.length; j++) s += w.weights[j] * inputs[i][j];
    const p = sigmoid(s);
    out.push(i > 0 ? Math.min(p, out[i - 1]) : p);
  }
  return out;
}

/** Reject calibration weights that do not fit this build's inputs. */
export function checkRelevance(w: RelevanceWeights): RelevanceWeights {
  if (!Array.isArray(w.inputs) || w.inputs.join(',') !== RELEVANCE_INPUTS.join(',') || w.weights?.length !== RELEVANCE_INPUTS.length
    || !w.weights.every(Number.isFinite) || !Number.isFinite(w.bias)) {
    throw new Error('relevance weights unusable: input list differs from this build');
  }
  return w;
}

export interface Answer { size: number; noRelevant: boolean }

/** The leading hits at or above the threshold (at most k); none is "nothing relevant". */
export function answerSize(probs: number[], k: number, threshold: number): Answer {
  let size = 0;
  while (size < Math.min(k, probs.length) && probs[size] >= threshold) size++;
  return { size, noRelevant: size === 0 };
}
