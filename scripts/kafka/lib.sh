# Helpers shared by start.sh and stop.sh; sourced, not run.

# Prints the pid from <state>/kafka.pid when that process is still OUR broker. Checking the command
# line, not just `kill -0`, keeps a recycled pid from passing for a running broker.
running_broker_pid() {
  local state=$1 pid
  [[ -f "$state/kafka.pid" ]] || return 1
  pid="$(cat "$state/kafka.pid")"
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $state/server.properties" || return 1
  echo "$pid"
}

port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

# Copies kafka_2.13 and its runtime dependencies into <cache>/libs once. The marker file is written
# last, so an interrupted download is redone instead of leaving a broker with missing classes.
fetch_jars() {
  local pom=$1 version=$2 cache=$3
  [[ -f "$cache/libs/.complete" ]] && return 0
  echo "kafka: fetching Apache Kafka $version jars with Maven into $cache" >&2
  mkdir -p "$cache"
  local partial="$cache/libs.partial.$$"
  rm -rf "$partial"
  # Maven reports errors on stdout, among colour codes even with -q: keep its output for failures.
  mvn -q -B -f "$pom" -Dkafka.version="$version" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$partial" >"$cache/mvn.log" 2>&1 || {
    rm -rf "$partial"
    echo "kafka: Maven could not resolve org.apache.kafka:kafka_2.13:$version:" >&2
    cat "$cache/mvn.log" >&2
    return 1
  }
  touch "$partial/.complete"
  rm -rf "$cache/libs"
  mv "$partial" "$cache/libs"
}

write_server_properties() {
  local state=$1 host=$2 port=$3 controller_port=$4
  cat >"$state/server.properties" <<EOF
# Written by scripts/kafka/start.sh on every start: edit the script, not this file.
node.id=1
process.roles=broker,controller
listeners=PLAINTEXT://$host:$port,CONTROLLER://$host:$controller_port
advertised.listeners=PLAINTEXT://$host:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
controller.quorum.bootstrap.servers=$host:$controller_port
log.dirs=$state/data

# One node: internal topics and acks=all writes must be satisfied by a single replica.
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1

# Tests create topics explicitly (a typo must fail, not create a topic) and want groups to form at
# once. Small internal topics make the first group and the first idempotent producer start fast.
auto.create.topics.enable=false
num.partitions=1
group.initial.rebalance.delay.ms=0
offsets.topic.num.partitions=4
transaction.state.log.num.partitions=4
# Lets test consumers pick short session timeouts, so a crashed member is noticed in seconds.
group.min.session.timeout.ms=1000

# A 2-core machine shared with test runners: few threads, small index files.
num.network.threads=2
num.io.threads=2
background.threads=2
num.recovery.threads.per.data.dir=1
num.replica.fetchers=1
log.cleaner.threads=1
log.index.size.max.bytes=1048576
# Test topics are throwaway; keep a long session's data dir from growing without bound.
log.retention.hours=24
log.segment.bytes=67108864
offsets.retention.minutes=1440
EOF
}
