/**
 * The chart's ServiceMonitor and Grafana dashboard against the running stack (no Prometheus runs
 * here): the Services the ServiceMonitor's selector picks are exactly api, controller and playback,
 * each has the named port it scrapes, /metrics answers through that port, and every metric the
 * dashboard queries is exported by one of them.
 */
import { parseAllDocuments } from 'yaml';
import { renderChart } from '../stack/helm';
import { kubectl } from '../support/kubectl';
import { stack } from './support/stack';
import { describeE2e } from './support/tier';

interface Obj {
  kind: string;
  metadata: { name: string; labels?: Record<string, string> };
  spec?: {
    selector?: {
      matchLabels: Record<string, string>;
      matchExpressions: { key: string; operator: string; values: string[] }[];
    };
    endpoints?: { port: string; path: string }[];
    ports?: { name: string }[];
  };
  data?: Record<string, string>;
}

function rendered(): Obj[] {
  const yaml = renderChart({
    release: stack.release,
    namespace: stack.namespace,
    set: ['serviceMonitor.enabled=true', 'grafanaDashboard.enabled=true'],
  });
  return parseAllDocuments(yaml)
    .map((d) => d.toJSON() as Obj | null)
    .filter((o): o is Obj => o !== null);
}

/** Metric names in PromQL: histogram series map to their family (`_bucket`, `_sum`, `_count`). */
function dashboardMetrics(dashboardJson: string): string[] {
  const names = new Set<string>();
  for (const m of dashboardJson.matchAll(/\b(kubevod_[a-z_]+)/g)) {
    names.add(m[1].replace(/_(bucket|sum|count)$/, ''));
  }
  return [...names].sort();
}

describeE2e('metrics for Prometheus and Grafana', () => {
  it('the ServiceMonitor scrapes api, controller and playback, which export every metric the dashboard queries', () => {
    const objs = rendered();
    const sm = objs.find((o) => o.kind === 'ServiceMonitor')!;
    const sel = sm.spec!.selector!;
    const selector = [
      ...Object.entries(sel.matchLabels).map(([k, v]) => `${k}=${v}`),
      ...sel.matchExpressions.map((e) => {
        expect(e.operator).toBe('In');
        return `${e.key} in (${e.values.join(',')})`;
      }),
    ].join(',');
    const svcs = kubectl(['get', 'svc', '-n', stack.namespace, '-l', selector, '-o', 'json']);
    expect(svcs.code).toBe(0);
    const services = (JSON.parse(svcs.stdout) as { items: Obj[] }).items;
    expect(services.map((s) => s.metadata.labels!['app.kubernetes.io/component']).sort()).toEqual([
      'api',
      'controller',
      'playback',
    ]);

    const exported = new Set<string>();
    const [endpoint] = sm.spec!.endpoints!;
    for (const svc of services) {
      expect(svc.spec!.ports!.map((p) => p.name)).toContain(endpoint.port);
      const scraped = kubectl([
        'get',
        '--raw',
        `/api/v1/namespaces/${stack.namespace}/services/${svc.metadata.name}:${endpoint.port}/proxy${endpoint.path}`,
      ]);
      expect({ svc: svc.metadata.name, code: scraped.code, stderr: scraped.stderr }).toEqual({
        svc: svc.metadata.name,
        code: 0,
        stderr: '',
      });
      for (const m of scraped.stdout.matchAll(/^# TYPE (\S+) /gm)) exported.add(m[1]);
    }

    const dashboard = objs.find((o) => o.kind === 'ConfigMap' && o.data?.['kubevod.json'])!;
    const queried = dashboardMetrics(dashboard.data!['kubevod.json']);
    expect(queried.length).toBeGreaterThanOrEqual(10);
    expect(queried.filter((name) => !exported.has(name))).toEqual([]);
  });
});
