import { classifyClient, decideFormat, formatFromAccept } from './client-format';

/** Real User-Agent strings of current devices and browsers. */
const UA = {
  iphoneSafari:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1',
  iphoneChrome:
    'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
  iphoneCoreMedia: 'AppleCoreMedia/1.0.0.22B83 (iPhone; U; CPU OS 18_1 like Mac OS X; en_us)',
  ipadSafari:
    'Mozilla/5.0 (iPad; CPU OS 17_6 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.6 Mobile/15E148 Safari/604.1',
  appleTvCoreMedia: 'AppleCoreMedia/1.0.0.22J580 (Apple TV; U; CPU OS 18_1 like Mac OS X; en_us)',
  macSafari:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  macWebView:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko)',
  macChrome:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  macFirefox:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:133.0) Gecko/20100101 Firefox/133.0',
  pixelChrome:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.81 Mobile Safari/537.36',
  galaxySamsung:
    'Mozilla/5.0 (Linux; Android 14; SM-S928B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/26.0 Chrome/122.0.0.0 Mobile Safari/537.36',
  fireTv:
    'Mozilla/5.0 (Linux; Android 12; AFTKA Build/PS7624) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.6723.102 Safari/537.36',
  windowsEdge:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0',
  windowsFirefox:
    'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0',
  linuxHeadlessChrome:
    'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
  lgWebOs:
    'Mozilla/5.0 (Web0S; Linux/SmartTV) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/94.0.4606.128 Safari/537.36 WebAppManager',
  curl: 'curl/8.5.0',
};

describe('decideFormat: the decision table by User-Agent', () => {
  it.each([
    ['iphoneSafari', 'hls', 'ios'],
    ['iphoneChrome', 'hls', 'ios'],
    ['iphoneCoreMedia', 'hls', 'ios'],
    ['ipadSafari', 'hls', 'ipados'],
    ['appleTvCoreMedia', 'hls', 'tvos'],
    ['macSafari', 'hls', 'macos'],
    ['macWebView', 'hls', 'macos'],
    ['macChrome', 'dash', 'macos'],
    ['macFirefox', 'dash', 'macos'],
    ['pixelChrome', 'dash', 'android'],
    ['galaxySamsung', 'dash', 'android'],
    ['fireTv', 'dash', 'android'],
    ['windowsEdge', 'dash', 'windows'],
    ['windowsFirefox', 'dash', 'windows'],
    ['linuxHeadlessChrome', 'dash', 'linux'],
    ['lgWebOs', 'dash', 'other'],
    ['curl', 'dash', 'other'],
  ] as const)('%s -> %s (%s)', (name, format, platform) => {
    expect(decideFormat({ userAgent: UA[name] })).toEqual({ format, platform, via: 'user-agent' });
  });

  it('sends a client without a User-Agent to DASH', () => {
    expect(decideFormat({})).toEqual({ format: 'dash', platform: 'other', via: 'user-agent' });
  });
});

describe('decideFormat: overrides', () => {
  it('?format= wins over Accept and User-Agent', () => {
    expect(
      decideFormat({
        userAgent: UA.iphoneSafari,
        accept: 'application/vnd.apple.mpegurl',
        override: 'dash',
      }),
    ).toEqual({ format: 'dash', platform: 'ios', via: 'query' });
  });

  it('Accept wins over the User-Agent, both ways', () => {
    expect(
      decideFormat({ userAgent: UA.pixelChrome, accept: 'application/vnd.apple.mpegurl' }),
    ).toEqual({ format: 'hls', platform: 'android', via: 'accept' });
    expect(decideFormat({ userAgent: UA.macSafari, accept: 'application/dash+xml' })).toEqual({
      format: 'dash',
      platform: 'macos',
      via: 'accept',
    });
  });

  it('falls back to the User-Agent when Accept names no manifest type', () => {
    expect(decideFormat({ userAgent: UA.ipadSafari, accept: '*/*' })).toEqual({
      format: 'hls',
      platform: 'ipados',
      via: 'user-agent',
    });
  });
});

describe('formatFromAccept', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['*/*', undefined],
    ['text/html,application/xhtml+xml,*/*;q=0.8', undefined],
    ['application/vnd.apple.mpegurl', 'hls'],
    ['application/x-mpegURL', 'hls'],
    ['Application/Dash+XML', 'dash'],
    ['application/dash+xml;q=0.9, application/vnd.apple.mpegurl;q=0.5', 'dash'],
    ['application/dash+xml;q=0.4, application/vnd.apple.mpegurl', 'hls'],
    ['application/dash+xml, application/vnd.apple.mpegurl', undefined],
    ['application/dash+xml;q=0', undefined],
  ])('%j -> %s', (accept, expected) => {
    expect(formatFromAccept(accept)).toBe(expected);
  });
});

describe('classifyClient', () => {
  it('marks exactly the Apple WebKit clients as native HLS', () => {
    const native = Object.entries(UA)
      .filter(([, ua]) => classifyClient(ua).nativeHls)
      .map(([name]) => name);
    expect(native).toEqual([
      'iphoneSafari',
      'iphoneChrome',
      'iphoneCoreMedia',
      'ipadSafari',
      'appleTvCoreMedia',
      'macSafari',
      'macWebView',
    ]);
  });
});
