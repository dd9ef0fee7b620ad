/** Fails fast when a script runs on a Node older than the pinned 24 (e.g. the system Node 20). */
export function assertNodeVersion(min = 24, version = process.versions.node): void {
  const major = Number(version.split('.')[0]);
  if (major < min) {
    throw new Error(
      `kubevod needs Node >= ${min}, this is ${version}: run it through npm scripts (the repo pins node 24.x)`,
    );
  }
}
