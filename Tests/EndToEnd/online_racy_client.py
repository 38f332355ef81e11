"""A racy committer against `commitcheck proxy --verify` (Tests/RecordingTests/OnlineVerifyTests.swift).

Two worker threads share one confluent-kafka consumer and commit every partition's offsets from
snapshots they take without a lock spanning snapshot and send (the Sarama #2940 shape); the
stale-snapshot thread's commit reaches the broker after a newer one at least once, because it is
made to: the first round sends a snapshot taken before the other thread's newer commit was acked.
The client keeps committing (rising offsets) until the proxy's findings file names a `violated`
key, then scrapes the proxy's metrics endpoint, parses the page with prometheus_client's text
parser, and prints one JSON line:

  {"regressedAt": t, "foundAt": t, "stoppedAt": t, "finding": {...}, "metrics": {"name{labels}": value}}

(times are time.time(); foundAt is null when no finding came within --seconds).
"""

import argparse
import json
import threading
import time
import urllib.request

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--bootstrap", required=True, help="the proxy")
parser.add_argument("--topic", required=True)
parser.add_argument("--group", required=True)
parser.add_argument("--findings", required=True, help="the proxy's --findings file")
parser.add_argument("--metrics", required=True, help="the proxy's --metrics HOST:PORT")
parser.add_argument("--seconds", type=float, default=30, help="give up waiting for the finding after this")
args = parser.parse_args()


def create_topic():
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=10000)
    admin.create_topics([NewTopic(args.topic, 2, 1)])
    admin.close()


def violated_finding():
    try:
        with open(args.findings) as lines:
            for line in lines:
                finding = json.loads(line)
                if finding.get("verdict") == "violated":
                    return finding
    except (OSError, ValueError):
        return None
    return None


def scrape():
    from prometheus_client.parser import text_string_to_metric_families

    page = urllib.request.urlopen("http://%s/metrics" % args.metrics, timeout=10).read().decode()
    values = {}
    for family in text_string_to_metric_families(page):
        for sample in family.samples:
            labels = ",".join("%s=%s" % item for item in sorted(sample.labels.items()))
            values[sample.name + ("{%s}" % labels if labels else "")] = sample.value
    return values


def main():
    from confluent_kafka import Consumer, TopicPartition

    create_topic()
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group,
                         "enable.auto.commit": False, "broker.address.family": "v4"})
    consumer.assign([TopicPartition(args.topic, p) for p in (0, 1)])
    book = {0: 0, 1: 0}
    lock = threading.Lock()

    def commit(snapshot):
        consumer.commit(offsets=[TopicPartition(args.topic, p, o) for p, o in snapshot.items()], asynchronous=False)

    # The race, made to happen: a snapshot taken, then another thread's newer commit goes through,
    # then the stale snapshot is sent (nothing held between snapshot and send).
    stale = dict(book)
    stale[0] = 5
    with lock:
        book[0] = 10
        newer = dict(book)
    done = threading.Event()
    threading.Thread(target=lambda: (commit(newer), done.set())).start()
    done.wait(30)
    commit(stale)
    regressed_at = time.time()

    found_at, finding = None, None
    deadline = time.time() + args.seconds
    turn = 0
    while time.time() < deadline:
        turn += 1
        with lock:
            book[0] += 1
            book[1] += 1
            snapshot = dict(book)
        commit(snapshot)
        if turn % 10 == 0 or found_at is None:
            finding = violated_finding()
            if finding and found_at is None:
                found_at = time.time()
                # Keep going a little: the finding must come while the client still runs.
                deadline = min(deadline, found_at + 1.0)
        time.sleep(0.01)
    metrics = scrape()
    stopped_at = time.time()
    consumer.close()
    print(json.dumps({"regressedAt": regressed_at, "foundAt": found_at, "stoppedAt": stopped_at,
                      "finding": finding, "metrics": metrics, "turns": turn}), flush=True)


if __name__ == "__main__":
    main()
