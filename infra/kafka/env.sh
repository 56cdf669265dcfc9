# Settings shared by the infra/kafka scripts. Sourced, never executed.
# shellcheck disable=SC2034  # variables are used by the scripts that source this file
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

KAFKA_HOME="$INFRA_DIR/kafka"                     # holds pom.xml
KAFKA_LIB="$INFRA_CACHE_DIR/kafka/lib"            # jars from Maven Central
KAFKA_STATE="$INFRA_STATE_DIR/kafka"
KAFKA_DATA="$KAFKA_STATE/data"                    # log.dirs (KRaft metadata + topics)
KAFKA_LOG="$KAFKA_STATE/kafka.log"                # broker stdout/stderr (log4j writes here too)
KAFKA_PIDFILE="$KAFKA_STATE/kafka.pid"
KAFKA_CONFIG="$KAFKA_STATE/server.properties"     # regenerated on every start
KAFKA_PORT="${TIDEMARK_KAFKA_PORT:-19092}"
KAFKA_CONTROLLER_PORT="${TIDEMARK_KAFKA_CONTROLLER_PORT:-19093}"
KAFKA_BOOTSTRAP="127.0.0.1:$KAFKA_PORT"
# Matched against /proc/PID/cmdline, so a reused pid is never mistaken for ours.
KAFKA_PATTERN="kafka.Kafka $KAFKA_CONFIG"
KAFKA_READY_TOPIC="__tidemark_ready"

# kafka_tool MAIN_CLASS ARGS...: run a Kafka CLI class from the fetched jars.
# Small heap and C1-only JIT: these JVMs live for a second or two, on a
# 2-core machine shared with the broker and the tests.
kafka_tool() {
  java -Xmx128m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC \
    -Dlog4j2.configurationFile="$KAFKA_STATE/tools-log4j2.properties" \
    -cp "$KAFKA_LIB/*" "$@"
}
