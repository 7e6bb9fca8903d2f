import { randomUUID } from 'node:crypto';
import type { DestinationKind } from '../../../src-shared/model/job.js';
import type { UploadHistory } from '../../engine/journal/types.js';
import { storedType } from '../../engine/done-record.js';
import type { Logger } from '../../engine/ports.js';

/** A file Ferry made on a service from a Library entry (a stored Studio result, a conversion). */
export type MadeFile = {
  readonly kind: 'transform' | 'conversion';
  /** Library id of the entry it was made from. */
  readonly sourceId: string;
  readonly name: string;
  readonly destination: DestinationKind;
  readonly url: string;
  readonly remoteId: string;
  /** Bytes, as the service reported them (0 when it did not). */
  readonly size: number;
  /** As the service reported it; guessed from the name when missing or generic. */
  readonly mimetype?: string;
};

/** Records a made file in the Library; returns its Library id, or null when it could not be recorded. */
export type MadeFileRecorder = (made: MadeFile) => string | null;

/**
 * Everything Ferry creates becomes a Library entry tied to its source, so Studio and Media results
 * are found, copied, signed and deleted like uploads. The file already exists remotely when this
 * runs: a journal that cannot write is logged, never turned into a failed store or conversion.
 */
export function createMadeFileRecorder(history: UploadHistory | null, logger: Logger, now: () => number = Date.now): MadeFileRecorder {
  return (made) => {
    if (!history) return null;
    const id = randomUUID();
    try {
      history.append({
        jobId: id,
        destination: made.destination,
        // No local source: the name says what it is, the source link says where it came from.
        sourcePath: '',
        name: made.name,
        size: Math.max(0, Math.floor(made.size)),
        // The bytes were never on this machine: no content key, so never a dedupe match.
        sha256: '',
        url: made.url,
        remoteId: made.remoteId,
        finishedAt: now(),
        mimetype: storedType(made.mimetype, made.name),
        origin: made.kind,
        sourceId: made.sourceId,
      });
      return id;
    } catch (thrown) {
      logger.error('library: could not record a made file', { kind: made.kind, sourceId: made.sourceId, error: String(thrown) });
      return null;
    }
  };
}
