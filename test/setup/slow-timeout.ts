// jest 30 ignores `testTimeout` inside a project: suites that talk to real systems get 2 minutes here.
jest.setTimeout(120_000);
