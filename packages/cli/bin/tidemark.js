#!/usr/bin/env node
// A committed shim, so npm can link the `tidemark` bin at install time, before the
// TypeScript build (run by the root `prepare` script) has produced dist/.
import '../dist/main.js';
