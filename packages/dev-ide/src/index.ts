// @backplane/dev-ide: no code yet (see README.md). This package exports nothing.
export {};
