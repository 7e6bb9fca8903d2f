// Renders every app and tray PNG from assets/icon.svg and assets/tray.svg with sharp.
// Run once after changing an SVG: `node scripts/make-icons.mjs` (the PNGs are committed).
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const assets = path.join(root, 'assets');

/** Linux icon theme sizes (electron-builder reads assets/icons/<n>x<n>.png). */
const LINUX_SIZES = [16, 24, 32, 48, 64, 128, 256, 512];

/** Width of each SVG's viewBox in px (at 72 dpi). */
const ICON_SVG_SIZE = 512;
const TRAY_SVG_SIZE = 44;

async function render(svg, svgSize, size, outFile) {
  // Rasterise at twice the target resolution, then downscale: crisp edges at 16 px too.
  const density = Math.ceil((72 * 2 * size) / svgSize);
  await sharp(svg, { density })
    .resize(size, size, { fit: 'contain', background: { r: 0, g: 0, b: 0, alpha: 0 } })
    .png({ compressionLevel: 9 })
    .toFile(outFile);
  console.log(`${path.relative(root, outFile)} ${size}x${size}`);
}

const icon = await readFile(path.join(assets, 'icon.svg'));
const trayGlyph = await readFile(path.join(assets, 'tray.svg'));
await mkdir(path.join(assets, 'icons'), { recursive: true });
await mkdir(path.join(assets, 'tray'), { recursive: true });

await render(icon, ICON_SVG_SIZE, 512, path.join(assets, 'icon.png'));
for (const size of LINUX_SIZES) await render(icon, ICON_SVG_SIZE, size, path.join(assets, 'icons', `${size}x${size}.png`));
await render(icon, ICON_SVG_SIZE, 22, path.join(assets, 'tray', 'tray.png'));
await render(icon, ICON_SVG_SIZE, 44, path.join(assets, 'tray', 'tray@2x.png'));
await render(trayGlyph, TRAY_SVG_SIZE, 22, path.join(assets, 'tray', 'trayTemplate.png'));
await render(trayGlyph, TRAY_SVG_SIZE, 44, path.join(assets, 'tray', 'trayTemplate@2x.png'));
