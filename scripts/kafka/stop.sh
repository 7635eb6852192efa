#!/usr/bin/env bash
# Stops the broker started by scripts/kafka/start.sh (same KAFKA_STATE_DIR, default <repo>/.kafka).
#
#   scripts/kafka/stop.sh           # keeps topics and offsets for the next start
#   scripts/kafka/stop.sh --purge   # also deletes the state dir: the next start formats a new cluster
#
# Exits 0 when no broker was running. Sends SIGTERM first so the broker shuts down cleanly (no log
# recovery on the next start), SIGKILL only after KAFKA_STOP_TIMEOUT seconds [30].
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
state="${KAFKA_STATE_DIR:-$repo/.kafka}"
timeout="${KAFKA_STOP_TIMEOUT:-30}"
[[ -d "$state" ]] && state="$(cd "$state" && pwd)"

# shellcheck source=scripts/kafka/lib.sh
source "$here/lib.sh"

if pid="$(running_broker_pid "$state")"; then
  kill -TERM "$pid"
  deadline=$((SECONDS + timeout))
  while kill -0 "$pid" 2>/dev/null; do
    if ((SECONDS > deadline)); then
      echo "kafka: pid $pid still running after ${timeout}s, killing it" >&2
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  echo "kafka: stopped pid $pid" >&2
else
  echo "kafka: no broker running for $state" >&2
fi
rm -f "$state/kafka.pid"

if [[ "${1:-}" == "--purge" ]]; then
  rm -rf "$state"
  echo "kafka: deleted $state" >&2
fi
