#!/bin/sh
# Installs lb-daemon as a systemd service from a built source tree (mvn -DskipTests package).
# Idempotent: run it again after each build to update the jars; an existing /etc/lb/lb.toml is
# never overwritten. --uninstall removes what this script installs but keeps /etc/lb (your config),
# /var/lib/lb and the lb user.
#
# DESTDIR=/some/dir stages everything under that directory instead of /, for packaging or a test
# run: then root is not required and the systemctl/systemd-* steps are skipped (and listed).
set -eu

PROG=install.sh
PREFIX=/opt/lb
UNINSTALL=0
DESTDIR=${DESTDIR:-}
DESTDIR=${DESTDIR%/}

UNIT_NAME=lb-daemon.service
UNIT_DIR=/etc/systemd/system
SYSUSERS_FILE=/etc/sysusers.d/lb.conf
TMPFILES_FILE=/etc/tmpfiles.d/lb.conf
LOGROTATE_FILE=/etc/logrotate.d/lb
SYSCTL_FILE=/etc/sysctl.d/60-lb.conf
UPGRADE_UNIT_NAME=lb-upgrade.service
CONF_DIR=/etc/lb
BIN_DIR=/usr/local/bin
COMPLETION_FILE=/usr/share/bash-completion/completions/lb-cli
# The java the unit and the lb-cli wrapper run: JAVA=/path/to/java installs them with another one.
JAVA=${JAVA:-/usr/bin/java}

say() { printf '%s: %s\n' "$PROG" "$*"; }
warn() { printf '%s: warning: %s\n' "$PROG" "$*" >&2; }
die() { printf '%s: error: %s\n' "$PROG" "$*" >&2; exit 1; }

usage() {
    cat <<EOF
Usage: [DESTDIR=DIR] systemd/install.sh [--prefix DIR] [--uninstall]

Installs lb-daemon.jar and lb-cli.jar into the prefix, the systemd unit $UNIT_NAME,
the lb system user (sysusers.d) and /etc/lb + /var/lib/lb (tmpfiles.d), the lb-cli
command ($BIN_DIR/lb-cli) and its bash completion, the access log's rotation
($LOGROTATE_FILE), and conf/lb.toml as
$CONF_DIR/lb.toml if that file does not exist yet. Needs Java 17 or newer at $JAVA.

  --prefix DIR   where the jars go (default /opt/lb); the unit is rewritten to match
  --uninstall    remove what install put in place; keeps $CONF_DIR, /var/lib/lb and the lb user
  -h, --help     this text

Environment:
  DESTDIR        stage under this directory; skips systemctl/systemd-sysusers/systemd-tmpfiles
EOF
}

while [ $# -gt 0 ]; do
    case $1 in
        --uninstall) UNINSTALL=1 ;;
        --prefix)
            [ $# -ge 2 ] || { usage >&2; exit 2; }
            PREFIX=$2
            shift
            ;;
        --prefix=*) PREFIX=${1#--prefix=} ;;
        -h | --help) usage; exit 0 ;;
        *) printf '%s: unknown argument: %s\n' "$PROG" "$1" >&2; usage >&2; exit 2 ;;
    esac
    shift
done

case $PREFIX in
    /*) ;;
    *) die "--prefix must be an absolute path: $PREFIX" ;;
esac
# The prefix is written into the unit's command lines unquoted; keep it to characters that need none.
case $PREFIX in
    *[!A-Za-z0-9/._-]*) die "--prefix may contain only letters, digits and / . _ -: $PREFIX" ;;
esac
PREFIX=${PREFIX%/}
case $JAVA in
    /*) ;;
    *) die "JAVA must be an absolute path: $JAVA" ;;
esac
case $JAVA in
    *[!A-Za-z0-9/._-]*) die "JAVA may contain only letters, digits and / . _ -: $JAVA" ;;
esac
[ -n "$PREFIX" ] || die "--prefix must not be /"

if [ -z "$DESTDIR" ] && [ "$(id -u)" -ne 0 ]; then
    die "must run as root (or set DESTDIR=DIR to stage into a directory)"
fi

SRC=$(cd "$(dirname "$0")/.." && pwd)

# Whether the systemd steps run: only on the live system, and only if systemd is PID 1.
live_systemd() {
    [ -z "$DESTDIR" ] && [ -d /run/systemd/system ] && command -v systemctl >/dev/null 2>&1
}

skip_note() {
    if [ -n "$DESTDIR" ]; then
        say "DESTDIR set: skipped: $*"
    else
        warn "systemd is not running here: skipped: $*"
    fi
}

# Copy to a temporary name, then rename: a running JVM keeps reading the old jar's inode instead
# of crashing on a file rewritten under it.
put() { # put SOURCE TARGET MODE
    target=$DESTDIR$2
    mkdir -p "$(dirname "$target")"
    cp "$1" "$target.tmp.$$"
    chmod "$3" "$target.tmp.$$"
    mv -f "$target.tmp.$$" "$target"
    say "installed $target"
}

remove() { # remove TARGET
    if [ -e "$DESTDIR$1" ]; then
        rm -f "$DESTDIR$1"
        say "removed $DESTDIR$1"
    fi
}

# The major version of $JAVA, or nothing if it cannot say: "1.8.0_392" is 8, "17.0.9" and "21" are 17, 21.
java_major() {
    "$JAVA" -version 2>&1 | sed -n 's/.* version "\([0-9][0-9.]*\).*/\1/p' | head -n 1 |
        awk -F. '{ print ($1 == 1 ? $2 : $1) }'
}

# The unit runs $JAVA: refuse to install a service that could not start (Ubuntu 22.04's default
# java is 11). Staged (DESTDIR), a missing $JAVA may be the target's business: a warning then.
check_java() {
    hint="install Java 17 or newer (Debian/Ubuntu: apt-get install openjdk-17-jre-headless; then check: update-alternatives --config java) or run with JAVA=/path/to/java"
    if [ ! -x "$JAVA" ]; then
        [ -n "$DESTDIR" ] && { warn "$JAVA not found; the unit and lb-cli need Java 17 or newer there"; return 0; }
        die "$JAVA not found: lb-daemon needs Java 17 or newer there; $hint"
    fi
    major=$(java_major)
    case $major in
        '' | *[!0-9]*) warn "cannot tell the version of $JAVA; lb-daemon needs Java 17 or newer"; return 0 ;;
    esac
    if [ "$major" -lt 17 ]; then
        die "$JAVA is Java $major; lb-daemon needs Java 17 or newer: $hint"
    fi
    say "$JAVA is Java $major"
}

# -XX:TrimNativeHeapInterval came with Java 17.0.9: an older JVM refuses to start with it, so a
# unit for one leaves it out (FILE: the unit being installed).
drop_unknown_flags() {
    [ -x "$JAVA" ] || return 0
    "$JAVA" -XX:TrimNativeHeapInterval=1000 -version >/dev/null 2>&1 && return 0
    warn "$JAVA does not know -XX:TrimNativeHeapInterval (Java 17.0.9 or later does): left out of the unit, so idle memory per connection is higher (docs/benchmarks.md)"
    sed -e 's/ -XX:TrimNativeHeapInterval=1000//' "$1" >"$1.flags" && mv "$1.flags" "$1"
}

install_all() {
    daemon_jar=$SRC/lb-daemon/target/lb-daemon.jar
    cli_jar=$SRC/lb-cli/target/lb-cli.jar
    for jar in "$daemon_jar" "$cli_jar"; do
        [ -f "$jar" ] || die "$jar not found; build first: (cd $SRC && mvn -DskipTests package)"
    done
    check_java

    put "$daemon_jar" "$PREFIX/lb-daemon.jar" 0644
    put "$cli_jar" "$PREFIX/lb-cli.jar" 0644
    wrapper_tmp=$(mktemp)
    sed -e "s|/opt/lb/|$PREFIX/|g" -e "s|/usr/bin/java|$JAVA|g" "$SRC/systemd/lb-cli.sh" >"$wrapper_tmp"
    put "$wrapper_tmp" "$BIN_DIR/lb-cli" 0755
    rm -f "$wrapper_tmp"
    put "$SRC/systemd/lb-cli.bash-completion" "$COMPLETION_FILE" 0644

    unit_tmp=$(mktemp)
    trap 'rm -f "$unit_tmp"' EXIT
    sed -e "s|/opt/lb/|$PREFIX/|g" -e "s|/usr/bin/java|$JAVA|g" "$SRC/systemd/lb-daemon.service" >"$unit_tmp"
    drop_unknown_flags "$unit_tmp"
    put "$unit_tmp" "$UNIT_DIR/$UNIT_NAME" 0644
    sed -e "s|/opt/lb/|$PREFIX/|g" -e "s|/usr/bin/java|$JAVA|g" "$SRC/systemd/$UPGRADE_UNIT_NAME" >"$unit_tmp"
    put "$unit_tmp" "$UNIT_DIR/$UPGRADE_UNIT_NAME" 0644
    put "$SRC/systemd/lb.sysctl.conf" "$SYSCTL_FILE" 0644
    put "$SRC/systemd/lb.sysusers.conf" "$SYSUSERS_FILE" 0644
    put "$SRC/systemd/lb.tmpfiles.conf" "$TMPFILES_FILE" 0644
    put "$SRC/conf/logrotate.d/lb" "$LOGROTATE_FILE" 0644

    mkdir -p "$DESTDIR$CONF_DIR"
    if [ -e "$DESTDIR$CONF_DIR/lb.toml" ]; then
        say "kept existing $DESTDIR$CONF_DIR/lb.toml"
    elif [ -f "$SRC/conf/lb.toml" ]; then
        put "$SRC/conf/lb.toml" "$CONF_DIR/lb.toml" 0640
    else
        warn "no $SRC/conf/lb.toml to copy; write $CONF_DIR/lb.toml before starting the service"
    fi

    if live_systemd; then
        # User first: the tmpfiles lines chown to lb.
        systemd-sysusers "$SYSUSERS_FILE"
        systemd-tmpfiles --create "$TMPFILES_FILE"
        if ! sysctl -q -p "$SYSCTL_FILE" >/dev/null 2>&1; then
            warn "could not set net.ipv4.tcp_migrate_req (Linux 5.14 or later has it): an upgrade resets connections queued on the old listeners"
        fi
        systemctl daemon-reload
        say "created user lb, $CONF_DIR and /var/lib/lb; reloaded systemd"
        if systemctl is-active --quiet "$UNIT_NAME"; then
            say "lb-daemon is running the old jar: systemctl restart $UNIT_NAME"
        else
            say "next: edit $CONF_DIR/lb.toml, then: systemctl enable --now $UNIT_NAME"
        fi
        say "operators in group lb can use lb-cli without sudo: usermod -aG lb NAME (then log in again)"
    else
        skip_note "systemd-sysusers $SYSUSERS_FILE; systemd-tmpfiles --create $TMPFILES_FILE; sysctl -p $SYSCTL_FILE; systemctl daemon-reload"
    fi
}

uninstall_all() {
    if live_systemd; then
        # Ignore "not loaded": uninstalling twice must work too.
        systemctl disable --now "$UNIT_NAME" 2>/dev/null || true
    else
        skip_note "systemctl disable --now $UNIT_NAME"
    fi
    remove "$UNIT_DIR/$UNIT_NAME"
    remove "$UNIT_DIR/$UPGRADE_UNIT_NAME"
    remove "$SYSCTL_FILE"
    remove "$SYSUSERS_FILE"
    remove "$TMPFILES_FILE"
    remove "$LOGROTATE_FILE"
    remove "$PREFIX/lb-daemon.jar"
    remove "$PREFIX/lb-cli.jar"
    remove "$BIN_DIR/lb-cli"
    remove "$COMPLETION_FILE"
    rmdir "$DESTDIR$PREFIX" 2>/dev/null || true
    if live_systemd; then
        systemctl daemon-reload
    else
        skip_note "systemctl daemon-reload"
    fi
    say "kept $DESTDIR$CONF_DIR, $DESTDIR/var/lib/lb and the lb user and group (remove by hand if wanted)"
}

if [ "$UNINSTALL" -eq 1 ]; then
    uninstall_all
else
    install_all
fi
