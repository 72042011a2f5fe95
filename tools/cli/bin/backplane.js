#!/usr/bin/env node
// Launcher: exists before the build so npm can link the bin; runs the built CLI.
import "../dist/cli.js";
