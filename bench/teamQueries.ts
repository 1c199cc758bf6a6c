// Developer queries for the team benches (load, same answers at scale): written by hand, not
// taken from ../shared/bench, and nothing is fitted to them.
export const LOAD_QUERIES = [
  'parse command line arguments', 'retry a failed http request with backoff', 'read a json config file', 'where are errors logged',
  'validate an email address', 'compare two version strings', 'format a date as iso string', 'escape html entities',
  'debounce a function', 'deep clone an object', 'merge two objects recursively', 'create a readable stream from a buffer',
  'hash a string with sha256', 'convert camelCase to snake_case', 'check whether a path is absolute', 'read environment variables',
  'resolve a module path', 'walk a directory tree', 'emit an event to listeners', 'cancel a pending promise',
  'encode base64', 'split a string into lines', 'sort an array by key', 'throttle calls', 'open a websocket connection',
  'serialize query string parameters', 'decompress gzip data', 'measure elapsed time', 'generate a random id', 'trim whitespace',
  'EventEmitter', 'parseArgs', 'createServer', 'JSON.parse', 'readFileSync', 'Promise.all', 'setTimeout', 'Buffer.from',
  'handle uncaught exceptions', 'load plugins from a folder',
];
