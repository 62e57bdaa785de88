/** The local Clerk emulator: see server.ts for the in-process API and the admin endpoints. */
export { startEmulator, type ConnectionInfo, type EmulatorOptions, type RateLimit, type RecordedRequest, type RunningEmulator } from './server';
export { applySettings, defaultState, isEmulatorState, type EmulatorState, type EnvironmentType } from './state';
export { type FaultController, type FaultKind, type FaultSpec } from './faults';
