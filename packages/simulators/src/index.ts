/**
 * @tidemark/simulators: faithful HTTP stand-ins for the source systems, for tests,
 * benchmarks and the local demo. `core` is the system-independent framework; each system
 * lives in its own folder.
 */
export * from './core/index.js';
export * from './zeyos/index.js';
export * from './tsm/index.js';
export * from './peaktms/index.js';
