// @backplane/cpu-x86: no code yet (see README.md). This package exports nothing.
export {};
