import type { Client } from 'minio';
import type { IncompleteUpload } from './stale-uploads';

/** The bucket's incomplete multipart uploads, through the minio client. */
export class StaleUploadsRepository {
  constructor(
    private readonly client: Client,
    private readonly bucket: string,
  ) {}

  /**
   * Every incomplete upload in the bucket, page by page. The query, not listIncompleteUploads:
   * that one also lists each upload's parts, and MinIO filters uploads only by exact key, so
   * no prefix is given.
   */
  async list(): Promise<IncompleteUpload[]> {
    const found: IncompleteUpload[] = [];
    let keyMarker = '';
    let uploadIdMarker = '';
    for (;;) {
      const page = await this.client.listIncompleteUploadsQuery(
        this.bucket,
        '',
        keyMarker,
        uploadIdMarker,
        '',
      );
      for (const u of page.uploads) {
        found.push({ key: u.key, uploadId: u.uploadId, initiated: new Date(u.initiated) });
      }
      if (!page.isTruncated) return found;
      keyMarker = page.nextKeyMarker;
      uploadIdMarker = page.nextUploadIdMarker;
    }
  }

  async abort(upload: Pick<IncompleteUpload, 'key' | 'uploadId'>): Promise<void> {
    await this.client.abortMultipartUpload(this.bucket, upload.key, upload.uploadId);
  }
}
