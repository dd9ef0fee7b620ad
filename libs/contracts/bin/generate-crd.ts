/**
 * Writes the Transcode CRD generated from libs/contracts to crds/ and to the Helm chart's crds/.
 * `npm run crd:generate` after changing the schema; `npm run crd:check` (part of the tests) fails on drift.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdYaml } from './render-crd';

const root = join(__dirname, '..', '..', '..');
const targets = [
  'crds/transcodes.media.kubevod.io.yaml',
  'charts/kubevod/crds/transcodes.media.kubevod.io.yaml',
];
const check = process.argv.includes('--check');
const yaml = renderCrdYaml();
let drift = 0;
for (const target of targets) {
  const path = join(root, target);
  let current = '';
  try {
    current = readFileSync(path, 'utf8');
  } catch {
    /* missing counts as drift */
  }
  if (current === yaml) continue;
  if (check) {
    console.error(`drift: ${target} differs from libs/contracts; run npm run crd:generate`);
    drift++;
  } else {
    writeFileSync(path, yaml);
    console.log(`wrote ${target}`);
  }
}
process.exit(drift ? 1 : 0);
