/** Live export: build (exportLive), read (readLiveExportFile) and write export files. */
export { exportLive, type ExportOptions } from './export';
export { readDashboardExportFile, readLiveExportFile, writeFileAtomic } from './files';
export * from './types';
