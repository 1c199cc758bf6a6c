// A search's filter (languages, a folder prefix, a path glob) as one test of a
// chunk's language and file, the same in every store.
import { compilePathFilter } from '../search/pathGlob';
import type { LanguageId } from '../types';
import type { CandidateFilter } from './searchStore';

export type ChunkTest = (language: LanguageId, file: string) => boolean;

/** The filter as a test, or null when it lets every chunk through. Many chunks share a file: each path is tested once. */
export function compileCandidateFilter(filter: CandidateFilter | null | undefined): ChunkTest | null {
  if (!filter) return null;
  const langs = filter.languages?.length ? new Set(filter.languages) : null;
  const prefix = filter.pathPrefix ? filter.pathPrefix.replace(/^\.?\/+/, '') : '';
  const pathTest = filter.pathFilter ? compilePathFilter(filter.pathFilter) : null;
  if (!langs && !prefix && !pathTest) return null;
  const seen = pathTest ? new Map<string, boolean>() : null;
  return (language, file) => {
    if (langs && !langs.has(language)) return false;
    if (prefix && !(file === prefix || file.startsWith(prefix.endsWith('/') ? prefix : prefix + '/'))) return false;
    if (pathTest && seen) {
      let ok = seen.get(file);
      if (ok === undefined) { ok = pathTest(file); seen.set(file, ok); }
      if (!ok) return false;
    }
    return true;
  };
}

/** True when the filter narrows anything. */
export function isFiltering(filter: CandidateFilter | null | undefined): boolean {
  return !!filter && (!!filter.languages?.length || !!filter.pathPrefix || !!filter.pathFilter);
}
