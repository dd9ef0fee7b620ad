import { expiredUploads, type IncompleteUpload } from './stale-uploads';

const HOUR = 3600_000;
const now = Date.parse('2026-11-23T12:00:00Z');
const upload = (key: string, initiated: string): IncompleteUpload => ({
  key,
  uploadId: `id-${key}`,
  initiated: new Date(initiated),
});

describe('expiredUploads', () => {
  it('keeps exactly the uploads started more than the expiry before now', () => {
    const uploads = [
      upload('old', '2026-11-22T11:59:59Z'), // 24 h 1 s ago
      upload('edge', '2026-11-22T12:00:00Z'), // exactly 24 h ago: not yet expired
      upload('fresh', '2026-11-23T11:00:00Z'),
      upload('future', '2026-11-24T00:00:00Z'), // clock skew between us and the store
    ];
    expect(expiredUploads(uploads, now, 24 * HOUR).map((u) => u.key)).toEqual(['old']);
    expect(expiredUploads(uploads, now, 1 * HOUR).map((u) => u.key)).toEqual(['old', 'edge']);
  });

  it('never expires an upload whose start time is unknown', () => {
    expect(expiredUploads([upload('bad', 'not a date')], now, HOUR)).toEqual([]);
  });

  it('answers the uploads themselves (key and upload id, for the abort)', () => {
    const old = upload('sources/v1/source', '2026-01-01T00:00:00Z');
    expect(expiredUploads([old], now, HOUR)).toEqual([old]);
  });
});
