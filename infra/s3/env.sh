# Settings shared by the infra/s3 scripts. Sourced, never executed.
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

S3_HOME="$INFRA_DIR/s3"                       # holds pom.xml
S3_LIB="$INFRA_CACHE_DIR/s3/lib"              # jars from Maven Central
S3_STATE="$INFRA_STATE_DIR/s3"
S3_DATA="$S3_STATE/data"                      # filesystem backend: one directory per bucket
S3_LOG="$S3_STATE/s3proxy.log"
S3_PIDFILE="$S3_STATE/s3proxy.pid"
S3_CONFIG="$S3_STATE/s3proxy.conf"            # regenerated on every start
S3_PORT="${TIDEMARK_S3_PORT:-19000}"
S3_ACCESS_KEY="${TIDEMARK_S3_ACCESS_KEY:-tidemark}"
S3_SECRET_KEY="${TIDEMARK_S3_SECRET_KEY:-tidemark-secret}"
S3_BUCKET="${TIDEMARK_S3_BUCKET:-tidemark-archive}"
S3_ENDPOINT="http://127.0.0.1:$S3_PORT"
# Matched against /proc/PID/cmdline, so a reused pid is never mistaken for ours.
S3_PATTERN="org.gaul.s3proxy.Main --properties $S3_CONFIG"
