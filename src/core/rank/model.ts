// The shipped ranking model: the ranker's weights, the relevance calibration for
// each search mode and the default threshold, one JSON file with a model card
// (models/sift-rank/). Bundled into the extension, CLI and worker at build time.
import shipped from '../../../models/sift-rank/ranker.json';
import { checkRanker, type RankerWeights } from './ranker';
import { checkRelevance, type RelevanceWeights } from './relevance';

export interface RankModel {
  version: string;
  ranker: RankerWeights;
  relevance: { hybrid: RelevanceWeights; keyword: RelevanceWeights };
  /** Default answer threshold on the calibrated probability. */
  threshold: number;
}

let cached: RankModel | null = null;

/** The shipped model, checked once against this build's features. */
export function shippedRankModel(): RankModel {
  if (!cached) {
    const m = shipped as unknown as RankModel;
    checkRanker(m.ranker);
    checkRelevance(m.relevance.hybrid);
    checkRelevance(m.relevance.keyword);
    cached = m;
  }
  return cached;
}
