// Reading a request's JSON body within API_LIMITS.maxBodyBytes: a larger one
// (by its Content-Length, or as it arrives) is refused with 413 without
// reading the rest; a body that is not JSON, or not sent as JSON, gets 400/415.
import type { IncomingMessage } from 'node:http';
import { API_LIMITS } from '../../core/team/api';
import { badRequest, HttpError } from './httpErrors';

export const tooLarge = () => new HttpError(413, 'too_large', `the request body is larger than the limit of ${API_LIMITS.maxBodyBytes} bytes`);

/** The parsed JSON body. Rejects with HttpError (400, 413, 415). */
export function readJsonBody(req: IncomingMessage, maxBytes: number = API_LIMITS.maxBodyBytes): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
  if (type !== 'application/json') {
    return Promise.reject(new HttpError(415, 'bad_request', 'send the body as JSON (Content-Type: application/json)'));
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) return Promise.reject(tooLarge());
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    let done = false;
    const fail = (e: HttpError) => { if (!done) { done = true; reject(e); } };
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) { fail(tooLarge()); return; }
      parts.push(chunk);
    });
    req.on('error', () => fail(badRequest('the request body could not be read')));
    req.on('aborted', () => fail(badRequest('the request was aborted')));
    req.on('end', () => {
      if (done) return;
      done = true;
      const raw = Buffer.concat(parts);
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(raw);
      } catch {
        reject(badRequest('the body is not valid UTF-8'));
        return;
      }
      try {
        resolve(JSON.parse(text));
      } catch {
        reject(badRequest('the body is not valid JSON'));
      }
    });
  });
}
