/** The production LiveExporter: exportLive per environment, sharing one dashboard export. */
import type { LoadedBaseline } from '../baseline/load';
import { exportLive, type DashboardExport } from '../export/index';
import type { LiveExporter } from './run';

/** A dashboard export that names another environment is not applied to this one. */
export function liveExporter(env: NodeJS.ProcessEnv, now: () => Date, dashboard: DashboardExport | undefined, onWarning?: (message: string) => void): LiveExporter {
  return (loaded: LoadedBaseline) =>
    exportLive(loaded, {
      env,
      now: now(),
      ...(onWarning ? { onWarning } : {}),
      ...(dashboard && (!dashboard.environment || dashboard.environment === loaded.baseline.environment) ? { dashboardExport: dashboard } : {}),
    });
}
