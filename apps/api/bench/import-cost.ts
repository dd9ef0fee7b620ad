/**
 * What loading a module costs in resident memory: a fresh Node process requires the modules
 * and reports VmRSS once settled (single modules: one run; totals: the median of three). Run with the api's own runtime settings (NODE_OPTIONS, the
 * malloc env and --optimize-for-size, which the script sets first as main.ts does).
 */
import { execFileSync } from 'node:child_process';
import { REPO_ROOT } from '../support/api-process';

/** What the api requires at start-up (its dependencies, not our code). */
export const API_STARTUP_MODULES = [
  'reflect-metadata',
  'zod',
  'pino',
  'yaml',
  'prom-client',
  '@nestjs/common',
  '@nestjs/core',
  '@nestjs/platform-fastify',
  '@fastify/multipart',
  '@nestjs/terminus',
  '@nestjs/swagger',
  'minio',
];
const TUS = ['@tus/server', '@tus/s3-store'];
const CLIENT_NODE = ['@kubernetes/client-node'];

const SCRIPT = `
require('node:v8').setFlagsFromString('--optimize-for-size');
const req = require('node:module').createRequire(process.argv[1] + '/');
for (const m of process.argv.slice(2)) req(m);
setTimeout(() => {
  const s = require('node:fs').readFileSync('/proc/self/status', 'utf8');
  console.log(Number(/^VmRSS:\\s+(\\d+)/m.exec(s)[1]) / 1024);
}, 300);
`;

function rssAfterLoading(modules: string[], env: Record<string, string>, runs = 1): number {
  const nodeOptions = (env.NODE_OPTIONS ?? '').split(' ').filter(Boolean);
  const found = Array.from({ length: runs }, () =>
    Number(
      execFileSync(process.execPath, [...nodeOptions, '-e', SCRIPT, REPO_ROOT, ...modules], {
        env: { ...process.env, ...env, NODE_OPTIONS: '' },
        encoding: 'utf8',
      }).trim(),
    ),
  );
  return found.sort((a, b) => a - b)[Math.floor(runs / 2)]; // the median
}

export interface ImportCostRow {
  what: string;
  rssMiB: number;
  /** over the row it is compared with */
  addedMiB?: number;
}

export function measureImportCosts(env: Record<string, string>): ImportCostRow[] {
  const bare = rssAfterLoading([], env, 3);
  const startup = rssAfterLoading(API_STARTUP_MODULES, env, 3);
  const reflect = rssAfterLoading(['reflect-metadata'], env, 3);
  const rows: ImportCostRow[] = [
    { what: 'bare node', rssMiB: bare },
    { what: 'reflect-metadata alone', rssMiB: reflect, addedMiB: reflect - bare },
  ];
  // Each alone (over reflect-metadata, which Nest needs first): shared dependencies count in full.
  for (const m of [...API_STARTUP_MODULES.slice(1), ...TUS, ...CLIENT_NODE]) {
    const rss = rssAfterLoading(['reflect-metadata', m], env);
    rows.push({ what: `${m} alone`, rssMiB: rss, addedMiB: rss - reflect });
  }
  rows.push({ what: 'all the api loads at start-up', rssMiB: startup, addedMiB: startup - bare });
  const withTus = rssAfterLoading([...API_STARTUP_MODULES, ...TUS], env, 3);
  rows.push({
    what: '+ @tus/server, @tus/s3-store (now on the first tus request)',
    rssMiB: withTus,
    addedMiB: withTus - startup,
  });
  const withKube = rssAfterLoading([...API_STARTUP_MODULES, ...CLIENT_NODE], env, 3);
  rows.push({
    what: '+ @kubernetes/client-node (no longer loaded)',
    rssMiB: withKube,
    addedMiB: withKube - startup,
  });
  return rows;
}
