import type { Api } from './api.js';

/** What the Library does when the host says entries were added, and after a lost connection is back. */
export type LibraryFollower = { added(ids: string[]): void; reconnected(): void };

/**
 * Hears `library:added` (uploads from any intake, Studio and Media results) and, because events
 * sent while the host was out of reach are lost, says when a connection that had been up and went
 * down is back (not on the first connect: the first load covers that). Returns the unsubscribe.
 */
export function followLibrary(api: Api, to: LibraryFollower): () => void {
  const offAdded = api.subscribe('library:added', ({ ids }) => ids.length > 0 && to.added(ids));
  let seen = false;
  let lost = false;
  const offConnection = api.onConnection((connected) => {
    if (connected && lost) to.reconnected();
    lost = !connected && (seen || lost);
    seen ||= connected;
  });
  return () => {
    offAdded();
    offConnection();
  };
}
