import { checkDecodedDuration, ffmpegVerdict } from './outcome';

describe('checkDecodedDuration', () => {
  it('accepts a decode within half a second or 2 %', () => {
    expect(() => checkDecodedDuration(3, 2.6)).not.toThrow();
    expect(() => checkDecodedDuration(100, 98.1)).not.toThrow();
  });

  it('rejects a source that decodes only partly', () => {
    expect(() => checkDecodedDuration(5, 2.4)).toThrow(
      expect.objectContaining({
        reason: 'InvalidInput',
        message: 'decoded only 2.40 s of the 5.00 s the container announces: truncated or corrupt',
      }),
    );
  });
});

describe('ffmpegVerdict', () => {
  const base = { cancelled: false, stderr: '' };
  it.each([
    ['success', { ...base, exitCode: 0 }, { ok: true }],
    [
      'a cancelled run (retry)',
      { ...base, exitCode: 255, cancelled: true },
      { ok: false, retryable: true, message: 'ffmpeg stopped: the worker was asked to stop' },
    ],
    [
      'the OOM killer (retry)',
      { ...base, signal: 'SIGKILL' },
      { ok: false, retryable: true, message: 'ffmpeg killed by SIGKILL' },
    ],
    [
      'a full scratch disk (retry)',
      { ...base, exitCode: 1, stderr: 'out/720p/seg-00003.m4s: No space left on device\n' },
      {
        ok: false,
        retryable: true,
        message: 'scratch space full: out/720p/seg-00003.m4s: No space left on device',
      },
    ],
    [
      'an allocation over -max_alloc',
      {
        ...base,
        exitCode: 1,
        stderr: 'Error while decoding stream #0:0: Cannot allocate memory\n',
      },
      {
        ok: false,
        retryable: false,
        reason: 'LimitExceeded',
        message:
          'decoding needs more memory than allowed: Error while decoding stream #0:0: Cannot allocate memory',
      },
    ],
    [
      'a decode error',
      {
        ...base,
        exitCode: 1,
        stderr: 'a\nb\nInvalid NAL unit size\nfile:source: corrupt input packet in stream 0\n',
      },
      {
        ok: false,
        retryable: false,
        reason: 'InvalidInput',
        message:
          'the source could not be decoded (ffmpeg exit 1): b | Invalid NAL unit size | file:source: corrupt input packet in stream 0',
      },
    ],
  ])('%s', (_, exit, verdict) => expect(ffmpegVerdict(exit)).toEqual(verdict));
});
