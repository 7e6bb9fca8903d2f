#!/usr/bin/env bash
# Runs a command inside a private D-Bus session with an unlocked gnome-keyring (the freedesktop
# Secret Service) and a throwaway HOME. This is how CI runs tests that need the real keychain.
#
#   bash scripts/with-keyring.sh npx vitest run test/secrets
#
# Environment knobs:
#   FERRY_KEYRING_HOME      use this directory as HOME and keep it afterwards (tests scan it);
#                           default: a fresh mktemp dir, removed on exit
#   FERRY_KEYRING_PASSWORD  keyring password (default: test)
#   FERRY_KEYRING_LOCKED=1  start gnome-keyring WITHOUT unlocking (needs an existing login keyring
#                           in FERRY_KEYRING_HOME) to reproduce a locked keyring
# Inside, the command sees FERRY_KEYRING_TEST=1 and a DBUS_SESSION_BUS_ADDRESS of its own.
# Needs: apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: $0 <command> [args...]" >&2
  exit 2
fi

for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-keyring: '$tool' not found; install: apt-get install -y gnome-keyring dbus dbus-x11 libsecret-tools" >&2
    exit 127
  fi
done

secrets_owned() {
  dbus-send --session --print-reply --reply-timeout=1000 --dest=org.freedesktop.DBus /org/freedesktop/DBus \
    org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q 'boolean true'
}

if [[ "${FERRY_WITH_KEYRING_INNER:-}" != 1 ]]; then
  # Outer half: prepare HOME first, because the bus daemon (and everything it activates, like
  # gnome-keyring) inherits its environment from dbus-run-session, not from the inner shell.
  keep_home=0
  if [[ -n "${FERRY_KEYRING_HOME:-}" ]]; then
    home="$FERRY_KEYRING_HOME"
    keep_home=1
  else
    home="$(mktemp -d "${TMPDIR:-/tmp}/ferry-keyring.XXXXXX")"
  fi
  mkdir -p "$home/.local/share/keyrings" "$home/.config" "$home/.cache" "$home/.run"
  chmod 700 "$home" "$home/.run"
  cleanup() { if [[ $keep_home == 0 ]]; then rm -rf "$home"; fi; }
  trap cleanup EXIT
  set +e
  # No DISPLAY/WAYLAND_DISPLAY: on a developer desktop no prompt window may pop up; no inherited
  # bus or keyring control socket: the command must talk to our private keyring only.
  env -u DISPLAY -u WAYLAND_DISPLAY -u DBUS_SESSION_BUS_ADDRESS -u GNOME_KEYRING_CONTROL -u SSH_AUTH_SOCK \
    HOME="$home" XDG_DATA_HOME="$home/.local/share" XDG_CONFIG_HOME="$home/.config" \
    XDG_CACHE_HOME="$home/.cache" XDG_RUNTIME_DIR="$home/.run" FERRY_WITH_KEYRING_INNER=1 \
    dbus-run-session -- bash "${BASH_SOURCE[0]}" "$@"
  rc=$?
  set -e
  exit "$rc"
fi

# Inner half: we are on the private bus. Run the daemon in the foreground as our child so we can
# stop and reap it; a daemonised keyring outlives the session as a zombie on some containers.
if [[ "${FERRY_KEYRING_LOCKED:-}" == 1 ]]; then
  gnome-keyring-daemon --foreground --components=secrets </dev/null >/dev/null 2>&1 &
else
  printf '%s' "${FERRY_KEYRING_PASSWORD:-test}" |
    gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
fi
keyring_pid=$!
stop_keyring() { kill "$keyring_pid" 2>/dev/null || true; wait "$keyring_pid" 2>/dev/null || true; }
trap stop_keyring EXIT

# Wait (bounded) until the keyring owns its bus name, so the command never races its start-up.
for _ in $(seq 1 100); do
  if secrets_owned; then break; fi
  if ! kill -0 "$keyring_pid" 2>/dev/null; then
    echo "with-keyring: gnome-keyring-daemon exited during start-up" >&2
    exit 1
  fi
  sleep 0.05
done
if ! secrets_owned; then
  echo "with-keyring: gnome-keyring did not claim org.freedesktop.secrets within 5 s" >&2
  exit 1
fi

export FERRY_KEYRING_TEST=1
set +e
"$@"
rc=$?
set -e
exit "$rc"
