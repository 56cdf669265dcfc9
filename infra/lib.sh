# Shared helpers for the Tidemark infra scripts. Sourced, never executed.
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
# Sourced by infra/up, infra/down and (through kafka/env.sh, s3/env.sh) every service script.

# Absolute path of infra/, so scripts work from any working directory.
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# Downloaded jars: shared by every state dir, safe to delete at any time.
INFRA_CACHE_DIR="$INFRA_DIR/.cache"
# Data, logs, pid files. Overridable so parallel runs can be isolated.
INFRA_STATE_DIR="${TIDEMARK_INFRA_STATE_DIR:-$INFRA_DIR/.state}"
case "$INFRA_STATE_DIR" in /*) ;; *) INFRA_STATE_DIR="$PWD/$INFRA_STATE_DIR" ;; esac

say() { echo "tidemark infra: $*"; }
die() { echo "tidemark infra: $*" >&2; exit 1; }

need_java() {
  command -v java >/dev/null 2>&1 || die "java not found: install a Java 17+ JDK"
  # `java -version` prints e.g. 'openjdk version "17.0.15"' (or "1.8.0_x" on old JDKs).
  local v
  v="$(java -version 2>&1 | sed -n 's/.*version "\([0-9][0-9]*\)[."].*/\1/p' | head -n1)"
  [[ -n "$v" && "$v" -ge 17 ]] || die "java ${v:-?} found but Java 17+ is needed: install a Java 17+ JDK"
}

need_mvn() {
  command -v mvn >/dev/null 2>&1 || die "mvn not found: install Apache Maven 3.6+ (Debian: apt-get install maven)"
}

# fetch_jars POM_DIR LIB_DIR: copy the POM's runtime dependencies into LIB_DIR.
# Downloads into a temp folder and renames it, so an interrupted fetch never
# leaves a half-filled lib/ that start would mistake for a complete one.
# A checksum of the POM is kept next to the jars: editing the POM (e.g. a
# version bump) makes lib_is_current false and the next start refetches.
fetch_jars() {
  local pom_dir="$1" lib="$2"
  need_mvn
  mkdir -p "$(dirname "$lib")"
  local tmp="$lib.partial.$$"
  rm -rf "$tmp"
  say "fetching $(basename "$pom_dir") jars from Maven Central into ${lib#"$INFRA_DIR"/} ..."
  # The sed drops the stray colour-reset codes Debian's Maven 3.8 prints even with -B.
  if ! mvn -q -B -f "$pom_dir/pom.xml" dependency:copy-dependencies \
        -DincludeScope=runtime -DoutputDirectory="$tmp" 2>&1 | sed 's/\x1b\[[0-9;]*m//g'; then
    rm -rf "$tmp"
    die "maven could not fetch the $(basename "$pom_dir") jars (see the maven output above)"
  fi
  pom_sum "$pom_dir" > "$tmp/.pom.sha256"
  rm -rf "$lib"
  # -T fails if another fetch put its lib/ in place meanwhile: keep theirs.
  mv -T "$tmp" "$lib" 2>/dev/null || rm -rf "$tmp"
  say "fetched $(find "$lib" -name '*.jar' | wc -l) jars ($(du -sh "$lib" | cut -f1))"
}

pom_sum() { sha256sum "$1/pom.xml" | cut -d' ' -f1; }

lib_is_current() { # POM_DIR LIB_DIR
  [[ -f "$2/.pom.sha256" && "$(cat "$2/.pom.sha256")" == "$(pom_sum "$1")" ]]
}

# pid_alive PIDFILE PATTERN: the pid in PIDFILE is running AND its command
# line contains PATTERN (guards against a stale pid reused by another program).
pid_alive() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null || return 1
  # (braces so a process exiting right now cannot print a redirect error)
  { tr '\0' ' ' < "/proc/$pid/cmdline"; } 2>/dev/null | grep -qF -- "$2"
}

# pid_running PIDFILE: the pid in PIDFILE is running, whatever its command line. For
# waiting on a process this script has just started: until the forked shell has exec'd
# the program, /proc/PID/cmdline still shows the script, and pid_alive would call a
# healthy start "exited" (seen on a loaded machine).
pid_running() {
  local pid
  [[ -f "$1" ]] || return 1
  pid="$(cat "$1" 2>/dev/null)"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  kill -0 "$pid" 2>/dev/null
}

# stop_pid NAME PIDFILE PATTERN GRACE_SECONDS: SIGTERM (lets Kafka shut down
# cleanly so the next start needs no log recovery), SIGKILL after the grace.
stop_pid() {
  local name="$1" pidfile="$2" pattern="$3" grace="$4" pid i
  if ! pid_alive "$pidfile" "$pattern"; then
    rm -f "$pidfile"
    say "$name is not running"
    return 0
  fi
  pid="$(cat "$pidfile")"
  say "stopping $name (pid $pid) ..."
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < grace * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    say "$name did not exit within ${grace}s, sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
    sleep 0.5
  fi
  rm -f "$pidfile"
  say "$name stopped"
}

# port_open PORT: something accepts TCP connections on 127.0.0.1:PORT.
# Uses bash's /dev/tcp so it needs no nc/ss.
port_open() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# check_port_free NAME PORT: refuse to start onto a port another program holds,
# since our server would then die with a bind error buried in its log.
check_port_free() {
  if port_open "$2"; then
    die "port $2 (for $1) is already in use by another program: stop it or pick another port (see infra/README.md)"
  fi
}

# show_log_tail FILE: last lines of a server log, to explain a failed start.
show_log_tail() {
  echo "---- last 40 lines of $1 ----" >&2
  tail -n 40 "$1" >&2 2>/dev/null || true
  echo "----" >&2
}
