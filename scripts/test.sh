#!/usr/bin/env bash
# Runs the whole test suite on a fresh machine: installs the Debian packages the tests use (as root),
# builds a virtual environment in .venv with the core and every plugin installed from their own
# pyproject.toml files, then runs ruff and pytest over the core and every plugin.
#
#   bash scripts/test.sh [extra pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENV=${CIRRO_TEST_VENV:-$ROOT/.venv}
PYTHON=${PYTHON:-python3}

# Debian packages the tests start for real (see docs/testing.md).
DEB_PACKAGES=(
  mariadb-server
  # KVM: libvirt-python builds against libvirt-dev; libvirtd + QEMU (TCG) run the end-to-end tests
  libvirt-dev pkg-config libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients qemu-system-x86 qemu-utils
  # the virtual router's data plane and the namespace guests
  iproute2 dnsmasq-base haproxy iptables nftables udhcpc bind9-dnsutils iputils-ping
  # Hyper-V: the SMB image store tests run a throwaway Samba smbd
  samba
)

install_debian_packages() {
  local missing=()
  for pkg in "${DEB_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return
  fi
  if [ "$(id -u)" != 0 ]; then
    echo "scripts/test.sh: needs root to install: ${missing[*]}" >&2
    exit 1
  fi
  echo "== installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get -o DPkg::Lock::Timeout=900 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

install_python_packages() {
  echo "== virtual environment $VENV"
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q ".[test]"
  local plugin_dirs=()
  for dir in plugins/*/; do
    [ -f "$dir/pyproject.toml" ] || continue
    # a plugin whose vendor SDK is an optional extra lists the extras its tests need in test-extras.txt
    if [ -f "$dir/test-extras.txt" ]; then
      plugin_dirs+=("./${dir%/}[$(paste -sd, "$dir/test-extras.txt")]")
    else
      plugin_dirs+=("./$dir")
    fi
  done
  if [ ${#plugin_dirs[@]} -gt 0 ]; then
    "$VENV/bin/python" -m pip install -q "${plugin_dirs[@]}"
  fi
}

install_debian_packages
install_python_packages

echo "== ruff"
"$VENV/bin/ruff" check core plugins tests bench

echo "== pytest"
export PATH="$VENV/bin:$PATH"
test_dirs=(tests)
for dir in plugins/*/tests; do
  [ -d "$dir" ] && test_dirs+=("$dir")
done
set +e
"$VENV/bin/python" -m pytest -q -rfE "${test_dirs[@]}" "$@"
status=$?
set -e
if [ $status -eq 5 ]; then
  echo "pytest collected no tests" >&2
  exit 1
fi
exit $status
