import type Database from 'better-sqlite3';

/**
 * Names a better-sqlite3 binary built for another runtime. better-sqlite3 is a V8 addon, so one
 * build loads either in Node or in Electron, not both; `npm start` keeps the Node build in
 * node_modules (the CLI, browser mode and tests use it) and prepares an Electron build beside it,
 * which it names here for the Electron process only. Installed builds never set it
 * (electron-builder packages an Electron build).
 */
export const SQLITE_BINDING_ENV = 'FERRY_SQLITE_BINDING';

/** better-sqlite3 options plus the binary from SQLITE_BINDING_ENV when it is set. */
export function sqliteOptions(options: Database.Options = {}, env: NodeJS.ProcessEnv = process.env): Database.Options {
  const binding = env[SQLITE_BINDING_ENV];
  return binding ? { ...options, nativeBinding: binding } : options;
}
