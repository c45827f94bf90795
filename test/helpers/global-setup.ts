// vitest globalSetup: runs once around the whole suite (nothing is shared between files yet).
export function setup(): void {}

export function teardown(): void {}
