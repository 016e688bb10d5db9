#!/usr/bin/env bash
# Installs what building and testing Elevator needs, only where it is missing:
# Debian's libcurl4-openssl-dev and libyaml-dev, and the Python test tools in .build-venv/.
# Safe to run again; it does nothing when everything is present.
set -euo pipefail
cd "$(dirname "$0")/.."

apt_packages=(libcurl4-openssl-dev libyaml-dev pkg-config openssl)
missing=()
for package in "${apt_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    sudo_cmd=""
    [ "$(id -u)" -eq 0 ] || sudo_cmd="sudo"
    $sudo_cmd apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo_cmd apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Python test tools live in a venv of their own so tests never depend on what is installed by hand.
venv=.build-venv
requirements=scripts/requirements-test.txt
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ]; then
    echo "setup: creating $venv"
    python3 -m venv "$venv"
fi
if ! cmp -s "$requirements" "$stamp"; then
    echo "setup: installing Python test tools from $requirements"
    "$venv/bin/pip" install -q --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$stamp"
fi
