// @backplane/dev-pit: no code yet (see README.md). This package exports nothing.
export {};
