import { homedir } from 'node:os';
import { join } from 'node:path';

const APP_DIR = 'Ferry';

/**
 * The default data folder (settings, journal, logs, local cloud storage): FERRY_DATA_DIR if set,
 * else the platform's per-user config location. Inputs are parameters so every branch is testable.
 */
export function defaultDataDir(
  env: Readonly<Record<string, string | undefined>> = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  const override = env.FERRY_DATA_DIR?.trim();
  if (override) return override;
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', APP_DIR);
  if (platform === 'win32') return join(env.APPDATA?.trim() || join(home, 'AppData', 'Roaming'), APP_DIR);
  const xdg = env.XDG_CONFIG_HOME?.trim();
  return join(xdg || join(home, '.config'), APP_DIR);
}
