import { stringify } from 'yaml';
import { transcodeCrd } from '../src/crd';

export const CRD_HEADER =
  '# GENERATED from libs/contracts/src/transcode.schema.ts by `npm run crd:generate`. DO NOT EDIT.\n';

export function renderCrdYaml(): string {
  return CRD_HEADER + stringify(transcodeCrd(), { lineWidth: 0 });
}
