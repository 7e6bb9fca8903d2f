import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { AppInfo, Arch, LinuxPackager, MacPackager, Packager, Platform, WinPackager, type PlatformPackager, type Target } from 'app-builder-lib';
import { createElectronFrameworkSupport } from 'app-builder-lib/out/electron/ElectronFramework.js';
import { LinuxTargetHelper } from 'app-builder-lib/out/targets/LinuxTargetHelper.js';
import { createTargets } from 'app-builder-lib/out/targets/targetFactory.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * `npm run dist` must not fail on metadata (issue 11: the deb target wanted a homepage and an
 * author email). electron-builder's own code checks the real electron-builder.yml and package.json
 * here, for every target of all three OS: the schema and metadata check it runs before a build,
 * then each target's option checks, the Linux desktop entry and icons, and the NSIS version
 * keys. No Electron download and no packaging tools are needed for any of it.
 */

const root = resolve('.');
let packager: Packager;
let out: string;

beforeAll(async () => {
  out = await mkdtemp(join(tmpdir(), 'ferry-dist-'));
  packager = new Packager({ projectDir: root, targets: Platform.LINUX.createTarget(['AppImage', 'deb'], Arch.x64) });
  // What `electron-builder` does first: load electron-builder.yml, validate it against
  // scheme.json, and check package.json's metadata. Throws InvalidConfigurationError otherwise.
  await packager.validateConfig();
  packager._appInfo = new AppInfo(packager, null);
  (packager as unknown as { _framework: unknown })._framework = await createElectronFrameworkSupport(packager.config, packager);
});
afterAll(async () => {
  await rm(out, { recursive: true, force: true });
});

/** The configured targets of one OS, built by electron-builder's own target factory. */
function targetsOf(helper: PlatformPackager<never>): Target[] {
  const configured = (helper.platformSpecificBuildOptions as { target?: unknown }).target;
  const names = (Array.isArray(configured) ? configured : [configured]).map((t) => String(t).toLowerCase());
  return createTargets(new Map(), names, out, helper);
}

async function checkAll(targets: Target[]): Promise<unknown[]> {
  return Promise.all(targets.map((t) => t.checkOptions()));
}

describe('electron-builder configuration', () => {
  it('passes electron-builder’s schema and package.json metadata checks', () => {
    const info = packager.appInfo;
    expect(info.productName).toBe('Ferry');
    expect(info.id).toBe('io.ferry.app');
    expect(info.description).toMatch(/uploader for Filestack and ImageKit/);
    expect(packager.metadata.author).toMatchObject({ name: expect.any(String), email: expect.stringMatching(/@/) });
    expect(packager.metadata.homepage).toMatch(/^https:\/\//);
  });

  it('Linux: AppImage and deb, with the deb’s homepage and maintainer, a desktop entry and icons', async () => {
    const linux = new LinuxPackager(packager);
    const targets = targetsOf(linux as unknown as PlatformPackager<never>);
    expect(targets.map((t) => t.name)).toEqual(['appImage', 'deb']);
    const [, deb] = (await checkAll(targets)) as [unknown, { name: string; maintainer: string; url: string; vendor: string }];
    expect(deb).toMatchObject({ maintainer: expect.stringMatching(/^.+ <.+@.+>$/), url: packager.metadata.homepage });
    expect(linux.executableName).toBe('ferry');
    const helper = new LinuxTargetHelper(linux);
    const entry = await helper.computeDesktopEntry(linux.platformSpecificBuildOptions);
    expect(entry).toContain('Name=Ferry');
    expect(entry).toContain('Exec=/opt/Ferry/ferry %U');
    expect(entry).toContain('Categories=Utility;');
    expect(entry).toMatch(/Comment=.+/);
    expect(entry).toContain('StartupWMClass=ferry');
    expect(helper.getDesktopFileName()).toBe('ferry');
    const icons = await helper.icons;
    expect(icons.map((i) => i.size)).toEqual(expect.arrayContaining([16, 32, 48, 64, 128, 256, 512]));
  });

  it('macOS: a dmg with a valid bundle id and category', async () => {
    const mac = new MacPackager(packager);
    const targets = targetsOf(mac as unknown as PlatformPackager<never>);
    expect(targets.map((t) => t.name)).toEqual(['dmg']);
    await checkAll(targets);
    expect(mac.appInfo.macBundleIdentifier).toBe('io.ferry.app');
    expect(mac.appInfo.productFilename).toBe('Ferry'); // Ferry.app
    expect(mac.platformSpecificBuildOptions.category).toBe('public.app-category.productivity');
  });

  it('Windows: an assisted nsis installer with the company, product and copyright in its version keys', async () => {
    const win = new WinPackager(packager);
    const targets = targetsOf(win as unknown as PlatformPackager<never>);
    expect(targets.map((t) => t.name)).toEqual(['nsis']);
    await checkAll(targets);
    const keys = (targets[0] as unknown as { computeVersionKey(): string[] }).computeVersionKey().join('\n');
    expect(keys).toContain('ProductName "Ferry"');
    expect(keys).toContain('CompanyName "Ferry team"');
    expect(keys).toContain('LegalCopyright "Copyright © Ferry team"');
    expect(keys).toMatch(/FileDescription ".+"/);
    expect(win.appInfo.productFilename).toBe('Ferry'); // Ferry.exe
  });
});
