import { readFile } from 'node:fs/promises';
import * as path from 'node:path';
import { PlaybackError } from '../core/playback-error';
import { WATCH_SCRIPT } from '../core/watch-page';

/** The players' dist files, from node_modules: no CDN (and no network) needed. */
const FILES: Record<string, () => string> = {
  'hls.min.js': () => path.join(path.dirname(require.resolve('hls.js')), 'hls.min.js'),
  'dash.all.min.js': () => require.resolve('dashjs'), // dist/modern/umd/dash.all.min.js
  'shaka-player.compiled.js': () => require.resolve('shaka-player'),
};

export interface Asset {
  body: Buffer;
  etag: string;
}

/** Reads each asset once and keeps it in memory (about 2.3 MB for the three players). */
export class PlayerAssetsRepository {
  private readonly loaded = new Map<string, Promise<Asset>>();

  has(name: string): boolean {
    return name === 'watch.js' || name in FILES;
  }

  get(name: string, etagOf: (b: Buffer) => string): Promise<Asset> {
    let asset = this.loaded.get(name);
    if (!asset) {
      asset = (
        name === 'watch.js' ? Promise.resolve(Buffer.from(WATCH_SCRIPT)) : this.read(name)
      ).then((body) => ({ body, etag: etagOf(body) }));
      asset.catch(() => this.loaded.delete(name));
      this.loaded.set(name, asset);
    }
    return asset;
  }

  private async read(name: string): Promise<Buffer> {
    try {
      return await readFile(FILES[name]());
    } catch (err) {
      // the players are npm packages: an install without them cannot serve the page
      throw new PlaybackError(
        404,
        'NotFound',
        `${name} is not installed: ${(err as Error).message}`,
      );
    }
  }
}
