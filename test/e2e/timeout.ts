// End-to-end suites wait on image builds, Jobs and players: 15 minutes each.
jest.setTimeout(900_000);
