import { statSync } from 'node:fs';
import { assertNodeVersion } from '@kubevod/runtime';
import { Command, Option } from 'commander';
import { SingleBar, Presets } from 'cli-progress';
import { ApiClient, ApiRequestError, type VideoView } from './api-client';
import { follow } from './follow';
import { playbackUrls, statusLine, statusReport, videoTable } from './format';
import { chooseProtocol, upload } from './upload';

interface GlobalOptions {
  apiUrl: string;
  apiKey?: string;
  playbackUrl?: string;
}

assertNodeVersion();

const program = new Command()
  .name('kubevod')
  .description('Upload videos to kubevod and follow their transcodes.')
  .addOption(
    new Option('--api-url <url>', 'the kubevod API')
      .env('KUBEVOD_API_URL')
      .default('http://localhost:8080'),
  )
  .addOption(new Option('--api-key <key>', 'an API key').env('KUBEVOD_API_KEY'))
  .addOption(
    new Option('--playback-url <url>', 'the playback service, for the URLs printed when ready').env(
      'KUBEVOD_PLAYBACK_URL',
    ),
  )
  .showHelpAfterError();

const clientOf = (cmd: Command) => {
  const g = cmd.optsWithGlobals<GlobalOptions>();
  return {
    client: new ApiClient({ apiUrl: g.apiUrl, apiKey: g.apiKey }),
    playbackUrl: g.playbackUrl,
  };
};

const collect = (value: string, previous: string[] = []) => [...previous, value];

program
  .command('upload <file>')
  .description('upload a video, then follow its transcode until it is playable')
  .option('--profile <name>', 'ladder profile: default, mobile or audio')
  .option('--renditions <json>', 'an explicit ladder, as JSON')
  .option('--formats <list>', 'hls, dash or hls,dash')
  .option('--label <k=v>', 'a label (repeatable)', collect)
  .option('--priority <n>', 'queue priority, -100..100')
  .addOption(
    new Option('--protocol <p>', 'how to send it')
      .choices(['auto', 'tus', 'multipart'])
      .default('auto'),
  )
  .option('--idempotency-key <key>', 'a retry with the same key returns the same video (multipart)')
  .option('--no-wait', 'return once uploaded, without following the transcode')
  .option('--timeout <seconds>', 'give up following after this long', '3600')
  .option('--interval <seconds>', 'how often to ask for progress', '2')
  .action(async (file: string, opts, cmd: Command) => {
    const { client, playbackUrl } = clientOf(cmd);
    const size = statSync(file).size;
    const protocol = chooseProtocol(size, opts.protocol);
    const fields: [string, string][] = [];
    for (const name of ['profile', 'renditions', 'formats', 'priority'] as const) {
      if (opts[name] !== undefined) fields.push([name, String(opts[name])]);
    }
    for (const l of opts.label ?? []) fields.push(['label', l]);

    const bar = new SingleBar(
      {
        format: `upload [{bar}] {percentage}% | {value}/{total} MiB | ${protocol}`,
        hideCursor: true,
      },
      Presets.shades_classic,
    );
    const MiB = 1024 * 1024;
    bar.start(Math.max(1, Math.ceil(size / MiB)), 0);
    let created;
    try {
      created = await upload(client, {
        file,
        fields,
        protocol,
        idempotencyKey: opts.idempotencyKey,
        onProgress: (sent) => bar.update(Math.floor(sent / MiB)),
      });
      bar.update(Math.ceil(size / MiB));
    } finally {
      bar.stop();
    }
    console.log(
      `uploaded ${created.id} (${created.bytes} bytes, ${created.container}); status: ${client.base}${created.statusUrl}`,
    );
    if (!opts.wait) return;

    const transcode = new SingleBar(
      { format: 'transcode [{bar}] {percentage}% | {state}', hideCursor: true },
      Presets.shades_classic,
    );
    transcode.start(100, 0, { state: 'Pending' });
    let last: VideoView;
    try {
      last = await follow(client, created.id, {
        intervalMs: Number(opts.interval) * 1000,
        timeoutMs: Number(opts.timeout) * 1000,
        onUpdate: (v) =>
          transcode.update(Math.floor(v.progress?.percent ?? 0), { state: statusLine(v) }),
      });
    } finally {
      transcode.stop();
    }
    if (last.phase === 'Succeeded') {
      const urls = playbackUrls(last, playbackUrl);
      console.log(`ready: ${created.id}`);
      if (urls) console.log(`play:  ${urls.url}\nwatch: ${urls.watchUrl}`);
      else console.log('set KUBEVOD_PLAYBACK_URL to print the playback URLs');
      return;
    }
    console.error(`${created.id}: ${statusLine(last)}`);
    process.exitCode = last.phase === 'Failed' ? 1 : 2;
  });

program
  .command('ls')
  .description('list videos')
  .option('--limit <n>', 'page size', '50')
  .option('--label <k=v>', 'only videos with this label (repeatable)', collect)
  .option('--all', 'follow continue tokens through every page')
  .action(async (opts, cmd: Command) => {
    const { client } = clientOf(cmd);
    const items: VideoView[] = [];
    let next: string | undefined;
    do {
      const page = await client.list({
        limit: Number(opts.limit),
        continue: next,
        labels: opts.label,
      });
      items.push(...page.items);
      next = page.continue;
    } while (opts.all && next);
    console.log(videoTable(items));
    if (next) console.error(`(more: --all)`);
  });

program
  .command('status <id>')
  .description('phase, progress and playback URLs of a video')
  .option('--json', 'print the API answer as JSON')
  .action(async (id: string, opts, cmd: Command) => {
    const { client, playbackUrl } = clientOf(cmd);
    const video = await client.get(id);
    console.log(opts.json ? JSON.stringify(video, null, 2) : statusReport(video, playbackUrl));
  });

program
  .command('rm <id>')
  .description('delete a video (its outputs are cleaned up by the controller)')
  .action(async (id: string, _opts, cmd: Command) => {
    const { client } = clientOf(cmd);
    await client.remove(id);
    console.log(`deleting ${id}`);
  });

program
  .command('retry <id>')
  .description('retry a Failed transcode')
  .action(async (id: string, _opts, cmd: Command) => {
    const { client } = clientOf(cmd);
    const r = await client.retry(id);
    console.log(`retrying ${id} (retry ${r.retry})`);
  });

program.parseAsync().catch((err: unknown) => {
  console.error(
    err instanceof ApiRequestError
      ? `error: ${err.message}`
      : `error: ${(err as Error).message ?? err}`,
  );
  process.exitCode = err instanceof ApiRequestError && err.body.statusCode === 0 ? 3 : 1;
});
