import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderCrdYaml } from './render-crd';

const root = join(__dirname, '..', '..', '..');

describe('generated CRD files', () => {
  it.each([
    'crds/transcodes.media.kubevod.io.yaml',
    'charts/kubevod/crds/transcodes.media.kubevod.io.yaml',
  ])('%s matches libs/contracts (run npm run crd:generate after a schema change)', (file) => {
    expect(readFileSync(join(root, file), 'utf8')).toBe(renderCrdYaml());
  });
});
