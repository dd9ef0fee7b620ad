import { randomBytes } from 'node:crypto';

/**
 * A multipart/form-data body whose file part is streamed: the option fields and the file part's
 * header go first (the API refuses bad options before any byte is stored), then the file, then
 * the closing boundary. Knowing both ends lets us send an exact Content-Length.
 */
export interface MultipartFrame {
  contentType: string;
  head: Buffer;
  tail: Buffer;
}

const quote = (s: string) => s.replace(/["\\\r\n]/g, (c) => encodeURIComponent(c));

export function multipartFrame(
  fields: [string, string][],
  file: { filename: string; contentType?: string },
  boundary = `----kubevod${randomBytes(12).toString('hex')}`,
): MultipartFrame {
  const lines: string[] = [];
  for (const [name, value] of fields) {
    lines.push(
      `--${boundary}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n${value}\r\n`,
    );
  }
  lines.push(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${quote(file.filename)}"\r\n` +
      `Content-Type: ${file.contentType ?? 'application/octet-stream'}\r\n\r\n`,
  );
  return {
    contentType: `multipart/form-data; boundary=${boundary}`,
    head: Buffer.from(lines.join(''), 'utf8'),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`, 'utf8'),
  };
}
