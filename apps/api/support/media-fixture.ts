import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs';

/** A short real MP4 (H.264 + AAC) from ffmpeg's lavfi test sources. */
export function makeSmallMp4(path: string, seconds = 1): void {
  execFileSync('ffmpeg', [
    '-v',
    'error',
    '-y',
    '-f',
    'lavfi',
    '-i',
    `testsrc=d=${seconds}:s=160x120:r=15`,
    '-f',
    'lavfi',
    '-i',
    `sine=d=${seconds}`,
    '-shortest',
    '-c:v',
    'libx264',
    '-preset',
    'ultrafast',
    '-c:a',
    'aac',
    path,
  ]);
}

/**
 * `bytes` bytes that start like media: a real small MP4, then random bytes. The API only sniffs
 * the head (the worker's probe is the real validation), so this is enough to exercise uploads
 * of any size without spending CPU on encoding. Written in 1 MiB blocks.
 */
export function makeMediaLikeFile(path: string, bytes: number, headMp4: string): void {
  const head = readFileSync(headMp4);
  const fd = openSync(path, 'w');
  try {
    let written = writeSync(fd, head.subarray(0, Math.min(head.length, bytes)));
    const block = randomBytes(1024 * 1024);
    while (written < bytes) {
      // vary each block so no storage layer can dedupe or compress it away
      block.writeUInt32LE(written >>> 0, 0);
      written += writeSync(fd, block, 0, Math.min(block.length, bytes - written));
    }
  } finally {
    closeSync(fd);
  }
}

export function sha256File(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
