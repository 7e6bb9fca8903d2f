/** The version hosts report when they are not told one (Electron passes app.getVersion()). */
export const DEFAULT_VERSION = '0.1.0';
