#!/usr/bin/env node
// Runs the ZeyOS simulator from the built package: tidemark-sim-zeyos --port 8080 --seed 7
import process from 'node:process';
import { zeyosMain } from '../dist/index.js';

process.exitCode = await zeyosMain(process.argv.slice(2));
