// Fail fast on the system Node: jest must run through `npm run jest` / `npm test` (Node 24).
if (Number(process.versions.node.split('.')[0]) < 24) {
  throw new Error(`kubevod tests need Node >= 24, this is ${process.versions.node}: use npm test`);
}

const libs = ['contracts', 'runtime', 'ffmpeg', 'storage', 'kube'];
const base = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', diagnostics: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: Object.fromEntries(
    libs.map((l) => [`^@kubevod/${l}$`, `<rootDir>/libs/${l}/src/index.ts`]),
  ),
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    // Pure logic and in-process boots: no cluster, no storage.
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs}/**/*.spec.ts'] },
    // Against a real kube-apiserver and real MinIO, brought up (or reused) by the global setup.
    {
      ...base,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
      globalSetup: '<rootDir>/test/setup/global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/slow-timeout.ts'],
    },
    // On a real node (containerd, kubelet, kube-proxy, CoreDNS, local registry) and kwok's fake
    // nodes, brought up (or reused) by test/setup/node-global-setup.ts.
    {
      ...base,
      displayName: 'node',
      testMatch: ['<rootDir>/test/node/**/*.node-spec.ts'],
      globalSetup: '<rootDir>/test/setup/node-global-setup.ts',
      globalTeardown: '<rootDir>/test/setup/node-global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/setup/slow-timeout.ts'],
    },
    // The whole product on the full node: images, the chart behind Traefik, real players.
    // test/e2e/setup.ts brings the local stack up (npm run stack without the sample upload).
    {
      ...base,
      displayName: 'e2e',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
      globalSetup: '<rootDir>/test/e2e/setup.ts',
      globalTeardown: '<rootDir>/test/e2e/teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/e2e/timeout.ts'],
    },
  ],
};
