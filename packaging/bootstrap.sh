#!/bin/sh
# Set up Relaydesk from a fresh clone on Debian/Ubuntu, then start the app or run the tests.
#   packaging/bootstrap.sh app    install the app and its system libraries, then start it
#   packaging/bootstrap.sh test   install what the tests need, then run ruff, mypy and pytest
# Only installs what is missing; safe to run again.
set -eu
mode=${1:-app}
shift 2>/dev/null || true
cd "$(dirname "$0")/.."

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"

# Qt's runtime libraries (offscreen and X11), and Python's venv module.
QT_LIBS="libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 libglib2.0-0
 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-render-util0 libxcb-image0
 fonts-dejavu-core"
# binutils: PyInstaller reads and patches ELF files with objdump/objcopy (tests/packaging).
# exim4-daemon-light: the real MTA whose bounces tests/app/mail/test_bounces_mta.py reads
# (run from its own config on a loopback port; the system daemon is not used).
TEST_DEBS="dovecot-imapd openssl binutils exim4-daemon-light"

missing() {
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" || printf '%s ' "$pkg"
  done
}

apt_install() {
  [ -n "$*" ] || return 0
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "Please install these system packages first: $*" >&2
    return 0
  fi
  echo "Installing system packages: $*"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

need="$(missing $QT_LIBS)"
python3 -c "import ensurepip" 2>/dev/null || need="$need python3-venv"
if [ "$mode" = "test" ]; then
  debs="$TEST_DEBS"
  # Installing Exim would replace another MTA (Postfix, say): keep that one; the bounce test
  # then skips (and fails on CI, where machines start clean).
  if [ -e /usr/sbin/sendmail ] && ! command -v exim4 >/dev/null 2>&1; then
    debs="$(echo " $debs " | sed 's/ exim4-daemon-light / /')"
  fi
  # shellcheck disable=SC2086
  need="$need$(missing $debs)"
  # PostgreSQL: the tests use a running server, or start a throwaway cluster from its binaries.
  if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 && ! command -v pg_isready >/dev/null 2>&1; then
    need="$need postgresql"
  fi
fi
# shellcheck disable=SC2086
apt_install $need

if [ ! -x .venv/bin/python ]; then
  python3 -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null

case "$mode" in
  app)
    .venv/bin/python -m pip install -q .
    exec .venv/bin/relaydesk "$@"
    ;;
  test)
    .venv/bin/python -m pip install -q -e '.[test]'
    .venv/bin/ruff check app storage ui tests bench
    .venv/bin/mypy
    export QT_QPA_PLATFORM=offscreen
    # Two test processes (pytest-xdist): most tests wait on servers, not on the CPU. Each
    # has its own Dovecot, keyring file and databases; "-n 0" runs the suite in one.
    exec .venv/bin/python -m pytest -n 2 "$@"
    ;;
  *)
    echo "usage: $0 app|test [args]" >&2
    exit 2
    ;;
esac
