/**
 * npm run bench:playback — manifest selection under bounded loopback load, side by side:
 * playback runs compiled (`nest build playback`), as the image runs it, in each mode both as
 * recommended on one machine (PLAYBACK_WORKERS=auto: one process per core) and as one process:
 *   playback origin mode   GET /v1/play/:id  (HLS master served from memory)
 *   playback redirect mode GET /v1/play/:id  (302 to the public manifest URL)
 *   Go http.FileServer     GET /master.m3u8  (the original project's server, + CORS header)
 *   nginx                  GET /master.m3u8  (static file, + CORS header)
 * Every server runs for the whole run; BENCH_ROUNDS (default 3) rounds each measure every target
 * in turn (a 1 s warm-up, then wrk for BENCH_SECONDS, default 10, at BENCH_CONNECTIONS, default
 * 64, one wrk thread), so a burst of other load on a shared machine hits one round of each target
 * rather than one target. The table shows the median round of each. Traffic stays on 127.0.0.1.
 *
 * Storage: S3_ENDPOINT/S3_ACCESS_KEY/S3_SECRET_KEY if set, else a MinIO started here from
 * KUBEVOD_MINIO_BIN (default: the pinned MinIO that cluster.sh builds).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '@kubevod/runtime';
import { MinioObjectStore, StorageConfigSchema, type StorageConfig } from '@kubevod/storage';
import { encodeFixture, publishDir } from '../test/fixture-publisher';
import { minioBinary } from '../../../test/support/minio-binary';

const REPO = path.resolve(__dirname, '..', '..', '..');
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 64);
const CACHE = path.join(homedir(), '.cache', 'kubevod', 'bench');
const IPHONE =
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Mobile/15E148 Safari/604.1';
const VIDEO = 'bench-video';

const WORKERS = process.env.BENCH_PLAYBACK_WORKERS ?? 'auto';
const children: ChildProcess[] = [];
function start(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv = {},
  stdout: 'ignore' | 'pipe' = 'ignore',
): ChildProcess {
  const child = spawn(cmd, args, {
    cwd: REPO,
    env: { ...process.env, ...env },
    stdio: ['ignore', stdout, 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  child.on('exit', (code) => {
    if (code && !stopping) console.error(`${cmd} exited ${code}:\n${stderr}`);
  });
  children.push(child);
  return child;
}
let stopping = false;
function stopAll(): void {
  stopping = true;
  for (const c of children) if (c.exitCode === null) c.kill('SIGTERM');
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { cwd: REPO, env: { ...process.env, ...env } });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) =>
      code === 0
        ? resolve(out)
        : reject(new Error(`${cmd} ${args.join(' ')} exited ${code}:\n${out}`)),
    );
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

async function waitFor(url: string, headers: Record<string, string> = {}): Promise<Response> {
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      const res = await fetch(url, { headers, redirect: 'manual' });
      if (res.status < 500) return res;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within 60 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

async function storage(): Promise<StorageConfig> {
  if (process.env.S3_ENDPOINT) return loadConfig(StorageConfigSchema, process.env);
  const bin = minioBinary();
  const port = await freePort();
  const data = await mkdtemp(path.join(tmpdir(), 'kubevod-bench-minio-'));
  const user = `bench${randomBytes(4).toString('hex')}`;
  const password = randomBytes(18).toString('base64url');
  start(
    bin,
    [
      'server',
      data,
      '--address',
      `127.0.0.1:${port}`,
      '--console-address',
      `127.0.0.1:${await freePort()}`,
    ],
    {
      MINIO_ROOT_USER: user,
      MINIO_ROOT_PASSWORD: password,
    },
  );
  await waitFor(`http://127.0.0.1:${port}/minio/health/live`);
  return loadConfig(StorageConfigSchema, {
    S3_ENDPOINT: `http://127.0.0.1:${port}`,
    S3_ACCESS_KEY: user,
    S3_SECRET_KEY: password,
  });
}

interface Result {
  target: string;
  rps: number;
  /** CPU time of the server (all its processes and threads) per request */
  cpuUsPerReq: number;
  p50: string;
  p99: string;
  bad: number;
  errors: string;
}

/** wrk's --latency output: Requests/sec, the 50/99 % lines, non-2xx/3xx and socket errors. */
function parseWrk(target: string, out: string): Omit<Result, 'cpuUsPerReq'> & { requests: number } {
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const p50 = /\n\s+50%\s+(\S+)/.exec(out)?.[1] ?? '?';
  const p99 = /\n\s+99%\s+(\S+)/.exec(out)?.[1] ?? '?';
  const bad = Number(/Non-2xx or 3xx responses:\s+(\d+)/.exec(out)?.[1] ?? 0);
  const errors = /Socket errors:.*/.exec(out)?.[0] ?? '';
  const requests = Number(/(\d+) requests in/.exec(out)?.[1]);
  if (!Number.isFinite(rps)) throw new Error(`could not read wrk's output:\n${out}`);
  return { target, rps, p50, p99, bad, errors, requests };
}

const toMs = (s: string) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(s);
  if (!m) return NaN;
  return Number(m[1]) * (m[2] === 'us' ? 0.001 : m[2] === 's' ? 1000 : 1);
};

const CLK_TCK = 100; // USER_HZ on Linux

/** utime + stime (ticks) of a process and its direct children (nginx's workers). */
async function cpuTicks(pid: number): Promise<number> {
  const ticks = async (p: string) => {
    const stat = await readFile(`/proc/${p}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]);
  };
  const children = (await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => ''))
    .split(' ')
    .filter(Boolean);
  const all = await Promise.all([String(pid), ...children].map(ticks));
  return all.reduce((a, b) => a + b, 0);
}

async function load(target: string, url: string, pid: number, ua = false): Promise<Result> {
  const headers = ua ? ['-H', `User-Agent: ${IPHONE}`] : [];
  await run('wrk', ['-t1', `-c${CONNECTIONS}`, '-d1s', ...headers, url]);
  const before = await cpuTicks(pid);
  const wrkArgs = ['-t1', `-c${CONNECTIONS}`, `-d${SECONDS}s`, '--latency', ...headers, url];
  const out = await run('wrk', wrkArgs);
  const cpu = (await cpuTicks(pid)) - before;
  const { requests, ...r } = parseWrk(target, out);
  const cpuUsPerReq = (cpu / CLK_TCK / requests) * 1e6;
  console.error(
    `  ${target}: ${r.rps.toFixed(0)} req/s, p99 ${r.p99}, ${cpuUsPerReq.toFixed(0)} µs CPU/req`,
  );
  return { ...r, cpuUsPerReq };
}

/** Each figure is the median over the rounds, taken per column (odd counts: a real round). */
function median(results: Result[]): Result {
  const mid = <T>(xs: T[], key: (x: T) => number): T =>
    [...xs].sort((a, b) => key(a) - key(b))[Math.floor((xs.length - 1) / 2)];
  return {
    ...results[0],
    rps: mid(results, (x) => x.rps).rps,
    cpuUsPerReq: mid(results, (x) => x.cpuUsPerReq).cpuUsPerReq,
    p50: mid(results, (x) => toMs(x.p50)).p50,
    p99: mid(results, (x) => toMs(x.p99)).p99,
  };
}

async function main(): Promise<void> {
  const s3 = await storage();
  const bucket = `bench-${randomBytes(3).toString('hex')}`;
  const store = MinioObjectStore.fromConfig({ ...s3, S3_BUCKET: bucket });
  await store.ensureBucket(bucket);
  const dir = await mkdtemp(path.join(tmpdir(), 'kubevod-bench-'));
  await chmod(dir, 0o755); // nginx workers run as www-data
  console.error('encoding and publishing the fixture video...');
  await encodeFixture(dir);
  await publishDir(store, bucket, VIDEO, dir);
  const manifestBytes = (await readFile(path.join(dir, 'master.m3u8'))).length;

  // playback: origin and redirect mode, as the service runs (main.ts)
  const appEnv = { ...s3, S3_BUCKET: bucket, LOG_LEVEL: 'info' }; // start-up lines only
  // the compiled service, as the image runs it (tsx emits no decorator metadata for Nest)
  console.error('building playback (nest build playback)...');
  await run(path.join(REPO, 'node_modules/.bin/nest'), ['build', 'playback']);
  const main = path.join(REPO, 'dist/apps/playback/apps/playback/src/main.js');
  const playback = async (mode: 'origin' | 'redirect', workers: string) => {
    const port = await freePort();
    const child = start(
      process.execPath,
      [main],
      {
        ...appEnv,
        PORT: String(port),
        PLAYBACK_MODE: mode,
        PLAYBACK_WORKERS: workers,
        ...(mode === 'redirect' ? { PUBLIC_BASE_URL: 'https://cdn.example.test/kubevod' } : {}),
      },
      'pipe',
    );
    // measured only once every worker listens: a worker still starting would be measured too
    await new Promise<void>((resolve, reject) => {
      let out = '';
      const onData = (d: Buffer) => {
        out += d.toString();
        if (
          out.includes(workers === '1' ? 'playback started listening' : 'every worker is listening')
        ) {
          child.stdout!.off('data', onData);
          child.stdout!.resume();
          resolve();
        }
      };
      child.stdout!.on('data', onData);
      child.once('exit', (code) => reject(new Error(`playback exited ${code} while starting`)));
    });
    const url = `http://127.0.0.1:${port}/v1/play/${VIDEO}`;
    const res = await waitFor(url, { 'user-agent': IPHONE });
    if (res.status !== (mode === 'origin' ? 200 : 302)) {
      throw new Error(`playback (${mode}) answered ${res.status}`);
    }
    return { url, pid: child.pid! };
  };

  // Go http.FileServer, built once into the cache
  await mkdir(CACHE, { recursive: true });
  const goBin = path.join(CACHE, 'go-fileserver');
  await run('go', ['-C', path.join(__dirname, 'go-fileserver'), 'build', '-o', goBin, '.'], {
    GOTOOLCHAIN: 'local',
  });
  const goPort = await freePort();
  const goServer = start(goBin, ['-addr', `127.0.0.1:${goPort}`, '-dir', dir]);
  const goUrl = `http://127.0.0.1:${goPort}/master.m3u8`;
  await waitFor(goUrl);

  // nginx with a temporary configuration on a loopback port
  const nginxPort = await freePort();
  const nginxDir = await mkdtemp(path.join(tmpdir(), 'kubevod-bench-nginx-'));
  await writeFile(
    path.join(nginxDir, 'nginx.conf'),
    `daemon off;
worker_processes auto;
pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  types { application/vnd.apple.mpegurl m3u8; application/dash+xml mpd; }
  client_body_temp_path ${nginxDir}/body;
  proxy_temp_path ${nginxDir}/proxy;
  fastcgi_temp_path ${nginxDir}/fastcgi;
  uwsgi_temp_path ${nginxDir}/uwsgi;
  scgi_temp_path ${nginxDir}/scgi;
  server {
    listen 127.0.0.1:${nginxPort};
    root ${dir};
    location / { add_header Access-Control-Allow-Origin "*" always; }
  }
}
`,
  );
  const nginx = start('nginx', ['-c', path.join(nginxDir, 'nginx.conf'), '-p', nginxDir]);
  const nginxUrl = `http://127.0.0.1:${nginxPort}/master.m3u8`;
  await waitFor(nginxUrl);

  console.error(
    `load: wrk -t1 -c${CONNECTIONS} -d${SECONDS}s --latency after a 1 s warm-up, ${ROUNDS} rounds`,
  );
  const targets: { name: string; url: string; pid: number; ua: boolean }[] = [];
  const workers = WORKERS === '1' ? ['1'] : [WORKERS, '1'];
  for (const mode of ['origin', 'redirect'] as const) {
    for (const w of workers) {
      const p = await playback(mode, w);
      const answer = mode === 'origin' ? '200, manifest' : '302';
      const procs = w === '1' ? '1 process' : `PLAYBACK_WORKERS=${w}`;
      targets.push({
        name: `playback ${mode} (${answer}), ${procs}`,
        url: p.url,
        pid: p.pid,
        ua: true,
      });
    }
  }
  targets.push({ name: 'Go http.FileServer (200)', url: goUrl, pid: goServer.pid!, ua: false });
  targets.push({ name: 'nginx (200)', url: nginxUrl, pid: nginx.pid!, ua: false });

  const rounds = new Map<string, Result[]>(targets.map((t) => [t.name, []]));
  const loads: string[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    console.error(`round ${r}/${ROUNDS}`);
    for (const t of targets) rounds.get(t.name)!.push(await load(t.name, t.url, t.pid, t.ua));
    loads.push((await readFile('/proc/loadavg', 'utf8')).split(' ')[0]);
  }
  const results = targets.map((t) => median(rounds.get(t.name)!));

  const go = results.find((x) => x.target.startsWith('Go '))!.rps;
  const nproc = (await run('nproc', [])).trim();
  console.log(
    `\n${new Date().toISOString()} · ${nproc} cores · manifest ${manifestBytes} B · ${CONNECTIONS} connections · ${SECONDS} s each · wrk -t1\n`,
  );
  console.log(`load average after each round: ${loads.join(', ')}\n`);
  console.log(
    `medians of ${ROUNDS} rounds; "rounds" lists each round's req/s (vs Go's in the same round)\n`,
  );
  console.log(
    '| target | req/s | vs Go | p50 | p99 | CPU µs/req | rounds | non-2xx/3xx | socket errors |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---|---:|---|');
  const goRounds = rounds.get('Go http.FileServer (200)')!;
  for (const x of results) {
    const each = rounds
      .get(x.target)!
      .map((y, i) => `${(y.rps / 1000).toFixed(1)}k (${(y.rps / goRounds[i].rps).toFixed(2)}×)`)
      .join(' · ');
    const bad = rounds.get(x.target)!.reduce((n, y) => n + y.bad, 0);
    const errors = rounds
      .get(x.target)!
      .map((y) => y.errors)
      .filter(Boolean)
      .join('; ');
    console.log(
      `| ${x.target} | ${x.rps.toFixed(0)} | ${(x.rps / go).toFixed(2)}× | ${x.p50} | ${x.p99} | ${x.cpuUsPerReq.toFixed(0)} | ${each} | ${bad} | ${errors || '-'} |`,
    );
  }
  const verdicts = results
    .filter((x) => x.target.startsWith('playback'))
    .map((x) => ({
      target: x.target,
      atLeastGo: x.rps >= go,
      p99Under10ms: toMs(x.p99) < 10,
    }));
  console.log('\ntargets (median req/s >= Go file server, median p99 < 10 ms):');
  for (const t of verdicts) {
    console.log(
      `  ${t.target}: req/s ${t.atLeastGo ? 'met' : 'NOT met'}, p99 ${t.p99Under10ms ? 'met' : 'NOT met'}`,
    );
  }
  if ([...rounds.values()].flat().some((x) => x.bad > 0)) {
    throw new Error('some responses were not 2xx/3xx');
  }

  await store.removePrefix(bucket, 'videos/');
  await store.client.removeBucket(bucket).catch(() => undefined);
  await rm(dir, { recursive: true, force: true });
  await rm(nginxDir, { recursive: true, force: true });
}

main()
  .catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(stopAll);
