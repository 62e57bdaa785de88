/** The production LiveExporter: exportLive per environment, sharing one dashboard export. */
import type { LoadedBaseline } from '../baseline/load';
import type { ClerkApi } from '../clerk/api';
import { exportLive, type DashboardExport } from '../export/index';
import type { ExportListener, LiveExporter } from './run';

/** Hears when an environment's reads start and end (the CLI's progress lines). */
export interface ExportObserver {
  begin(environment: string): { onApi(api: ClerkApi): void; end(): void };
}

/** A dashboard export that names another environment is not applied to this one. */
export function liveExporter(env: NodeJS.ProcessEnv, now: () => Date, dashboard: DashboardExport | undefined, onWarning?: (message: string) => void, observer?: ExportObserver): LiveExporter {
  return async (loaded: LoadedBaseline, listener?: ExportListener) => {
    const observed = observer?.begin(loaded.baseline.environment);
    try {
      return await exportLive(loaded, {
        env,
        now: now(),
        ...listener,
        ...(onWarning ? { onWarning } : {}),
        ...(observed ? { onApi: observed.onApi } : {}),
        ...(dashboard && (!dashboard.environment || dashboard.environment === loaded.baseline.environment) ? { dashboardExport: dashboard } : {}),
      });
    } finally {
      observed?.end();
    }
  };
}
