import { ConfigError, loadConfig } from '@kubevod/runtime';
import { ControllerConfigSchema } from './config';
import { jobTemplateFrom } from './manager/controller-manager';

const S3 = { S3_ENDPOINT: 'http://minio:9000', S3_ACCESS_KEY: 'k', S3_SECRET_KEY: 's' };

describe('controller config: the worker settings', () => {
  it('passes WORKER_SETTINGS to every worker Job as env, sorted by name', () => {
    const config = loadConfig(ControllerConfigSchema, {
      ...S3,
      WORKER_SETTINGS: '{"X264_PRESET":"veryfast","MAX_HEIGHT":2160}',
    });
    expect(jobTemplateFrom(config).settings).toEqual([
      { name: 'MAX_HEIGHT', value: '2160' },
      { name: 'X264_PRESET', value: 'veryfast' },
    ]);
    expect(jobTemplateFrom(loadConfig(ControllerConfigSchema, S3)).settings).toEqual([]);
  });

  it('refuses at start a setting the worker does not have, naming the variable', () => {
    const load = () =>
      loadConfig(ControllerConfigSchema, { ...S3, WORKER_SETTINGS: '{"MAX_HEGHT":"2160"}' });
    expect(load).toThrow(ConfigError);
    expect(load).toThrow(/^invalid configuration: WORKER_SETTINGS(\.MAX_HEGHT)?: /);
  });
});
