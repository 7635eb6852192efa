#!/usr/bin/env bash
# Starts a single-node Apache Kafka (KRaft, broker+controller in one JVM) for tests and benchmarks,
# from Maven Central jars: no Docker, no tarball download.
#
#   scripts/kafka/start.sh            # from any cwd; prints KAFKA_BROKERS=127.0.0.1:9092 when ready
#   KAFKA_BROKERS=127.0.0.1:9092 bun test lib/broker/kafka.int.test.ts
#   scripts/kafka/stop.sh [--purge]   # --purge also deletes the data
#
# Idempotent: when the broker from the pid file is running it only waits until it answers, and jars
# already in the cache are used without running Maven. Concurrent calls are serialised by a lock.
#
# Environment (defaults in brackets):
#   KAFKA_VERSION        org.apache.kafka:kafka_2.13 version [4.2.2: the newest patch release in the
#                        range @platformatic/kafka is tested against; 4.3.1 passes too]
#   KAFKA_CACHE_DIR      where the jars go [$HOME/.cache/orderflow-kafka/<version>]
#   KAFKA_STATE_DIR      config, data, pid file and kafka.log [<repo>/.kafka]
#   KAFKA_PORT           client listener on 127.0.0.1 [9092]
#   KAFKA_CONTROLLER_PORT  KRaft controller listener on 127.0.0.1 [9093]
#   KAFKA_HEAP_OPTS      JVM heap [-Xms256m -Xmx512m]
#   KAFKA_START_TIMEOUT  seconds to wait for the broker to answer [120]
# Changing a port or the version of an existing state dir: stop.sh --purge first.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
version="${KAFKA_VERSION:-4.2.2}"
cache="${KAFKA_CACHE_DIR:-$HOME/.cache/orderflow-kafka/$version}"
state="${KAFKA_STATE_DIR:-$repo/.kafka}"
host=127.0.0.1
port="${KAFKA_PORT:-9092}"
controller_port="${KAFKA_CONTROLLER_PORT:-9093}"
heap="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
timeout="${KAFKA_START_TIMEOUT:-120}"
started_at=$SECONDS

mkdir -p "$state"
state="$(cd "$state" && pwd)"
exec 9>"$state/start.lock"
flock 9

# shellcheck source=scripts/kafka/lib.sh
source "$here/lib.sh"

healthy() { bun "$here/probe.ts" "$host:$port" 2000 2>/dev/null; }

# Waits until the broker answers metadata; on failure shows why and stops a half-started broker.
wait_until_healthy() {
  local pid=$1 deadline=$((SECONDS + timeout))
  until healthy; do
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "kafka: the broker (pid $pid) exited during startup; last lines of $state/kafka.log:" >&2
      tail -n 40 "$state/kafka.log" >&2 || true
      rm -f "$state/kafka.pid"
      exit 1
    fi
    if ((SECONDS > deadline)); then
      echo "kafka: no answer on $host:$port within ${timeout}s; last lines of $state/kafka.log:" >&2
      tail -n 40 "$state/kafka.log" >&2 || true
      kill "$pid" 2>/dev/null || true
      rm -f "$state/kafka.pid"
      exit 1
    fi
    sleep 0.3
  done
}

report_ready() {
  echo "kafka $version ready on $host:$port in $((SECONDS - started_at))s (pid $1, log $state/kafka.log)" >&2
  echo "KAFKA_BROKERS=$host:$port"
}

if pid="$(running_broker_pid "$state")"; then
  wait_until_healthy "$pid"
  report_ready "$pid"
  exit 0
fi
rm -f "$state/kafka.pid"
if port_open "$host" "$port" || port_open "$host" "$controller_port"; then
  echo "kafka: $host:$port or :$controller_port is taken by a process this script did not start (state $state)" >&2
  exit 1
fi

fetch_jars "$here/pom.xml" "$version" "$cache"
write_server_properties "$state" "$host" "$port" "$controller_port"
classpath="$cache/libs/*"

if [[ ! -f "$state/data/meta.properties" ]]; then
  # Kafka cluster ids are 16 random bytes in unpadded base64url. One that starts with "-" reads as
  # an option to the storage tool ("--cluster-id: expected one argument", 1 start in 64): draw
  # again, as Kafka's own Uuid.randomUuid does. Not `StorageTool random-uuid`: a second JVM start,
  # and it prints its log on standard output before the id (tried: the log ended up in cluster.id).
  cluster_id="-"
  while [[ "$cluster_id" == -* ]]; do
    cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  done
  # --standalone makes this node the only voter of a dynamic KRaft quorum (KIP-853).
  java -Xmx256m -XX:+UseSerialGC -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$classpath" \
    kafka.tools.StorageTool format --standalone --cluster-id "$cluster_id" \
    --config "$state/server.properties" >"$state/format.log" 2>&1 9>&- || {
    echo "kafka: formatting $state/data failed:" >&2
    cat "$state/format.log" >&2
    exit 1
  }
fi

[[ -f "$state/kafka.log" ]] && mv -f "$state/kafka.log" "$state/kafka.log.prev"
# SerialGC and a small heap: the box has 2 cores shared with test runners, and a test broker holds
# little data. setsid detaches the broker from the caller's terminal and process group, so ending
# the shell that started it does not end the broker; 9>&- keeps the start lock out of the broker,
# which would otherwise hold it for its whole life.
# shellcheck disable=SC2086
setsid java $heap -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData \
  -Djava.awt.headless=true -Dlog4j2.configurationFile="$here/log4j2.properties" \
  -cp "$classpath" kafka.Kafka "$state/server.properties" >"$state/kafka.log" 2>&1 </dev/null 9>&- &
pid=$!
echo "$pid" >"$state/kafka.pid"
wait_until_healthy "$pid"
report_ready "$pid"
