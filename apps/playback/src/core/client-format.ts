import type { OutputFormat } from '@kubevod/contracts';
import { UAParser } from 'ua-parser-js';

/** Client platforms as counted in metrics; a small closed set keeps label cardinality low. */
export const PLATFORMS = [
  'ios',
  'ipados',
  'tvos',
  'macos',
  'android',
  'windows',
  'linux',
  'other',
] as const;
export type Platform = (typeof PLATFORMS)[number];

export interface ClientInfo {
  platform: Platform;
  /** the browser (or Apple's media stack) plays HLS natively: every Apple WebKit client */
  nativeHls: boolean;
}

// Parsing a User-Agent costs ~250 µs; clients repeat theirs, so answers are remembered.
const CLASSIFIED_MAX = 2048;
const classified = new Map<string, ClientInfo>();

/** Classifies a User-Agent. Every iOS browser is WebKit, so all of them count as native HLS. */
export function classifyClient(userAgent: string | undefined): ClientInfo {
  if (!userAgent) return { platform: 'other', nativeHls: false };
  const known = classified.get(userAgent);
  if (known) return known;
  const info = Object.freeze(parseClient(userAgent));
  if (userAgent.length <= 1024) {
    // bounded: when full, start over (cheaper than LRU bookkeeping on every hit)
    if (classified.size >= CLASSIFIED_MAX) classified.clear();
    classified.set(userAgent, info);
  }
  return info;
}

function parseClient(userAgent: string): ClientInfo {
  const { os, browser, device, engine } = new UAParser(userAgent).getResult();
  if (device.vendor === 'Apple' && device.model === 'Apple TV') {
    return { platform: 'tvos', nativeHls: true };
  }
  switch (os.name) {
    case 'iOS':
      return { platform: device.model === 'iPad' ? 'ipados' : 'ios', nativeHls: true };
    case 'macOS':
      // Safari, WebKit views (iPadOS desktop mode looks like this too) and Apple's media stack
      return {
        platform: 'macos',
        nativeHls:
          browser.name === 'Safari' ||
          browser.name === 'WebKit' ||
          (browser.name === undefined && /AppleCoreMedia\//.test(userAgent)) ||
          (browser.name === undefined && engine.name === 'WebKit'),
      };
    case 'Android':
      return { platform: 'android', nativeHls: false };
    case 'Windows':
      return { platform: 'windows', nativeHls: false };
    case 'Linux':
    case 'Ubuntu':
    case 'Debian':
    case 'Fedora':
      return { platform: 'linux', nativeHls: false };
    default:
      return { platform: 'other', nativeHls: false };
  }
}

const MEDIA_TYPES: Record<string, OutputFormat> = {
  'application/vnd.apple.mpegurl': 'hls',
  'application/x-mpegurl': 'hls',
  'audio/mpegurl': 'hls',
  'application/dash+xml': 'dash',
};

/**
 * The manifest format an Accept header asks for, by q-value; undefined when it names neither
 * (wildcards say nothing about the format).
 */
export function formatFromAccept(accept: string | undefined): OutputFormat | undefined {
  if (!accept) return undefined;
  const q: Partial<Record<OutputFormat, number>> = {};
  for (const range of accept.split(',')) {
    const [type, ...params] = range.split(';').map((s) => s.trim().toLowerCase());
    const format = MEDIA_TYPES[type];
    if (!format) continue;
    const qParam = params.find((p) => p.startsWith('q='));
    const value = qParam ? Number(qParam.slice(2)) : 1;
    if (Number.isFinite(value)) q[format] = Math.max(q[format] ?? 0, value);
  }
  const hls = q.hls ?? 0;
  const dash = q.dash ?? 0;
  if (hls === 0 && dash === 0) return undefined;
  if (hls === dash) return undefined;
  return hls > dash ? 'hls' : 'dash';
}

export type DecisionSource = 'query' | 'accept' | 'user-agent';

export interface FormatDecision {
  format: OutputFormat;
  platform: Platform;
  via: DecisionSource;
}

export interface FormatRequest {
  userAgent?: string;
  accept?: string;
  /** ?format=, already validated */
  override?: OutputFormat;
}

/**
 * Which manifest a client gets: ?format= wins, then the Accept header, then the platform
 * (HLS for Apple clients, DASH for everything else). The caller checks it was published.
 */
export function decideFormat(req: FormatRequest): FormatDecision {
  const { platform, nativeHls } = classifyClient(req.userAgent);
  if (req.override) return { format: req.override, platform, via: 'query' };
  const accepted = formatFromAccept(req.accept);
  if (accepted) return { format: accepted, platform, via: 'accept' };
  return { format: nativeHls ? 'hls' : 'dash', platform, via: 'user-agent' };
}
