import { appError, FerryError } from '../../../src-shared/errors.js';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import type { Provider } from '../../engine/ports.js';
import type { RetryPolicy } from '../../engine/retry.js';
import type { SettingsStore } from '../../engine/settings-store.js';
import type { RateLimiter } from '../../net/throttle.js';
import { createFilestackProvider } from '../../providers/filestack/provider.js';
import { imagekitProviderFromEnv } from '../../providers/imagekit/from-env.js';
import { SECRET_ENV_VARS } from '../../secrets/env-store.js';

type Env = Readonly<Record<string, string | undefined>>;

/** Real Filestack endpoints; each can be pointed elsewhere (a proxy, the local cloud) by env. */
const FILESTACK_DEFAULTS = {
  FERRY_FILESTACK_UPLOAD_BASE: 'https://upload.filestackapi.com',
  FERRY_FILESTACK_CDN_BASE: 'https://cdn.filestackcontent.com',
  FERRY_FILESTACK_FILE_API_BASE: 'https://www.filestackapi.com/api/file',
} as const;

const val = (env: Env, name: string): string | null => {
  const v = env[name]?.trim();
  return v ? v : null;
};

/**
 * The remote provider `to` needs, built from FERRY_* environment variables (the CLI runs where no
 * keychain exists). A missing key is a clear `unauthorized` error naming the variable, before any
 * file is touched. `local` needs nothing here: createApp always has it.
 */
export function cliProviders(
  to: DestinationKind,
  intelligent: boolean,
  env: Env = process.env,
  retry?: RetryPolicy,
): (wiring: { settings: SettingsStore; limiter: RateLimiter }) => Partial<Record<DestinationKind, Provider>> {
  if (to === 'local') return () => ({});
  if (to === 'imagekit') {
    if (intelligent) throw new FerryError(appError('unsupported', '--intelligent is a Filestack feature; ImageKit does not support it.', { retryable: false }));
    const provider = imagekitProviderFromEnv(env);
    if (!provider) {
      throw new FerryError(
        appError('unauthorized', `ImageKit needs ${SECRET_ENV_VARS['imagekit.privateKey']} and FERRY_IMAGEKIT_URL_ENDPOINT in the environment.`, {
          retryable: false,
        }),
      );
    }
    return () => ({ imagekit: provider });
  }
  const apikey = val(env, SECRET_ENV_VARS['filestack.apikey']);
  if (apikey === null) {
    throw new FerryError(appError('unauthorized', `Filestack needs ${SECRET_ENV_VARS['filestack.apikey']} in the environment.`, { retryable: false }));
  }
  return ({ settings, limiter }) => ({
    filestack: createFilestackProvider({
      kind: 'filestack',
      apikey,
      uploadBase: val(env, 'FERRY_FILESTACK_UPLOAD_BASE') ?? FILESTACK_DEFAULTS.FERRY_FILESTACK_UPLOAD_BASE,
      cdnBase: val(env, 'FERRY_FILESTACK_CDN_BASE') ?? FILESTACK_DEFAULTS.FERRY_FILESTACK_CDN_BASE,
      fileApiBase: val(env, 'FERRY_FILESTACK_FILE_API_BASE') ?? FILESTACK_DEFAULTS.FERRY_FILESTACK_FILE_API_BASE,
      get partConcurrency() {
        return settings.get().partConcurrency;
      },
      limiter,
      ...(intelligent ? { intelligent: true } : {}),
      ...(retry ? { retry } : {}),
    }),
  });
}
