import busboy from '@fastify/busboy';
import { multipartFrame } from './multipart-body';

/** Parses the frame around a file with a real multipart parser (the one the API uses). */
function parse(frame: ReturnType<typeof multipartFrame>, file: Buffer) {
  return new Promise<{
    fields: [string, string][];
    files: { name: string; filename: string; data: Buffer }[];
  }>((resolve, reject) => {
    const fields: [string, string][] = [];
    const files: { name: string; filename: string; data: Buffer }[] = [];
    const bb = busboy({ headers: { 'content-type': frame.contentType } });
    bb.on('field', (name: string, value: string) => fields.push([name, value]));
    bb.on('file', (name: string, stream: NodeJS.ReadableStream, filename: string) => {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => files.push({ name, filename, data: Buffer.concat(chunks) }));
    });
    bb.on('finish', () => resolve({ fields, files }));
    bb.on('error', reject);
    bb.end(Buffer.concat([frame.head, file, frame.tail]));
  });
}

describe('multipartFrame', () => {
  it('puts the fields first and the file last, byte for byte', async () => {
    const file = Buffer.from([0, 1, 2, 13, 10, 45, 45, 255]);
    const frame = multipartFrame(
      [
        ['profile', 'mobile'],
        ['label', 'team=blue'],
      ],
      { filename: 'my "cat".mp4' },
      'BOUNDARY',
    );
    expect(frame.contentType).toBe('multipart/form-data; boundary=BOUNDARY');
    expect(frame.tail.toString()).toBe('\r\n--BOUNDARY--\r\n');
    expect(await parse(frame, file)).toEqual({
      fields: [
        ['profile', 'mobile'],
        ['label', 'team=blue'],
      ],
      files: [{ name: 'file', filename: 'my %22cat%22.mp4', data: file }],
    });
  });

  it('picks a fresh random boundary by default', () => {
    const a = multipartFrame([], { filename: 'a' }).contentType;
    const b = multipartFrame([], { filename: 'a' }).contentType;
    expect(a).toMatch(/^multipart\/form-data; boundary=----kubevod[0-9a-f]{24}$/);
    expect(a).not.toBe(b);
  });
});
