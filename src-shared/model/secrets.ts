/**
 * Every secret Ferry knows, as a closed list. A closed list (rather than free-form keys) means a
 * fuzzed or compromised caller cannot read arbitrary entries of the user's keychain. Values live
 * only in the main process; the renderer sees set / not set.
 */
export const SECRET_NAMES = [
  'filestack.apikey',
  'filestack.secret',
  'imagekit.privateKey',
  'imagekit.publicKey',
  'webhook.filestack',
  'webhook.imagekit',
] as const;

/** One secret's name; also the keychain account name under the service `io.ferry.app`. */
export type SecretName = (typeof SECRET_NAMES)[number];

/** Longest secret value accepted (keys and secrets are far shorter). */
export const MAX_SECRET_LENGTH = 8192;
