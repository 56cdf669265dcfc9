/**
 * Vitest global setup for integration and smoke tests: makes sure the real Kafka broker
 * and the real S3 server of infra/ are running (starting them when they are not) and
 * tells the tests where they are. What this setup started, it stops at the end; a stack
 * that was already running (a developer's `tidemark up`, or CI's) is left alone.
 */
import { execFile } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { TestProject } from 'vitest/node';
import { localStack } from '@tidemark/config';
import '../support/local-stack.js';

const run = promisify(execFile);
const infraDir = fileURLToPath(new URL('../../infra/', import.meta.url));

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.setTimeout(1000);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

async function ensureRunning(name: 'kafka' | 's3', port: number): Promise<boolean> {
  if (await portOpen(port)) return false;
  try {
    await run(`${infraDir}${name}/start`, [], { timeout: 600_000, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const output = error as { stdout?: string; stderr?: string };
    throw new Error(`could not start ${name}: ${output.stderr ?? ''}${output.stdout ?? ''}`, {
      cause: error,
    });
  }
  return true;
}

export default async function setup(project: TestProject) {
  const stack = localStack(process.env);
  const [startedKafka, startedS3] = await Promise.all([
    ensureRunning('kafka', stack.kafkaPort),
    ensureRunning('s3', stack.s3Port),
  ]);
  project.provide('stack', stack);
  return async () => {
    const stops = [];
    if (startedKafka) stops.push(run(`${infraDir}kafka/stop`, []));
    if (startedS3) stops.push(run(`${infraDir}s3/stop`, []));
    await Promise.all(stops);
  };
}
