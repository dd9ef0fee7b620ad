/**
 * The complete HTTP answer of GET /v1/play/:id for one (video, format, filter, mode), built once
 * and written as is: status, headers as a flat [name, value, ...] list (Node writes such a list
 * without re-validating it) and the body. The 304 for a matching If-None-Match is built with it.
 */
export interface PlayResponse {
  status: 200 | 302;
  headers: string[];
  body: Buffer;
  /** the validator of a 200; a 302 has none */
  etag?: string;
  /** headers of the 304 answered when If-None-Match names the etag */
  notModifiedHeaders?: string[];
}

export type PlayContent =
  | { kind: 'redirect'; location: string }
  | { kind: 'manifest'; body: Buffer; etag: string; contentType: string };

const EMPTY = Buffer.alloc(0);

/** CORS headers on everything a player fetches (/v1/...), errors included. */
export function corsHeaders(allowOrigin: string): Record<string, string> {
  return {
    'access-control-allow-origin': allowOrigin,
    'access-control-expose-headers': 'Content-Length, Content-Range, Accept-Ranges, ETag',
  };
}

const flat = (headers: Record<string, string>): string[] =>
  Object.entries(headers).flatMap(([name, value]) => [name, value]);

export function buildPlayResponse(content: PlayContent, allowOrigin: string): PlayResponse {
  // the answer depends on who asks: shared caches must key on it
  const common = { ...corsHeaders(allowOrigin), vary: 'User-Agent, Accept' };
  if (content.kind === 'redirect') {
    return {
      status: 302,
      headers: flat({
        ...common,
        location: content.location,
        'cache-control': 'private, max-age=10',
        'content-length': '0',
      }),
      body: EMPTY,
    };
  }
  const validators = {
    ...common,
    'content-type': content.contentType,
    'cache-control': 'public, max-age=10',
    etag: content.etag,
  };
  return {
    status: 200,
    headers: flat({ ...validators, 'content-length': String(content.body.length) }),
    body: content.body,
    etag: content.etag,
    notModifiedHeaders: flat(validators),
  };
}

/** Whether an If-None-Match header names this etag (a list, or `*`). */
export function matchesEtag(ifNoneMatch: string | undefined, etag: string): boolean {
  if (!ifNoneMatch) return false;
  if (ifNoneMatch === etag || ifNoneMatch === '*') return true;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === etag || tag === `W/${etag}`;
  });
}

/**
 * The key of a remembered answer: everything the answer depends on (path and query, User-Agent,
 * Accept); undefined when the request is too large to be worth remembering.
 */
export function playResponseKey(
  url: string,
  userAgent: string | undefined,
  accept: string | undefined,
): string | undefined {
  const key = `${url}\n${userAgent ?? ''}\n${accept ?? ''}`;
  return key.length <= 2048 ? key : undefined;
}
