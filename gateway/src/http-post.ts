import type { Dispatcher } from 'undici';

export interface PostTarget {
  /** `http://host:port` */
  readonly origin: string;
  /** Path and query. */
  readonly path: string;
}

export interface PostResponse {
  readonly statusCode: number;
  /** The whole body as UTF-8. */
  readonly body: string;
}

/**
 * One POST through an undici dispatcher, the whole response body collected as it arrives.
 * undici's `request()` wraps every response in a Readable stream and reads it back through
 * the stream machinery; a subgraph answer is a small JSON body read whole, so the gateway
 * takes it from the dispatcher's callbacks directly. `signal` aborts the request at any point.
 */
export function post(dispatcher: Dispatcher, target: PostTarget, headers: Record<string, string>, body: string, signal: AbortSignal): Promise<PostResponse> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    let controller: Dispatcher.DispatchController | undefined;
    let statusCode = 0;
    const chunks: Buffer[] = [];
    const onAbort = () => controller?.abort(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => signal.removeEventListener('abort', onAbort);
    dispatcher.dispatch(
      { origin: target.origin, path: target.path, method: 'POST', headers, body },
      {
        onRequestStart(started) {
          controller = started;
          if (signal.aborted) started.abort(signal.reason);
        },
        onResponseStart(_controller, status) {
          statusCode = status;
        },
        onResponseData(_controller, chunk) {
          chunks.push(chunk);
        },
        onResponseEnd() {
          settle();
          resolve({ statusCode, body: chunks.length === 1 ? chunks[0]!.toString('utf8') : Buffer.concat(chunks).toString('utf8') });
        },
        onResponseError(_controller, error) {
          settle();
          reject(error);
        },
      },
    );
  });
}
