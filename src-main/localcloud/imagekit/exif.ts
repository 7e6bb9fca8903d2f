/**
 * A small EXIF (TIFF IFD) reader for the metadata API's `exif` object (§5.7): sub-objects
 * `image` (IFD0), `thumbnail` (IFD1), `exif`, `gps`, `interoperability`. Tags with a known name
 * are keyed by it (ImageKit uses exiftool-style names), others as `Tag0xNNNN`. Malformed data
 * yields what was read so far — metadata is informative, never a reason to fail a request.
 */

const NAMES: Record<number, string> = {
  0x010e: 'ImageDescription', 0x010f: 'Make', 0x0110: 'Model', 0x0112: 'Orientation', 0x011a: 'XResolution',
  0x011b: 'YResolution', 0x0128: 'ResolutionUnit', 0x0131: 'Software', 0x0132: 'ModifyDate', 0x013b: 'Artist',
  0x0213: 'YCbCrPositioning', 0x8298: 'Copyright', 0x8769: 'ExifOffset', 0x8825: 'GPSInfo', 0x0103: 'Compression',
  0x0201: 'ThumbnailOffset', 0x0202: 'ThumbnailLength', 0x829a: 'ExposureTime', 0x829d: 'FNumber',
  0x8822: 'ExposureProgram', 0x8827: 'ISO', 0x9000: 'ExifVersion', 0x9003: 'DateTimeOriginal', 0x9004: 'CreateDate',
  0x9201: 'ShutterSpeedValue', 0x9202: 'ApertureValue', 0x9204: 'ExposureCompensation', 0x9207: 'MeteringMode',
  0x9209: 'Flash', 0x920a: 'FocalLength', 0xa001: 'ColorSpace', 0xa002: 'ExifImageWidth', 0xa003: 'ExifImageHeight',
  0xa005: 'InteropOffset', 0xa402: 'ExposureMode', 0xa403: 'WhiteBalance', 0xa406: 'SceneCaptureType',
  0xa434: 'LensModel', 0x0001: 'InteropIndex', 0x0002: 'InteropVersion',
};
const GPS_NAMES: Record<number, string> = {
  0x0000: 'GPSVersionID', 0x0001: 'GPSLatitudeRef', 0x0002: 'GPSLatitude', 0x0003: 'GPSLongitudeRef',
  0x0004: 'GPSLongitude', 0x0005: 'GPSAltitudeRef', 0x0006: 'GPSAltitude', 0x0007: 'GPSTimeStamp', 0x001d: 'GPSDateStamp',
};
/** Byte size of one value of each TIFF type. */
const TYPE_SIZE: Record<number, number> = { 1: 1, 2: 1, 3: 2, 4: 4, 5: 8, 6: 1, 7: 1, 8: 2, 9: 4, 10: 8, 11: 4, 12: 8 };

type Ifd = { values: Record<string, unknown>; pointers: Map<number, number>; next: number };

/** Parses sharp's `metadata().exif` buffer (`Exif\0\0` + TIFF). Returns `{}` when absent or unreadable. */
export function parseExif(buf: Buffer | undefined): Record<string, Record<string, unknown>> {
  if (!buf || buf.length < 14) return {};
  const tiff = buf.subarray(0, 6).toString('latin1') === 'Exif\0\0' ? buf.subarray(6) : buf;
  const order = tiff.subarray(0, 2).toString('latin1');
  if (order !== 'II' && order !== 'MM') return {};
  const le = order === 'II';
  const u16 = (o: number): number => (le ? tiff.readUInt16LE(o) : tiff.readUInt16BE(o));
  const u32 = (o: number): number => (le ? tiff.readUInt32LE(o) : tiff.readUInt32BE(o));
  const i32 = (o: number): number => (le ? tiff.readInt32LE(o) : tiff.readInt32BE(o));

  const value = (type: number, count: number, at: number): unknown => {
    const one = (o: number): number | string => {
      switch (type) {
        case 3:
          return u16(o);
        case 4:
          return u32(o);
        case 9:
          return i32(o);
        case 5:
        case 10: {
          const den = type === 5 ? u32(o + 4) : i32(o + 4);
          return den === 0 ? 0 : (type === 5 ? u32(o) : i32(o)) / den;
        }
        default:
          return tiff[o] ?? 0;
      }
    };
    if (type === 2) return tiff.subarray(at, at + count).toString('latin1').replace(/\0+$/, '');
    if (type === 7) return count <= 16 ? tiff.subarray(at, at + count).toString('latin1').replace(/\0+$/, '') : `(${count} bytes binary data)`;
    const size = TYPE_SIZE[type] ?? 1;
    const list: (number | string)[] = [];
    for (let k = 0; k < Math.min(count, 64); k++) list.push(one(at + k * size));
    return list.length === 1 ? list[0] : list;
  };

  const readIfd = (offset: number, names: Record<number, string>): Ifd | null => {
    if (offset < 8 || offset + 2 > tiff.length) return null;
    const n = u16(offset);
    const ifd: Ifd = { values: {}, pointers: new Map(), next: 0 };
    for (let k = 0; k < n; k++) {
      const e = offset + 2 + k * 12;
      if (e + 12 > tiff.length) break;
      const tag = u16(e);
      const type = u16(e + 2);
      const count = u32(e + 4);
      const bytes = (TYPE_SIZE[type] ?? 1) * count;
      const at = bytes <= 4 ? e + 8 : u32(e + 8);
      if (at + bytes > tiff.length) continue;
      const v = value(type, count, at);
      if (tag === 0x8769 || tag === 0x8825 || tag === 0xa005) ifd.pointers.set(tag, Number(v));
      ifd.values[names[tag] ?? `Tag0x${tag.toString(16).padStart(4, '0').toUpperCase()}`] = v;
    }
    const nextAt = offset + 2 + n * 12;
    ifd.next = nextAt + 4 <= tiff.length ? u32(nextAt) : 0;
    return ifd;
  };

  try {
    const out: Record<string, Record<string, unknown>> = {};
    const ifd0 = readIfd(u32(4), NAMES);
    if (!ifd0) return {};
    out.image = ifd0.values;
    const ifd1 = ifd0.next ? readIfd(ifd0.next, NAMES) : null;
    if (ifd1) out.thumbnail = ifd1.values;
    const exifIfd = ifd0.pointers.has(0x8769) ? readIfd(ifd0.pointers.get(0x8769) ?? 0, NAMES) : null;
    if (exifIfd) out.exif = exifIfd.values;
    const gps = ifd0.pointers.has(0x8825) ? readIfd(ifd0.pointers.get(0x8825) ?? 0, GPS_NAMES) : null;
    if (gps) out.gps = gps.values;
    const interop = exifIfd?.pointers.has(0xa005) ? readIfd(exifIfd.pointers.get(0xa005) ?? 0, NAMES) : null;
    if (interop) out.interoperability = interop.values;
    return out;
  } catch {
    return {};
  }
}
