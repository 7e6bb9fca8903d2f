import type { DestinationKind } from '../../src-shared/model/job.js';
import type { AvConfig } from '../providers/filestack/av.js';
import type { ProcessingConfig } from '../providers/filestack/processing.js';
import { createSecurity } from '../protocol/filestack/signing.js';
import type { Destinations } from './destinations.js';

/** Processing and A/V calls wait this long for a render or a status answer. */
const CALL_TIMEOUT_MS = 60_000;
/** A conversion is polled for up to 30 minutes; its `convert` policy must outlive that. */
const AV_POLICY_SECONDS = 2 * 3600;

/**
 * Processing (studio) and A/V (media) configs per Filestack-protocol destination: the local
 * cloud always, `filestack` while the destinations hold its key (read per call, so a key stored
 * in Settings applies at once). With an app secret, processing URLs sign themselves per call
 * and a conversion gets its own `convert` policy.
 */
export function accessFor(deps: { destinations: Pick<Destinations, 'filestackAccess'>; local: { apikey: string; cdnBase: string }; now?: () => number }): {
  processing: (destination: DestinationKind) => ProcessingConfig | null;
  av: (destination: DestinationKind) => AvConfig | null;
} {
  const now = deps.now ?? (() => Math.floor(Date.now() / 1000));
  return {
    processing(destination) {
      if (destination === 'local') return { ...deps.local, timeoutMs: CALL_TIMEOUT_MS };
      const a = destination === 'filestack' ? deps.destinations.filestackAccess() : null;
      if (!a) return null;
      return { apikey: a.apikey, cdnBase: a.cdnBase, timeoutMs: CALL_TIMEOUT_MS, ...(a.secret !== null ? { secret: a.secret } : {}) };
    },
    av(destination) {
      if (destination === 'local') return { ...deps.local, timeoutMs: CALL_TIMEOUT_MS };
      const a = destination === 'filestack' ? deps.destinations.filestackAccess() : null;
      if (!a) return null;
      const security = a.secret !== null ? createSecurity({ expiry: now() + AV_POLICY_SECONDS, call: ['convert'] }, a.secret) : undefined;
      return { apikey: a.apikey, cdnBase: a.cdnBase, timeoutMs: CALL_TIMEOUT_MS, ...(security ? { security } : {}) };
    },
  };
}
