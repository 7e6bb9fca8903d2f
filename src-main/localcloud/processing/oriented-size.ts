/** Width and height as displayed: EXIF orientations 5–8 swap them. */
export function orientedSize(m: { width?: number | undefined; height?: number | undefined; orientation?: number | undefined }): [number, number] {
  const w = m.width ?? 1;
  const h = m.height ?? 1;
  return (m.orientation ?? 1) >= 5 ? [h, w] : [w, h];
}
