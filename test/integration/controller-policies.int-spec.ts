/**
 * Policies on a real apiserver + MinIO: the concurrency cap and priority, InvalidSpec, the
 * signed webhook on completion, and retention (finished Transcodes deleted, outputs kept).
 */
import { createServer, type Server } from 'node:http';
import { objectKeys, WORKER_EXIT } from '@kubevod/contracts';
import { jobName } from '../../apps/controller/src/reconcile/job-spec';
import { NOTIFIED_ANNOTATION } from '../../apps/controller/src/reconcile/labels';
import { verifySignature } from '../../apps/controller/src/webhook/webhook-signature';
import { readyRecord, waitFor } from '../../apps/controller/test/fixtures';
import { controllerSuite } from '../../apps/controller/test/suite';

jest.setTimeout(120_000);

const SECRET = 'a-webhook-secret-of-some-length';

interface Delivery {
  body: string;
  signature?: string;
  event?: string;
}

describe('controller policies: cap and priority, webhook, retention, invalid spec', () => {
  let hook: Server;
  const deliveries: Delivery[] = [];
  let failNext = 1; // the receiver refuses the first delivery with a 503: it must be retried
  const t = controllerSuite('controller-policies');
  const source = { bucket: t.bucket, key: 'sources/x/source' };

  const status = async (name: string) => (await t.cluster.getTranscode(t.ns, name))?.status;
  const reasonOf = async (name: string) =>
    (await status(name))?.conditions?.find((c) => c.type === 'Ready')?.reason;
  const waitReason = (name: string, reason: string) =>
    waitFor(`${name} to have reason ${reason}`, async () =>
      (await reasonOf(name)) === reason ? true : undefined,
    );
  const jobsOf = async () =>
    (await t.cluster.jobs(t.ns)).map((j) => j.metadata!.labels!['media.kubevod.io/transcode']);

  beforeAll(async () => {
    hook = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        if (failNext > 0) {
          failNext--;
          res.writeHead(503).end();
          return;
        }
        deliveries.push({
          body,
          signature: req.headers['x-kubevod-signature'] as string | undefined,
          event: req.headers['x-kubevod-event'] as string | undefined,
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => hook.listen(0, '127.0.0.1', () => r()));
    const port = (hook.address() as { port: number }).port;
    await t.start({
      MAX_CONCURRENT_TRANSCODES: '1',
      RETENTION_SECONDS: '3',
      WEBHOOK_URLS: `http://127.0.0.1:${port}/hooks/transcode`,
      WEBHOOK_SECRET: SECRET,
    });
  });

  afterAll(async () => {
    await new Promise((r) => hook?.close(r));
  });

  it('fails an invalid spec with InvalidSpec and creates no Job (and says so by webhook)', async () => {
    await t.cluster.createTranscode(t.ns, 'bad-labels', {
      source,
      labels: { 'bad key!': 'x' },
    });
    await waitReason('bad-labels', 'InvalidSpec');
    const s = await status('bad-labels');
    expect(s?.phase).toBe('Failed');
    expect(s?.conditions?.find((c) => c.type === 'Failed')?.message).toBe(
      'spec.labels: "bad key!" is not a valid label key',
    );
    expect(await jobsOf()).not.toContain('bad-labels');
    await waitFor('the failure webhook', () =>
      deliveries.find((d) => d.body.includes('"name":"bad-labels"')),
    );
  });

  it('holds work at the cap, then admits by priority; notifies; retains outputs on expiry', async () => {
    const first = await t.cluster.createTranscode(t.ns, 'first', { source });
    await waitReason('first', 'JobCreated');
    const low = await t.cluster.createTranscode(t.ns, 'low', { source, priority: -10 });
    const high = await t.cluster.createTranscode(t.ns, 'high', { source, priority: 50 });
    await waitReason('low', 'ConcurrencyLimited');
    await waitReason('high', 'ConcurrencyLimited');
    expect(await status('high')).toMatchObject({ phase: 'Pending' });
    expect(await jobsOf()).toEqual(['first']);

    // first finishes: the slot goes to high (priority 50), not low (older but -10)
    await t.store.putJson(t.bucket, objectKeys.ready('first'), readyRecord('first', t.bucket));
    await t.cluster.finishPod(t.ns, jobName({ name: 'first', uid: first.metadata.uid! }, 0), 0);
    await waitReason('high', 'JobCreated');
    expect(await reasonOf('low')).toBe('ConcurrencyLimited');
    expect((await jobsOf()).sort()).toEqual(['first', 'high']);

    // high fails permanently: now low runs
    await t.cluster.finishPod(
      t.ns,
      jobName({ name: 'high', uid: high.metadata.uid! }, 0),
      WORKER_EXIT.limitExceeded,
      '{"reason":"LimitExceeded","message":"source longer than 4 h"}',
    );
    await waitReason('low', 'JobCreated');
    expect(await jobsOf()).toContain('low');
    expect(jobName({ name: 'low', uid: low.metadata.uid! }, 0)).toBe(
      (await status('low'))?.jobName,
    );

    // signed webhooks for both outcomes (the first attempt got a 503 and was retried)
    const ours = () => deliveries.filter((d) => /"name":"(first|high)"/.test(d.body));
    const got = await waitFor('two webhook deliveries', () =>
      ours().length >= 2 ? ours() : undefined,
    );
    const events = got.map(
      (d) => JSON.parse(d.body) as { name: string; type: string; reason: string },
    );
    expect(events.map((e) => `${e.name} ${e.type} ${e.reason}`).sort()).toEqual([
      'first transcode.succeeded Succeeded',
      'high transcode.failed LimitExceeded',
    ]);
    for (const d of got) {
      expect(verifySignature(SECRET, d.body, d.signature)).toBe(true);
      expect(d.event).toMatch(/^transcode\.(succeeded|failed)$/);
    }
    const metrics = await (await fetch(`${t.controller!.url}/metrics`)).text();
    expect(metrics).toMatch(
      /kubevod_controller_webhook_deliveries_total\{result="retried",app="controller"\} 1/,
    );

    // retention (3 s): finished Transcodes go away; the succeeded one's outputs stay
    await waitFor('first and high to be deleted after retention', async () =>
      !(await t.cluster.getTranscode(t.ns, 'first')) &&
      !(await t.cluster.getTranscode(t.ns, 'high'))
        ? true
        : undefined,
    );
    expect(await t.store.stat(t.bucket, objectKeys.ready('first'))).toBeDefined();
    expect(await t.cluster.getTranscode(t.ns, 'low')).toBeDefined();
  });

  it('marks a notified Transcode so the webhook is not sent twice', async () => {
    const created = await t.cluster.createTranscode(t.ns, 'notify-once', { source });
    // low holds the only slot: finish it so notify-once can run
    const low = await t.cluster.getTranscode(t.ns, 'low');
    await t.store.putJson(t.bucket, objectKeys.ready('low'), readyRecord('low', t.bucket));
    await t.cluster.finishPod(t.ns, low!.status!.jobName!, 0);
    await waitReason('notify-once', 'JobCreated');
    await t.cluster.finishPod(
      t.ns,
      jobName({ name: 'notify-once', uid: created.metadata.uid! }, 0),
      1,
    );
    // exit 1 is not permanent: the Job retries (backoffLimit); the Transcode stays in progress
    await new Promise((r) => setTimeout(r, 1500));
    expect((await status('notify-once'))?.phase).not.toBe('Failed');
    await waitFor('the annotation on low', async () => {
      const l = await t.cluster.getTranscode(t.ns, 'low');
      return !l || l.metadata.annotations?.[NOTIFIED_ANNOTATION] === 'Succeeded' ? true : undefined;
    });
    const lows = deliveries.filter((d) => d.body.includes('"name":"low"'));
    expect(lows).toHaveLength(1);
  });
});
