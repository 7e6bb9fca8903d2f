import type { LibraryItem } from '../../src-shared/ipc/channels.js';

/** "expires in 23 h 59 min", "expires in 6 d 23 h", "expires in 42 s" or "expired". */
export function expiryText(expiresAt: number, now: number): string {
  const s = Math.floor((expiresAt - now) / 1000);
  if (s <= 0) return 'expired';
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `expires in ${d} d ${h} h`;
  if (h > 0) return `expires in ${h} h ${m} min`;
  if (m > 0) return `expires in ${m} min`;
  return `expires in ${s} s`;
}

/** How a made entry reads: "Converted from clip.mp4"; the source may have left the Library. */
export function madeFromText(made: NonNullable<LibraryItem['madeFrom']>): { lead: string; source: string | null } {
  const lead = made.kind === 'duplicate' ? 'Same file as' : made.kind === 'transform' ? 'Made in Studio from' : 'Converted from';
  return made.name === null ? { lead: `${lead} a file no longer in the Library`, source: null } : { lead, source: made.name };
}

/** The folder part of a path inside a dropped folder (`trip/day1/` of `trip/day1/a.jpg`), or null. */
export function folderOf(relativePath: string | null): string | null {
  const cut = relativePath?.lastIndexOf('/') ?? -1;
  return relativePath && cut > 0 ? relativePath.slice(0, cut + 1) : null;
}
