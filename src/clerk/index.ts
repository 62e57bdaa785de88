/** Clerk access: connection, API client, and the settings-model reads and writes on top. */
export * from './connection';
export * from './api';
export * from './settings-io';
export * from './types';
export { ClerkApiError, type FailureKind, type RequestCounter } from './http';
