// The simulator framework: nothing in here knows a particular source system.
export { createAdminRoutes, adminJson } from './admin.js';
export type { AdminContext } from './admin.js';
export { readBody, parseForm, mediaType } from './body.js';
export type { FormValue } from './body.js';
export { canonicalJson, stateHash } from './canonical.js';
export { SimClock } from './clock.js';
export type { ClockControl, ClockState } from './clock.js';
export { Collection } from './collection.js';
export type { CollectionOptions } from './collection.js';
export {
  FaultController,
  decideRandomFault,
  defaultKnobs,
  faultKinds,
  knobsSchema,
  knobsPatchSchema,
  scriptedFaultSchema,
} from './faults.js';
export type { FaultDecision, FaultKind, Knobs, KnobsPatch, ScriptedFault } from './faults.js';
export { Journal } from './journal.js';
export type { JournalOptions, JournalPage, JournalRecord } from './journal.js';
export { KeyedRateLimiter } from './rate-limit.js';
export { defaultMainIo } from './main-io.js';
export type { MainIo } from './main-io.js';
export { OrderedIndex, compareIds } from './ordered-index.js';
export type { KeyBound, RowId } from './ordered-index.js';
export { createRng } from './prng.js';
export type { Rng, Seed } from './prng.js';
export { RequestLog } from './request-log.js';
export type { RequestLogEntry } from './request-log.js';
export { HttpError, Router, jsonResponse, normalizePath, textResponse } from './router.js';
export type { Handler, HeaderValue, RouteMatch, SimRequest, SimResponse } from './router.js';
export { ADMIN_PREFIX, startSimServer } from './server.js';
export type { SimServer, SimServerOptions, SystemResponses } from './server.js';
export { readSnapshot, writeSnapshot } from './snapshot.js';
export type { SnapshotHeader } from './snapshot.js';
export { TokenRegistry } from './tokens.js';
export type { TokenEntry } from './tokens.js';
export { Workload, workloadOps, workloadSettingsSchema } from './workload.js';
export type {
  WorkloadDriver,
  WorkloadEffect,
  WorkloadOp,
  WorkloadSettings,
  WorkloadSettingsInput,
  WorkloadStatus,
} from './workload.js';
export { runSimulatorProcess, integerFlag, jsonFlag, stringFlag } from './run-main.js';
export type { SimulatorProcess, CommonOptions, ArgValues, RunningSimulator } from './run-main.js';
