# shellcheck shell=bash
# One function for the scripts that need a Debian package (PostgreSQL for CI, nginx for
# `make serve`), sourced by them:
#
#   source scripts/apt_install.sh
#   atlas_apt_install TAG PACKAGE || echo "…without it"
#
# Installs PACKAGE with apt-get (the package lists are refreshed only when the first try
# fails); needs root and apt-get. Messages start with "TAG: ". Returns 1 when it cannot.

atlas_apt_install() {
    local tag="$1" package="$2"
    if [[ "$(id -u)" != 0 ]] || ! command -v apt-get >/dev/null; then
        echo "$tag: no $package, and no apt-get as root to install it"
        return 1
    fi
    echo "$tag: installing Debian's $package"
    export DEBIAN_FRONTEND=noninteractive
    timeout 600 apt-get install -y -q --no-install-recommends "$package" >/dev/null 2>&1 ||
        { timeout 300 apt-get update -q >/dev/null 2>&1 &&
          timeout 600 apt-get install -y -q --no-install-recommends "$package" >/dev/null 2>&1; } ||
        { echo "$tag: apt-get install $package failed"; return 1; }
}
