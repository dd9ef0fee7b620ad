import { Transform, type TransformCallback } from 'node:stream';
import { ApiError } from '../errors/api-error';
import { sniffMedia, SNIFF_BYTES, type MediaKind } from './media-sniff';
import type { UploadGarbage } from './upload-garbage';

/**
 * Sits between the client's file stream and the storage upload: holds back the first bytes
 * until they are sniffed (so nothing reaches storage for a non-media body), counts bytes and
 * fails the stream as soon as the size limit is crossed. `detected` settles once the head is
 * sniffed; the caller starts the storage upload only after it resolves.
 */
export class UploadGuard extends Transform {
  bytes = 0;
  readonly detected: Promise<MediaKind>;
  private head: Buffer[] = [];
  private headBytes = 0;
  private sniffed = false;
  private resolveDetected!: (kind: MediaKind) => void;
  private rejectDetected!: (err: Error) => void;

  constructor(
    private readonly maxBytes: number,
    private readonly garbage?: UploadGarbage,
  ) {
    super();
    this.detected = new Promise<MediaKind>((resolve, reject) => {
      this.resolveDetected = resolve;
      this.rejectDetected = reject;
    });
    // A failure before the head was sniffed is reported through `detected`; no unhandled rejection.
    this.detected.catch(() => undefined);
    this.once('error', (err) => this.rejectDetected(err));
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    this.garbage?.received(chunk.length);
    if (this.bytes > this.maxBytes) return done(tooLarge(this.maxBytes));
    if (this.sniffed) return done(null, chunk);
    this.head.push(chunk);
    this.headBytes += chunk.length;
    if (this.headBytes < SNIFF_BYTES) return done();
    this.release(done);
  }

  override _flush(done: TransformCallback): void {
    if (this.sniffed) return done();
    if (this.headBytes === 0) return done(new ApiError(400, 'EmptyFile', 'the file is empty'));
    this.release(done);
  }

  private release(done: TransformCallback): void {
    const head = Buffer.concat(this.head);
    this.head = [];
    const kind = sniffMedia(head);
    if (!kind) {
      return done(
        new ApiError(
          415,
          'UnsupportedMediaType',
          'the file does not start like any audio or video container kubevod accepts (mp4/mov, webm/mkv, mp3, aac, ogg, avi, wav, mpeg-ts/ps, flv, flac, asf)',
        ),
      );
    }
    this.sniffed = true;
    this.resolveDetected(kind);
    done(null, head);
  }
}

export function tooLarge(maxBytes: number): ApiError {
  return new ApiError(
    413,
    'PayloadTooLarge',
    `the upload is larger than the limit of ${maxBytes} bytes`,
  );
}
