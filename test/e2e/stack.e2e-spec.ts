/**
 * The whole product on a real node: Traefik -> api -> MinIO + Transcode -> controller -> worker Job
 * (ffmpeg) -> MinIO -> playback -> players in headless Chromium, all installed by the Helm chart.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchChromium, type LaunchedChromium } from '../browser/chromium';
import { watchPage, type PlayerState } from '../browser/watch-page';
import { kubectl } from '../support/kubectl';
import {
  api,
  ffmpeg,
  getTranscode,
  openStorage,
  stack,
  upload,
  viaIngress,
  waitForGone,
  waitForPhase,
  type Created,
} from './support/stack';
import { describeE2e } from './support/tier';

const dir = mkdtempSync(join(tmpdir(), 'kubevod-e2e-'));
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1';
const ANDROID =
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Mobile Safari/537.36';

async function uploadOk(file: string, fields: [string, string][] = []): Promise<string> {
  const res = await upload(file, fields);
  expect({ status: res.status, body: res.body.toString().slice(0, 300) }).toMatchObject({
    status: 201,
  });
  return (JSON.parse(res.body.toString()) as Created).id;
}

/** GET /v1/play/ID as USER_AGENT; follows one redirect (redirect mode) to the manifest. */
async function play(id: string, userAgent: string) {
  let res = await viaIngress(stack.playbackHost, 'GET', `/v1/play/${id}`, {
    headers: { 'user-agent': userAgent },
  });
  if (res.status === 302) {
    const to = new URL(String(res.headers.location), `http://${stack.playbackHost}`);
    res = await viaIngress(to.host.split(':')[0], 'GET', to.pathname + to.search, {
      headers: { 'user-agent': userAgent },
    });
  }
  return res;
}

let chromium: LaunchedChromium | undefined;
async function watch(id: string, query: string): Promise<{ state: PlayerState; failed: string[] }> {
  chromium ??= await launchChromium();
  // *.localhost is loopback to Chromium: the page, manifests and segments all come through Traefik.
  const { status, state, failed } = await watchPage(
    chromium.context,
    `${stack.playbackUrl}/watch/${id}?${query}`,
    90_000,
  );
  expect(status).toBe(200);
  return { state, failed };
}

afterAll(async () => {
  await chromium?.close();
  rmSync(dir, { recursive: true, force: true });
});

describeE2e('a video through the whole stack', () => {
  let id = '';

  beforeAll(async () => {
    const file = ffmpeg(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=640x360:rate=25:duration=8',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:duration=8',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
      ],
      join(dir, 'clip.mp4'),
    );
    id = await uploadOk(file);
  }, 120_000);

  it('transcodes to Succeeded, and kubectl get tc shows phase, progress and renditions', async () => {
    const tc = await waitForPhase(id, ['Succeeded', 'Failed'], 900_000);
    expect(tc.status?.phase).toBe('Succeeded');
    const table = kubectl(['get', 'tc', id, '-n', stack.namespace]);
    expect(table.code).toBe(0);
    const [header, row] = table.stdout.trim().split('\n');
    expect(header).toMatch(/^NAME\s+PHASE\s+PROGRESS\s+RENDITIONS\s+AGE/);
    const cells = row.split(/\s+/);
    expect(cells[0]).toBe(id);
    expect(cells[1]).toBe('Succeeded');
    expect(Number(cells[2])).toBe(100);
    expect(Number(cells[3])).toBeGreaterThanOrEqual(2);
  }, 960_000);

  it('gives an iPhone HLS and an Android phone DASH through the ingress', async () => {
    const hls = await play(id, IPHONE);
    expect(hls.status).toBe(200);
    expect(hls.headers['content-type']).toMatch(/mpegurl/i);
    expect(hls.body.toString()).toMatch(/^#EXTM3U/);
    const dash = await play(id, ANDROID);
    expect(dash.status).toBe(200);
    expect(dash.headers['content-type']).toMatch(/dash\+xml/);
    expect(dash.body.toString()).toContain('<MPD');
  });

  it.each([
    ['player=hlsjs', 'hlsjs', 'hls'],
    ['player=dashjs', 'dashjs', 'dash'],
    ['player=shaka&format=dash', 'shaka', 'dash'],
  ])(
    'plays in headless Chromium with %s past 3 s without an error',
    async (query, player, format) => {
      const { state, failed } = await watch(id, query);
      expect({ failed, player: state.player, format: state.format, error: state.error }).toEqual({
        failed: [],
        player,
        format,
        error: null,
      });
      expect(state.currentTime).toBeGreaterThan(3);
    },
    150_000,
  );

  it('deleting the video removes the Transcode and every object it had in storage', async () => {
    const storage = await openStorage();
    try {
      const before = await storage.store.listKeys(storage.bucket, `videos/${id}/`);
      expect(before.length).toBeGreaterThan(2);
      const res = await api('DELETE', `/v1/videos/${id}`);
      expect(res.status).toBe(202);
      await waitForGone(id);
      expect(await storage.store.listKeys(storage.bucket, `videos/${id}/`)).toEqual([]);
      expect(await storage.store.listKeys(storage.bucket, `sources/${id}/`)).toEqual([]);
      const gone = await play(id, ANDROID);
      expect(gone.status).toBe(404);
    } finally {
      storage.close();
    }
  }, 240_000);
});

describeE2e('other inputs', () => {
  it('an mp3 upload becomes audio-only HLS that plays', async () => {
    const file = ffmpeg(
      ['-f', 'lavfi', '-i', 'sine=frequency=330:duration=8', '-c:a', 'libmp3lame', '-b:a', '128k'],
      join(dir, 'tone.mp3'),
    );
    const id = await uploadOk(file);
    const tc = await waitForPhase(id, ['Succeeded', 'Failed'], 600_000);
    expect(tc.status?.phase).toBe('Succeeded');
    const hls = await play(id, IPHONE);
    expect(hls.status).toBe(200);
    const master = hls.body.toString();
    expect(master).toMatch(/^#EXTM3U/);
    expect(master).not.toMatch(/RESOLUTION=/);
    expect(master).not.toMatch(/avc1/);
    const { state, failed } = await watch(id, 'player=hlsjs');
    expect({ failed, error: state.error, format: state.format }).toEqual({
      failed: [],
      error: null,
      format: 'hls',
    });
    expect(state.currentTime).toBeGreaterThan(3);
  }, 900_000);

  it('a non-media upload ends Failed with reason InvalidInput and publishes nothing', async () => {
    // An ISO BMFF "ftyp" header (so the api's sniffing lets it through) followed by noise:
    // only the worker's probe can tell, and it must fail permanently.
    const file = join(dir, 'not-media.mp4');
    writeFileSync(
      file,
      Buffer.concat([
        Buffer.from([0, 0, 0, 24]),
        Buffer.from('ftypisom', 'ascii'),
        Buffer.from([0, 0, 2, 0]),
        Buffer.from('isomiso2', 'ascii'),
        randomBytes(256 * 1024),
      ]),
    );
    const id = await uploadOk(file);
    const tc = await waitForPhase(id, ['Succeeded', 'Failed'], 600_000);
    expect(tc.status?.phase).toBe('Failed');
    const failed = tc.status?.conditions?.find((c) => c.type === 'Failed');
    expect(failed).toMatchObject({ status: 'True', reason: 'InvalidInput' });
    const storage = await openStorage();
    try {
      expect(await storage.store.listKeys(storage.bucket, `videos/${id}/`)).toEqual([]);
    } finally {
      storage.close();
    }
    expect((await play(id, ANDROID)).status).toBe(404);
  }, 660_000);
});

describeE2e('a controller crash mid-transcode', () => {
  it('still completes the transcode once, with one Job', async () => {
    // Long enough to be mid-encode when the leader dies: 40 s of 720p on the node's 2 cores.
    const file = ffmpeg(
      [
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=1280x720:rate=30:duration=40',
        '-f',
        'lavfi',
        '-i',
        'sine=duration=40',
        '-c:v',
        'libx264',
        '-preset',
        'veryfast',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
      ],
      join(dir, 'long.mp4'),
    );
    const id = await uploadOk(file);
    await waitForPhase(id, ['Running', 'Succeeded', 'Failed'], 300_000);
    const lease = kubectl([
      'get',
      'lease',
      `${stack.release}-controller`,
      '-n',
      stack.namespace,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    expect(lease.code).toBe(0);
    const leaderPod = lease.stdout.split('_')[0];
    expect(leaderPod).toMatch(new RegExp(`^${stack.release}-controller-`));
    expect(getTranscode(id)?.status?.phase).toBe('Running');
    const killed = kubectl([
      'delete',
      'pod',
      leaderPod,
      '-n',
      stack.namespace,
      '--grace-period=0',
      '--force',
    ]);
    expect(killed.code).toBe(0);

    const tc = await waitForPhase(id, ['Succeeded', 'Failed'], 900_000);
    expect(tc.status?.phase).toBe('Succeeded');
    const jobs = kubectl([
      'get',
      'jobs',
      '-n',
      stack.namespace,
      '-l',
      `media.kubevod.io/transcode=${id}`,
      '-o',
      'jsonpath={.items[*].metadata.name}',
    ]);
    expect(jobs.code).toBe(0);
    expect(jobs.stdout.trim().split(/\s+/)).toHaveLength(1);
    const newLeader = kubectl([
      'get',
      'lease',
      `${stack.release}-controller`,
      '-n',
      stack.namespace,
      '-o',
      'jsonpath={.spec.holderIdentity}',
    ]);
    expect(newLeader.stdout.split('_')[0]).not.toBe(leaderPod);
  }, 1_260_000);
});
