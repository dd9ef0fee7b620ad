import { WORKER_SETTINGS } from '@kubevod/contracts';
import { WorkerConfigSchema, X264_PRESETS } from './config';
import chartSchema from '../../../charts/kubevod/values.schema.json';

describe('worker config: the settings operators set (chart worker.settings)', () => {
  it('has every setting the controller may pass', () => {
    const keys = Object.keys(WorkerConfigSchema.shape);
    expect(WORKER_SETTINGS.filter((s) => !keys.includes(s))).toEqual([]);
  });

  it('is what the chart values schema allows, preset names included', () => {
    const settings = chartSchema.properties.worker.properties.settings;
    expect(Object.keys(settings.properties).sort()).toEqual([...WORKER_SETTINGS].sort());
    expect(settings.properties.X264_PRESET.enum).toEqual([...X264_PRESETS]);
  });
});
