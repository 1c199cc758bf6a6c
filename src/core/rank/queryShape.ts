// What kind of question a query is. The ranker weighs evidence differently for
// a name ("parseDuration"), a description ("retry with backoff"), a question
// ("where is the session checked?") and a symptom ("upload fails with 413").
import { looksLikeIdentifier, rawWords } from '../text/identifiers';

export interface QueryShape {
  kind: 'identifier' | 'prose' | 'question' | 'symptom';
  /** Word count. */
  words: number;
  /** The query asks for tests ("test for …", "spec of …"). */
  asksTests: boolean;
  /** The query asks for documentation or examples. */
  asksDocs: boolean;
}

const QUESTION = /^(how|where|what|which|why|when|who|whose|is|are|does|do|did|can|could|should|would|will)\b/i;
const SYMPTOM = /\b(error|errors|exception|fails?|failed|failing|failure|crash(es|ed)?|panics?|hangs?|stuck|slow|leaks?|timeouts?|timed out|broken|bug|wrong|invalid|denied|refused|not (work|found|working)|doesn'?t|won'?t|can'?t|cannot|unable|undefined|null pointer|nil pointer|stack ?trace|traceback|\d{3} (status|response))\b/i;
const ASKS_TESTS = /\b(tests?|testing|spec|specs|unit ?tests?|fixtures?|mocks?|assert(ion)?s?)\b/i;
const ASKS_DOCS = /\b(docs?|documentation|readme|guide|tutorial|examples?|usage|how to use|sample|demo)\b/i;

export function queryShape(query: string): QueryShape {
  const words = rawWords(query).length;
  const asksTests = ASKS_TESTS.test(query);
  const asksDocs = ASKS_DOCS.test(query);
  let kind: QueryShape['kind'];
  if (looksLikeIdentifier(query)) kind = 'identifier';
  else if (SYMPTOM.test(query)) kind = 'symptom';
  else if (QUESTION.test(query.trim()) || query.trim().endsWith('?')) kind = 'question';
  else kind = 'prose';
  return { kind, words, asksTests, asksDocs };
}
