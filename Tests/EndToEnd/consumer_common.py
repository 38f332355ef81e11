"""What the racy and the fixed consumer share: a Sarama-like consumer group in kafka-python.

One worker thread per partition consumes its partition and marks each message in a shared offset
book (like Sarama's offset manager); every few messages it commits. Each worker has its own
KafkaConsumer (its own connection), as Sarama's goroutines race on separate requests.
"""

import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shims", "python"))

from commitcheck_recorder import Recorder, instrument  # noqa: E402
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402


def arguments(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--bootstrap", required=True)
    parser.add_argument("--topic", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--partitions", type=int, default=4)
    parser.add_argument("--messages", type=int, default=40, help="per partition")
    parser.add_argument("--commit-every", type=int, default=4)
    parser.add_argument("--collector", help="HOST:PORT or unix:PATH of `commitcheck record`")
    parser.add_argument("--out", help="write the trace to this file instead")
    parser.add_argument("--seed", type=int, default=1)
    return parser.parse_args()


class OffsetBook:
    """The next offset to commit per partition; only ever grows."""

    def __init__(self):
        self._lock = threading.Lock()
        self._offsets = {}
        self.commit_lock = threading.Lock()

    def mark(self, tp, next_offset):
        with self._lock:
            self._offsets[tp] = max(self._offsets.get(tp, 0), next_offset)

    def snapshot(self):
        with self._lock:
            return dict(self._offsets)


def produce(args):
    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=10000)
    try:
        admin.create_topics([NewTopic(args.topic, args.partitions, 1)])
    except Exception as error:  # an existing topic is fine
        print("create_topics:", error, file=sys.stderr)
    admin.close()
    producer = KafkaProducer(bootstrap_servers=args.bootstrap)
    for partition in range(args.partitions):
        for i in range(args.messages):
            producer.send(args.topic, b"message %d" % i, partition=partition)
    producer.flush(timeout=30)
    producer.close()


def run(args, commit):
    """Produces, consumes with one worker per partition calling commit(worker_consumer, recorder, book),
    then reads the committed offsets back through an instrumented consumer."""
    random.seed(args.seed)
    produce(args)
    proc = "%s-%d" % (os.path.basename(sys.argv[0]).rsplit(".", 1)[0], os.getpid())
    recorder = Recorder(proc=proc, address=args.collector) if args.collector else Recorder(proc=proc, out=args.out)
    book = OffsetBook()
    failures = []

    def worker(partition):
        tp = TopicPartition(args.topic, partition)
        consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                                 enable_auto_commit=False, consumer_timeout_ms=10000)
        try:
            consumer.assign([tp])
            consumer.seek_to_beginning(tp)
            seen = 0
            deadline = time.time() + 30
            while seen < args.messages and time.time() < deadline:
                for records in consumer.poll(timeout_ms=500).values():
                    for record in records:
                        time.sleep(0.0005)  # "processing"
                        book.mark(tp, record.offset + 1)
                        seen += 1
                        if seen % args.commit_every == 0 or seen == args.messages:
                            commit(consumer, recorder, book)
            if seen < args.messages:
                failures.append("partition %d: consumed %d of %d" % (partition, seen, args.messages))
        except Exception as error:
            failures.append("partition %d: %r" % (partition, error))
        finally:
            consumer.close(autocommit=False)

    threads = [threading.Thread(target=worker, args=(p,), name="worker-%d" % p) for p in range(args.partitions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    reader = instrument(KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                                      enable_auto_commit=False), recorder)
    committed = {p: reader.committed(TopicPartition(args.topic, p)) for p in range(args.partitions)}
    reader.close(autocommit=False)
    recorder.close()
    print("committed:", committed)
    if failures:
        print("failures:", failures, file=sys.stderr)
        sys.exit(1)


def to_request(snapshot):
    return {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in snapshot.items()}
