import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments, stringify } from 'yaml';
import type { z } from 'zod';
import { ApiConfigSchema } from '../../apps/api/src/config';
import { ControllerConfigSchema } from '../../apps/controller/src/config';
import { PlaybackConfigSchema } from '../../apps/playback/src/config';
import { kubectl } from '../support/kubectl';
import { CHART_DIR, helm, renderChart } from '../stack/helm';

/** One object of the rendered chart (only the fields these tests read are typed). */
interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  spec?: any; // eslint-disable-line @typescript-eslint/no-explicit-any
  data?: Record<string, string>;
}
interface EnvVar {
  name: string;
  value?: string;
  valueFrom?: unknown;
}

const root = join(__dirname, '..', '..');
const suffix = Date.now().toString(36);
const ns = `chart-${suffix}`;
const watched = `chart-watched-${suffix}`;

function objects(manifest: string): K8sObject[] {
  return parseAllDocuments(manifest)
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => !!o);
}
function find(objs: K8sObject[], kind: string, name: string): K8sObject {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o)
    throw new Error(
      `no ${kind}/${name} in ${objs.map((x) => `${x.kind}/${x.metadata.name}`).join(', ')}`,
    );
  return o;
}
function podSpec(o: K8sObject) {
  return o.spec.template.spec;
}
function containerEnv(o: K8sObject): EnvVar[] {
  return podSpec(o).containers[0].env as EnvVar[];
}
/** The env as the process would see it: secret and field references become placeholders. */
function envAsProcessSees(env: EnvVar[]): Record<string, string> {
  return Object.fromEntries(
    env.map((e) => [e.name, e.value ?? `from-ref-${e.name.toLowerCase()}`]),
  );
}
const CLUSTER_SCOPED = new Set(['ClusterRole', 'ClusterRoleBinding']);
/** Server-side dry run of a rendered manifest; objects without a namespace go into `namespace`. */
function dryRun(manifest: string, namespace: string) {
  const docs = objects(manifest).map((o) =>
    CLUSTER_SCOPED.has(o.kind) || o.metadata.namespace
      ? o
      : { ...o, metadata: { ...o.metadata, namespace } },
  );
  return kubectl(
    ['apply', '--dry-run=server', '-f', '-'],
    docs.map((d) => stringify(d)).join('---\n'),
  );
}

/** Variables the runtime reads besides the app config (Node, MinIO). */
const RUNTIME_ENV = new Set(['TMPDIR', 'HOME', 'NODE_OPTIONS']);

describe('the Helm chart (charts/kubevod)', () => {
  beforeAll(() => {
    for (const n of [ns, watched]) {
      expect(kubectl(['create', 'namespace', n]).code).toBe(0);
      // What NOTES.txt offers: enforce (and warn about) the restricted Pod Security Standard.
      const labelled = kubectl([
        'label',
        'namespace',
        n,
        'pod-security.kubernetes.io/enforce=restricted',
        'pod-security.kubernetes.io/warn=restricted',
      ]);
      expect(labelled.code).toBe(0);
    }
  });
  afterAll(() => {
    helm(['uninstall', 'kv', '--namespace', ns]);
    kubectl(['delete', 'namespace', ns, watched, '--wait=false']);
  });

  it('passes helm lint with no warnings', () => {
    const r = helm(['lint', CHART_DIR, '--strict']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
  });

  it('renders every component with PSS-restricted pods and least-privilege accounts', () => {
    const objs = objects(renderChart({ namespace: ns }));
    const kinds = objs.map((o) => `${o.kind}/${o.metadata.name}`).sort();
    expect(kinds).toEqual(
      [
        'ClusterRole/kv-kubevod-controller-' + ns,
        'ClusterRoleBinding/kv-kubevod-controller-' + ns,
        'Deployment/kv-kubevod-api',
        'Deployment/kv-kubevod-controller',
        'Deployment/kv-kubevod-playback',
        'NetworkPolicy/kv-kubevod-api',
        'NetworkPolicy/kv-kubevod-controller',
        'NetworkPolicy/kv-kubevod-default-deny',
        'NetworkPolicy/kv-kubevod-minio',
        'NetworkPolicy/kv-kubevod-playback',
        'NetworkPolicy/kv-kubevod-worker',
        'PodDisruptionBudget/kv-kubevod-api',
        'PodDisruptionBudget/kv-kubevod-controller',
        'PodDisruptionBudget/kv-kubevod-playback',
        'Role/kv-kubevod-api',
        'Role/kv-kubevod-controller-leader-election',
        'RoleBinding/kv-kubevod-api',
        'RoleBinding/kv-kubevod-controller-leader-election',
        'Secret/kv-kubevod-api-keys',
        'Secret/kv-kubevod-s3',
        'Service/kv-kubevod-api',
        'Service/kv-kubevod-controller',
        'Service/kv-kubevod-minio',
        'Service/kv-kubevod-playback',
        'ServiceAccount/kv-kubevod-api',
        'ServiceAccount/kv-kubevod-controller',
        'ServiceAccount/kv-kubevod-minio',
        'ServiceAccount/kv-kubevod-playback',
        'StatefulSet/kv-kubevod-minio',
      ].sort(),
    );
    for (const o of objs.filter((x) => ['Deployment', 'StatefulSet'].includes(x.kind))) {
      const pod = podSpec(o);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: 10001,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      for (const c of pod.containers) {
        expect(c.securityContext).toEqual({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          runAsNonRoot: true,
          capabilities: { drop: ['ALL'] },
        });
        // a read-only root needs a writable scratch dir
        expect(c.volumeMounts).toContainEqual({ name: 'tmp', mountPath: '/tmp' });
      }
    }
    // Only the api and the controller talk to the apiserver; playback and MinIO get no token.
    const automount = (name: string) =>
      podSpec(find(objs, name.endsWith('minio') ? 'StatefulSet' : 'Deployment', name))
        .automountServiceAccountToken;
    expect(automount('kv-kubevod-api')).toBe(true);
    expect(automount('kv-kubevod-controller')).toBe(true);
    expect(automount('kv-kubevod-playback')).toBe(false);
    expect(automount('kv-kubevod-minio')).toBe(false);
    const apiRole = find(objs, 'Role', 'kv-kubevod-api') as K8sObject & { rules: unknown[] };
    expect(apiRole.rules).toEqual([
      {
        apiGroups: ['media.kubevod.io'],
        resources: ['transcodes'],
        verbs: ['create', 'get', 'list', 'watch', 'delete', 'patch'],
      },
    ]);
    expect(find(objs, 'Deployment', 'kv-kubevod-controller').spec.replicas).toBe(2);
    // Behind the ingress: a terminating pod serves 5 s more while endpoints converge (no 502 in
    // a rolling update), within a grace period that also covers the app's own drain.
    for (const [name, grace] of [
      ['kv-kubevod-api', 75],
      ['kv-kubevod-playback', 35],
    ] as const) {
      const pod = podSpec(find(objs, 'Deployment', name));
      expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 5 } } });
      expect(pod.terminationGracePeriodSeconds).toBe(grace);
    }
    const noDelay = objects(renderChart({ namespace: ns, set: ['shutdownDelaySeconds=0'] }));
    expect(
      podSpec(find(noDelay, 'Deployment', 'kv-kubevod-playback')).containers[0].lifecycle,
    ).toBeUndefined();
  });

  it('sets only variables the apps read, with values their config schemas accept', () => {
    const objs = objects(
      renderChart({
        namespace: ns,
        set: [
          'image.repository=localhost:5000/kubevod',
          'image.tag=abc123',
          'worker.nodeSelector.kubevod\\.io/pool=high-cpu',
          'worker.tolerations[0].key=kubevod.io/pool',
          'worker.tolerations[0].operator=Equal',
          'worker.tolerations[0].value=high-cpu',
          'worker.tolerations[0].effect=NoSchedule',
          'controller.maxConcurrentTranscodes=3',
          'worker.settings.MAX_HEIGHT=2160',
          'worker.settings.X264_PRESET=veryfast',
        ],
      }),
    );
    const cases: [string, z.ZodObject][] = [
      ['kv-kubevod-api', ApiConfigSchema],
      ['kv-kubevod-controller', ControllerConfigSchema as unknown as z.ZodObject],
      ['kv-kubevod-playback', PlaybackConfigSchema],
    ];
    const parsed: Record<string, Record<string, unknown>> = {};
    for (const [name, schema] of cases) {
      const env = containerEnv(find(objs, 'Deployment', name));
      const known = new Set(Object.keys(schema.shape));
      const unknown = env.map((e) => e.name).filter((n) => !known.has(n) && !RUNTIME_ENV.has(n));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      const result = schema.safeParse(envAsProcessSees(env));
      expect({ name, issues: result.error?.issues ?? [] }).toEqual({ name, issues: [] });
      parsed[name] = result.data as Record<string, unknown>;
    }
    expect(parsed['kv-kubevod-api']).toMatchObject({
      S3_ENDPOINT: 'http://kv-kubevod-minio:9000',
      S3_BUCKET: 'kubevod',
      TRANSCODE_NAMESPACE: ns,
      AUTH_REQUIRED: true,
      API_KEYS_FILE: '/etc/kubevod/api-keys/keys',
    });
    expect(parsed['kv-kubevod-controller']).toMatchObject({
      WORKER_IMAGE: 'localhost:5000/kubevod/worker:abc123',
      WORKER_NODE_SELECTOR: { 'kubevod.io/pool': 'high-cpu' },
      WORKER_TOLERATIONS: [
        { key: 'kubevod.io/pool', operator: 'Equal', value: 'high-cpu', effect: 'NoSchedule' },
      ],
      WORKER_CPU_REQUEST: '2',
      WORKER_EPHEMERAL_STORAGE_LIMIT: '20Gi',
      WORKER_S3_SECRET: 'kv-kubevod-s3',
      MAX_CONCURRENT_TRANSCODES: 3,
      WORKER_SETTINGS: { MAX_HEIGHT: 2160, X264_PRESET: 'veryfast' },
      LEASE_NAME: 'kv-kubevod-controller',
      WATCH_NAMESPACES: [],
    });
    expect(parsed['kv-kubevod-playback']).toMatchObject({ PLAYBACK_MODE: 'origin' });
    // Each image is the component's target of the one Dockerfile.
    for (const c of ['api', 'controller', 'playback']) {
      expect(podSpec(find(objs, 'Deployment', `kv-kubevod-${c}`)).containers[0].image).toBe(
        `localhost:5000/kubevod/${c}:abc123`,
      );
    }
    expect(podSpec(find(objs, 'StatefulSet', 'kv-kubevod-minio')).containers[0].image).toBe(
      'localhost:5000/kubevod/minio:abc123',
    );
  });

  it('is accepted by the real kube-apiserver (server-side dry run) in a namespace enforcing restricted', () => {
    const r = dryRun(renderChart({ namespace: ns }), ns);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('deployment.apps/kv-kubevod-controller created (server dry run)');
    expect(r.stdout).toContain('statefulset.apps/kv-kubevod-minio created (server dry run)');
    expect(r.stdout).toContain(
      'networkpolicy.networking.k8s.io/kv-kubevod-worker created (server dry run)',
    );
  });

  it('accepts every optional feature on the real apiserver: Ingress, HTTPRoute, HPA, webhooks, namespaces, external S3', () => {
    // Gateway API CRDs (v1.4.0, the release Traefik 3.6 implements) from the Go module cache.
    execFileSync('bash', [join(root, 'test', 'stack', 'build-tools.sh'), 'gateway-crds'], {
      stdio: 'pipe',
    });
    const crdDir = execFileSync(
      'bash',
      [join(root, 'test', 'stack', 'build-tools.sh'), 'path', 'gateway-crds'],
      {
        encoding: 'utf8',
      },
    ).trim();
    const httproutes = readdirSync(crdDir).find((f) => f.includes('httproutes'));
    expect(httproutes).toBeDefined();
    const applied = kubectl(['apply', '--server-side', '-f', join(crdDir, httproutes!)]);
    expect(applied.stderr).toBe('');
    expect(
      kubectl([
        'wait',
        '--for=condition=Established',
        '--timeout=60s',
        'crd/httproutes.gateway.networking.k8s.io',
      ]).code,
    ).toBe(0);

    const manifest = renderChart({
      namespace: ns,
      set: [
        'ingress.enabled=true',
        'ingress.className=traefik',
        'ingress.api.host=api.example.test',
        'ingress.playback.host=play.example.test',
        'httpRoute.enabled=true',
        'httpRoute.parentRefs[0].name=traefik-gw',
        'httpRoute.parentRefs[0].namespace=traefik',
        'playback.autoscaling.enabled=true',
        'controller.webhook.urls[0]=https://hooks.example.test/kubevod',
        'controller.webhook.secret=0123456789abcdef0123',
        `controller.watchNamespaces={${ns},${watched}}`,
        'minio.enabled=false',
        'storage.endpoint=https://s3.example.test',
        'storage.existingSecret=my-s3',
        'grafanaDashboard.enabled=true',
        'networkPolicy.ingressFrom[0].namespaceSelector.matchLabels.kubernetes\\.io/metadata\\.name=traefik',
      ],
    });
    const objs = objects(manifest);
    expect(objs.filter((o) => o.kind === 'Ingress').map((o) => o.spec.rules[0].host)).toEqual([
      'api.example.test',
      'play.example.test',
    ]);
    expect(objs.filter((o) => o.kind === 'HTTPRoute')).toHaveLength(2);
    expect(objs.some((o) => o.kind === 'StatefulSet' || o.kind === 'ClusterRole')).toBe(false);
    // a Role for the controller in each watched namespace, and the default deny there too
    expect(
      objs
        .filter((o) => o.kind === 'Role' && o.metadata.name === 'kv-kubevod-controller')
        .map((o) => o.metadata.namespace),
    ).toEqual([ns, watched]);
    expect(
      objs
        .filter((o) => o.metadata.name === 'kv-kubevod-default-deny')
        .map((o) => o.metadata.namespace),
    ).toEqual([ns, watched]);
    const controllerEnv = envAsProcessSees(
      containerEnv(find(objs, 'Deployment', 'kv-kubevod-controller')),
    );
    expect(ControllerConfigSchema.safeParse(controllerEnv).error?.issues ?? []).toEqual([]);
    expect(controllerEnv.WORKER_S3_SECRET).toBe('my-s3');
    expect(controllerEnv.WEBHOOK_URLS).toBe('https://hooks.example.test/kubevod');
    expect(
      envAsProcessSees(containerEnv(find(objs, 'Deployment', 'kv-kubevod-api'))).PLAYBACK_URL,
    ).toBe('http://play.example.test');

    const r = dryRun(manifest, ns);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'httproute.gateway.networking.k8s.io/kv-kubevod-api created (server dry run)',
    );
    expect(r.stdout).toContain(
      'horizontalpodautoscaler.autoscaling/kv-kubevod-playback created (server dry run)',
    );
    expect(r.stdout).toContain(
      `role.rbac.authorization.k8s.io/kv-kubevod-controller created (server dry run)`,
    );
  });

  it('grants the controller exactly the rules of apps/controller/rbac.yaml (its RBAC test runs with them)', () => {
    type Rule = {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
      resourceNames?: string[];
    };
    type WithRules = K8sObject & { rules: Rule[] };
    const written = objects(readFileSync(join(root, 'apps/controller/rbac.yaml'), 'utf8'));
    const objs = objects(renderChart({ namespace: ns }));
    const cluster = find(objs, 'ClusterRole', `kv-kubevod-controller-${ns}`) as WithRules;
    expect(cluster.rules).toEqual(
      (find(written, 'ClusterRole', 'kubevod-controller') as WithRules).rules,
    );
    // per watched namespace: the same rules in a Role
    const scoped = objects(
      renderChart({ namespace: ns, set: [`controller.watchNamespaces={${watched}}`] }),
    );
    const role = scoped.find(
      (o) => o.kind === 'Role' && o.metadata.namespace === watched,
    ) as WithRules;
    expect(role.rules).toEqual(cluster.rules);
    // the Lease: the same verbs, all but create narrowed to the controller's Lease
    const lease = (find(written, 'Role', 'kubevod-controller-leader-election') as WithRules).rules;
    const chartLease = (find(objs, 'Role', 'kv-kubevod-controller-leader-election') as WithRules)
      .rules;
    expect(chartLease.flatMap((r) => r.verbs).sort()).toEqual(lease.flatMap((r) => r.verbs).sort());
    for (const r of chartLease) {
      expect(r.resources).toEqual(['leases']);
      if (!r.verbs.includes('create')) expect(r.resourceNames).toEqual(['kv-kubevod-controller']);
    }
  });

  it('renders a ServiceMonitor and a Grafana dashboard that parses as JSON', () => {
    const objs = objects(
      renderChart({ set: ['serviceMonitor.enabled=true', 'grafanaDashboard.enabled=true'] }),
    );
    const sm = find(objs, 'ServiceMonitor', 'kv-kubevod');
    expect(sm.spec.endpoints).toEqual([{ port: 'http', path: '/metrics', interval: '30s' }]);
    const dashboard = JSON.parse(
      find(objs, 'ConfigMap', 'kv-kubevod-dashboard').data!['kubevod.json'],
    );
    expect(dashboard.uid).toBe('kubevod');
    expect(dashboard.panels.length).toBeGreaterThanOrEqual(10);
  });

  it.each([
    [['logLevel=loud'], /logLevel/],
    [['replicas=3'], /additional properties 'replicas' not allowed/],
    [['api.replicas=-1'], /api\.replicas|replicas/],
    [['storage.bucket=No_Such'], /storage\.bucket|bucket/],
    [['image.pullPolicy=Sometimes'], /pullPolicy/],
    [
      ['minio.enabled=false', 'storage.endpoint=https://s3.example.test'],
      /storage\.existingSecret is required when minio\.enabled is false/,
    ],
    [['httpRoute.enabled=true'], /httpRoute\.parentRefs must name at least one Gateway/],
    [
      ['controller.webhook.urls[0]=https://h.example.test', 'controller.webhook.secret=short'],
      /at least 16 characters/,
    ],
    [['worker.settings.MAX_HEGHT=2160'], /MAX_HEGHT/],
    [['worker.settings.X264_PRESET=placebo'], /X264_PRESET/],
  ])('refuses bad values %j with a message naming the problem', (set, message) => {
    const r = helm(['template', 'kv', CHART_DIR, ...set.flatMap((s) => ['--set', s])]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(message);
  });

  it('keeps generated credentials across upgrades (helm upgrade --install twice on the real apiserver)', () => {
    const install = () =>
      helm([
        'upgrade',
        '--install',
        'kv',
        CHART_DIR,
        '--namespace',
        ns,
        '--set',
        'minio.persistence.enabled=false',
      ]);
    const secretData = (name: string) => {
      const r = kubectl(['get', 'secret', name, '--namespace', ns, '-o', 'jsonpath={.data}']);
      expect(r.code).toBe(0);
      return JSON.parse(r.stdout) as Record<string, string>;
    };
    const first = install();
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    // NOTES.txt: the routes the apps serve (multipart POST /v1/videos, the player page /watch/:id)
    expect(first.stdout).toContain(
      'curl -H "Authorization: Bearer $KUBEVOD_API_KEY" -F file=@my-video.mp4 $KUBEVOD_API_URL/v1/videos\n',
    );
    expect(first.stdout).toMatch(/\(player page: http:\/\/\S+\/watch\/<video id>\)/);
    expect(first.stdout).not.toContain('Helm does not upgrade CRDs');
    const s3 = secretData('kv-kubevod-s3');
    const keys = secretData('kv-kubevod-api-keys');
    expect(Buffer.from(s3.S3_SECRET_KEY, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);
    expect(Buffer.from(keys.keys, 'base64').toString()).toMatch(/^[A-Za-z0-9]{40}$/);

    const second = install();
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('REVISION: 2');
    expect(second.stdout).toContain('kubectl apply --server-side -f charts/kubevod/crds/');
    expect(secretData('kv-kubevod-s3')).toEqual(s3);
    expect(secretData('kv-kubevod-api-keys')).toEqual(keys);
  });
});
