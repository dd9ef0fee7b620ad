import { renderTerminationMessage } from './termination-message';

describe('renderTerminationMessage', () => {
  it('is one JSON line with the reason, message, exit code and retryability', () => {
    expect(
      renderTerminationMessage({
        reason: 'SourceNotFound',
        message: 'gone',
        exitCode: 12,
        retryable: false,
      }),
    ).toBe('{"reason":"SourceNotFound","message":"gone","exitCode":12,"retryable":false}');
  });

  it('shortens a long message so the line fits the 4096 bytes Kubernetes keeps', () => {
    const line = renderTerminationMessage({
      reason: 'InvalidInput',
      message: 'é'.repeat(5000),
      exitCode: 10,
      retryable: false,
    });
    expect(Buffer.byteLength(line)).toBeLessThanOrEqual(4096);
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ reason: 'InvalidInput', exitCode: 10, retryable: false });
    expect(parsed.message.endsWith('é...')).toBe(true);
  });
});
