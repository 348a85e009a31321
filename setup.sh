#!/usr/bin/env bash
# rt2's one-command set-up, as T2's setup.sh:
#   1. libpcap's development files (and a C compiler): installed with the system's package
#      manager when run as root (apt-get, dnf, yum, pacman, zypper, apk; brew as a user),
#      otherwise one line with the exact command to run, and exit 1;
#   2. the build (cargo build --release);
#   3. T2's default plugins into ~/.tranalyzer/plugins (a bare `t2build -y`; defaults that rt2
#      does not have yet are reported, not fatal);
#   4. `source .../scripts/t2_aliases` in ~/.bashrc, if you agree or pass -y.
# Safe to run again: each step does only what is missing.
set -uo pipefail

usage() {
    echo "Usage: ./setup.sh [-y] [-h]"
    echo
    echo "    -y, --yes     add the aliases to ~/.bashrc without asking"
    echo "    -h, --help    show this help, then exit"
}

YES=0
while [ $# -gt 0 ]; do
    case "$1" in
        -y|--yes) YES=1 ;;
        -h|--help) usage; exit 0 ;;
        *) echo "setup.sh: unknown option '$1'" >&2; usage >&2; exit 1 ;;
    esac
    shift
done

cd "$(dirname "$0")" || exit 1
T2HOME="$(pwd)"
RELEASE="${CARGO_TARGET_DIR:-${T2HOME}/target}/release"

say() { printf 'setup.sh: %s\n' "$*"; }
fail() { printf 'setup.sh: %s\n' "$*" >&2; exit 1; }

command -v cargo >/dev/null || fail "Rust is missing: install it (https://rustup.rs), then run ./setup.sh again"

# --- 1. the C compiler and libpcap's development files --------------------------------------

# $1: extra compiler arguments; the program includes pcap.h when $2 is "pcap"
compiles() {
    local dir rc
    dir="$(mktemp -d)" || return 1
    if [ "${2:-}" = pcap ]; then
        printf '#include <pcap.h>\nint main(void) { return pcap_lib_version() == 0; }\n' > "$dir/probe.c"
    else
        printf 'int main(void) { return 0; }\n' > "$dir/probe.c"
    fi
    # shellcheck disable=SC2086 # $1 holds separate arguments
    "${CC:-cc}" "$dir/probe.c" -o "$dir/probe" $1 >/dev/null 2>&1
    rc=$?
    rm -rf "$dir"
    return $rc
}

# the package manager: prints "manager compiler-package pcap-package"
manager() {
    if command -v apt-get >/dev/null; then echo "apt-get gcc libpcap-dev"
    elif command -v dnf >/dev/null; then echo "dnf gcc libpcap-devel"
    elif command -v yum >/dev/null; then echo "yum gcc libpcap-devel"
    elif command -v pacman >/dev/null; then echo "pacman gcc libpcap"
    elif command -v zypper >/dev/null; then echo "zypper gcc libpcap-devel"
    elif command -v apk >/dev/null; then echo "apk gcc libpcap-dev"
    elif command -v brew >/dev/null; then echo "brew - libpcap"
    fi
}

# $1: "sudo " or "", $2: manager, then the packages: prints the command that installs them
install_command() {
    local sudo="$1" m="$2"
    shift 2
    case "$m" in
        apt-get) echo "${sudo}apt-get update && ${sudo}apt-get install -y $*" ;;
        dnf|yum) echo "${sudo}$m install -y $*" ;;
        pacman) echo "${sudo}pacman -S --needed --noconfirm $*" ;;
        zypper) echo "${sudo}zypper --non-interactive install $*" ;;
        apk) echo "${sudo}apk add $*" ;;
        brew) echo "brew install $*" ;;
    esac
}

need=()
what=""
read -r pm cc_pkg pcap_pkg <<< "$(manager)"
if ! compiles ""; then
    [ "${cc_pkg:-}" = - ] && fail "a C compiler is missing: run 'xcode-select --install', then ./setup.sh again"
    need+=("${cc_pkg:-gcc}")
    what="a C compiler"
fi
if ! compiles "-lpcap" pcap; then
    need+=("${pcap_pkg:-libpcap-dev}")
    what="${what:+$what and }libpcap's development files"
fi
if [ "${#need[@]}" -gt 0 ]; then
    [ -n "$pm" ] || fail "$what missing: install them with your package manager (libpcap-dev or libpcap-devel), then run ./setup.sh again"
    if [ "$pm" = brew ] || [ "$(id -u)" -eq 0 ]; then
        cmd="$(install_command "" "$pm" "${need[@]}")"
        say "installing $what: $cmd"
        DEBIAN_FRONTEND=noninteractive bash -c "$cmd" || fail "'$cmd' failed"
        compiles "-lpcap" pcap || fail "$what still missing after '$cmd'"
    elif command -v sudo >/dev/null; then
        fail "$what missing: run '$(install_command "sudo " "$pm" "${need[@]}")', then ./setup.sh again"
    else
        fail "$what missing: run 'su -c \"$(install_command "" "$pm" "${need[@]}")\"', then ./setup.sh again"
    fi
fi

# --- 2. the build --------------------------------------------------------------------------

say "building (cargo build --release)"
cargo build --release || fail "the build failed"

# --- 3. T2's default plugins ---------------------------------------------------------------

say "installing the default plugins (t2build -y)"
log="$(mktemp)"
"$RELEASE/t2build" -y 2>&1 | tee "$log"
rc="${PIPESTATUS[0]}"
if [ "$rc" -ne 0 ]; then
    # t2build lists what it could not build: fine only for defaults rt2 does not have yet
    failed="$(sed -n '/^The following plugins could not be built:/,$p' "$log" | tail -n +2 | awk '{ print $1 }')"
    rm -f "$log"
    [ -n "$failed" ] || fail "t2build failed"
    absent=()
    for p in $failed; do
        [ -f "plugins/$p/Cargo.toml" ] && fail "the plugin $p failed to build (see above)"
        absent+=("$p")
    done
    say "T2 default plugins not in rt2 yet: ${absent[*]}"
else
    rm -f "$log"
fi

# --- 4. the aliases ------------------------------------------------------------------------

line="source \"${T2HOME}/scripts/t2_aliases\""
bashrc="${HOME}/.bashrc"
if [ -f "$bashrc" ] && grep -qxF "$line" "$bashrc"; then
    say "aliases already in $bashrc"
else
    add="$YES"
    if [ "$add" -eq 0 ] && [ -t 0 ]; then
        read -r -p "setup.sh: add '$line' to $bashrc? [y/N] " answer
        case "$answer" in [yY]*) add=1 ;; esac
    fi
    if [ "$add" -eq 1 ]; then
        printf '\n# rt2 (Tranalyzer2) aliases\n%s\n' "$line" >> "$bashrc"
        say "aliases added to $bashrc: open a new shell or run '$line'"
    else
        say "aliases not added: run './setup.sh -y', or add '$line' to $bashrc"
    fi
fi

say "done: $RELEASE/tranalyzer -r samples/sample.pcap -w /tmp/sample"
