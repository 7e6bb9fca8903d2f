import { appError, type AppError } from '../../src-shared/errors.js';

/** Why the keychain could not be used; carried in `AppError.details.reason` for the UI and logs. */
export type KeychainUnavailableReason =
  | 'no-session-bus' // DBUS_SESSION_BUS_ADDRESS unset or the bus does not answer
  | 'no-secret-service' // nobody owns or can activate org.freedesktop.secrets
  | 'no-default-collection' // the Secret Service has no default keyring
  | 'locked' // the default keyring is locked (and no prompt could unlock it)
  | 'timeout' // the keychain did not answer in time (often a locked keyring waiting on a prompt)
  | 'probe-failed' // a throwaway write/read/delete did not round-trip
  | 'operation-failed' // a get/set/delete on an opened store failed
  | 'unsupported-platform';

const ENV_HINT =
  'For headless use you can instead provide keys through environment variables ' +
  '(FERRY_FILESTACK_APIKEY, FERRY_FILESTACK_SECRET, FERRY_IMAGEKIT_PRIVATE_KEY, FERRY_IMAGEKIT_PUBLIC_KEY). ' +
  'Ferry never stores secrets in plain text.';

const LINUX_INSTALL =
  'Install and start a Secret Service provider: gnome-keyring (e.g. `sudo apt install gnome-keyring`) or KWallet with its Secret Service enabled.';

/** The prompt text per reason: what happened and what the user can do about it. */
const PROMPTS: Record<KeychainUnavailableReason, string> = {
  'no-session-bus': `Ferry cannot reach your system keychain because there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set or does not answer). Start Ferry from a desktop session, or run it inside \`dbus-run-session\` with gnome-keyring running. ${ENV_HINT}`,
  'no-secret-service': `No keychain service is running (nothing provides org.freedesktop.secrets on the session bus). ${LINUX_INSTALL} ${ENV_HINT}`,
  'no-default-collection': `Your keychain has no default keyring. Create one (for example in "Passwords and Keys" / Seahorse, or by logging in to a GNOME or KDE session once) and try again. ${ENV_HINT}`,
  locked: `Your keyring is locked. Unlock it (for example in "Passwords and Keys" / Seahorse, or by logging out and in again) and try again. ${ENV_HINT}`,
  timeout: `Your keychain did not answer in time; it may be locked and waiting for a password prompt. Unlock it and try again. ${ENV_HINT}`,
  'probe-failed': `Your keychain refused a test entry, so Ferry cannot store keys there. Check that the keyring is unlocked and writable. ${ENV_HINT}`,
  'operation-failed': `Your keychain refused the request. Check that the keyring is unlocked and try again. ${ENV_HINT}`,
  'unsupported-platform': `Ferry has no keychain integration for this platform. ${ENV_HINT}`,
};

/** The `keychain_unavailable` AppError for `reason`. `cause` is a library message (never a secret value). */
export function keychainUnavailable(reason: KeychainUnavailableReason, cause?: string): AppError {
  return appError('keychain_unavailable', PROMPTS[reason], {
    retryable: false,
    details: { reason, ...(cause ? { cause: cause.slice(0, 300) } : {}) },
  });
}
