// @backplane/dev-fdc: no code yet (see README.md). This package exports nothing.
export {};
