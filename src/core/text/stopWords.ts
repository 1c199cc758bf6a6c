// English function words: a query's "how does the cache expire entries" is
// about "cache", "expire" and "entries". Highlighting (and any ranking signal
// that counts query words) skips these. The list is deliberately compact and
// leaves out words that are also common, meaningful identifiers in code
// ("new", "get", "set", "not", "all", "any", "some", "find", "type").

const WORDS = [
  // articles, conjunctions
  'a', 'an', 'the', 'and', 'or', 'but', 'nor', 'so', 'than', 'then', 'if', 'whether',
  // prepositions
  'of', 'to', 'in', 'on', 'at', 'by', 'for', 'from', 'with', 'without', 'into', 'onto', 'about', 'as', 'via', 'per',
  // auxiliaries and modals
  'is', 'are', 'was', 'were', 'be', 'been', 'being', 'am', 'do', 'does', 'did', 'doing', 'done',
  'has', 'have', 'had', 'having', 'can', 'could', 'should', 'would', 'will', 'shall', 'may', 'might', 'must',
  // question words
  'how', 'what', 'where', 'when', 'which', 'who', 'whom', 'whose', 'why',
  // pronouns and determiners
  'i', 'me', 'my', 'we', 'us', 'our', 'you', 'your', 'he', 'she', 'him', 'his', 'her', 'they', 'them', 'their',
  'it', 'its', 'this', 'that', 'these', 'those', 'there', 'here',
  // fillers
  'also', 'just',
];

const STOP = new Set(WORDS);

/** True for an English function word ("the", "how", "does"); case-insensitive. */
export function isStopWord(word: string): boolean {
  return STOP.has(word.toLowerCase());
}

/** Query words worth highlighting: not a stop word and longer than one character. */
export function isContentWord(word: string): boolean {
  return word.length > 1 && !isStopWord(word);
}
