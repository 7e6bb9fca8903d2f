/** Default pixel cap per image and per stage: a 50 MP photo renders, a decompression bomb does not. */
export const DEFAULT_MAX_PIXELS = 50_000_000;
