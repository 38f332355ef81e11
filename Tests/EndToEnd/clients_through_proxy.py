"""Real Kafka clients committing through `commitcheck proxy` (Tests/RecordingTests/ClientsThroughProxyTests.swift).

Each run creates its topic, commits through --bootstrap (the proxy, which records the wire) as the
scenario says with no instrumentation at all, reads the committed offsets back from --readback (the
broker itself, so that the read is not part of the trace), and prints one JSON line:
{"committed": {"topic/partition": offset}, "calls": N, "callbacks": [...]}.

  --client confluent   confluent-kafka (librdkafka)      --client aiokafka   aiokafka (asyncio)
  --client kafka-python  kafka-python, instrumented with shims/python (for commit_async)

  sync          one consumer commits (p, i) for i = 1..N on every partition, waiting for each
  async         the same without waiting (confluent: commit(asynchronous=True) once the group
                coordinator is known; aiokafka: N commit() tasks at once; kafka-python:
                commit_async()), then waits for every completion
  threads       one consumer shared by one thread (confluent) or task (aiokafka) per partition, each
                committing its own partition's offsets 1..N, waiting for each
  after-assign  confluent only: librdkafka's reordering: assign() two partitions, then
                commit(offsets=[(p0, i), (p1, 10*i)], asynchronous=True) for i = 1..N in a tight
                loop right after assign(); on_commit callbacks record the order librdkafka
                reports them in
"""

import argparse
import asyncio
import json
import os
import sys
import threading
import time

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--bootstrap", required=True, help="the proxy")
parser.add_argument("--readback", required=True, help="the broker, for reading the committed offsets back")
parser.add_argument("--client", choices=["confluent", "aiokafka", "kafka-python"], required=True)
parser.add_argument("--scenario", choices=["sync", "async", "threads", "after-assign"], required=True)
parser.add_argument("--topic", required=True)
parser.add_argument("--group", required=True)
parser.add_argument("--partitions", type=int, default=4)
parser.add_argument("--commits", type=int, default=20, help="commits per partition (or loop turns)")
parser.add_argument("--pause-ms", type=float, default=0, help="after-assign: pause between commits")
parser.add_argument("--client-trace", help="kafka-python: where the Python shim writes its trace")
args = parser.parse_args()


def create_topic():
    from kafka import KafkaAdminClient
    from kafka.admin import NewTopic

    admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=10000)
    admin.create_topics([NewTopic(args.topic, args.partitions, 1)])
    admin.close()


def read_back():
    """The group's committed offsets, asked of the broker directly."""
    from kafka import KafkaConsumer, TopicPartition

    reader = KafkaConsumer(bootstrap_servers=args.readback, group_id=args.group, enable_auto_commit=False)
    committed = {key(p): reader.committed(TopicPartition(args.topic, p)) for p in range(args.partitions)}
    reader.close(autocommit=False)
    return committed


def key(partition):
    return "%s/%d" % (args.topic, partition)


def report(committed, calls, callbacks=()):
    print(json.dumps({"committed": committed, "calls": calls, "callbacks": list(callbacks)}), flush=True)


# -- confluent-kafka ---------------------------------------------------------------------------------

def confluent():
    from confluent_kafka import Consumer, TopicPartition

    callbacks = []
    lock = threading.Lock()

    def on_commit(error, partitions):
        with lock:
            callbacks.append({"error": str(error) if error else None,
                              "offsets": {key(p.partition): p.offset for p in partitions}})

    consumer = Consumer({
        "bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False,
        "on_commit": on_commit, "broker.address.family": "v4",
    })
    partitions = list(range(args.partitions))
    consumer.assign([TopicPartition(args.topic, p) for p in partitions])
    calls = 0
    if args.scenario == "after-assign":
        for i in range(1, args.commits + 1):
            consumer.commit(offsets=[TopicPartition(args.topic, 0, i), TopicPartition(args.topic, 1, 10 * i)],
                            asynchronous=True)
            calls += 1
            if args.pause_ms:
                time.sleep(args.pause_ms / 1000)
    elif args.scenario == "sync":
        for i in range(1, args.commits + 1):
            consumer.commit(offsets=[TopicPartition(args.topic, p, i) for p in partitions], asynchronous=False)
            calls += 1
    elif args.scenario == "async":
        # A first synchronous commit makes the group coordinator known; the reordering right
        # after assign() is the after-assign scenario's.
        consumer.commit(offsets=[TopicPartition(args.topic, p, 0) for p in partitions], asynchronous=False)
        calls += 1
        for i in range(1, args.commits + 1):
            consumer.commit(offsets=[TopicPartition(args.topic, p, i) for p in partitions], asynchronous=True)
            calls += 1
    else:
        def worker(p):
            for i in range(1, args.commits + 1):
                consumer.commit(offsets=[TopicPartition(args.topic, p, i)], asynchronous=False)
        threads = [threading.Thread(target=worker, args=(p,)) for p in partitions]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        calls = args.partitions * args.commits
    # Wait for every commit's on_commit callback (served by poll()); synchronous commits do not
    # call it for every librdkafka version, so bound the wait.
    deadline = time.time() + (30 if args.scenario in ("async", "after-assign") else 2)
    while time.time() < deadline:
        consumer.poll(0.1)
        with lock:
            if len(callbacks) >= calls:
                break
    consumer.close()
    report(read_back(), calls, callbacks)


# -- aiokafka ----------------------------------------------------------------------------------------

async def aiokafka_main():
    from aiokafka import AIOKafkaConsumer, TopicPartition

    consumer = AIOKafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group, enable_auto_commit=False)
    await consumer.start()
    try:
        tps = [TopicPartition(args.topic, p) for p in range(args.partitions)]
        consumer.assign(tps)
        calls = 0
        if args.scenario == "sync":
            for i in range(1, args.commits + 1):
                await consumer.commit({tp: i for tp in tps})
                calls += 1
        elif args.scenario == "async":
            results = await asyncio.gather(*[consumer.commit({tp: i for tp in tps}) for i in range(1, args.commits + 1)],
                                           return_exceptions=True)
            calls = len(results)
            errors = [repr(r) for r in results if isinstance(r, BaseException)]
            if errors:
                print("commit errors:", errors, file=sys.stderr)
        elif args.scenario == "threads":
            async def task(tp):
                for i in range(1, args.commits + 1):
                    await consumer.commit({tp: i})
            await asyncio.gather(*[task(tp) for tp in tps])
            calls = args.partitions * args.commits
        else:
            raise SystemExit("after-assign is a confluent-kafka scenario")
        report(read_back(), calls)
    finally:
        await consumer.stop()


# -- kafka-python with the Python shim -----------------------------------------------------------------

def kafka_python():
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shims", "python"))
    from commitcheck_recorder import Recorder, instrument
    from kafka import KafkaConsumer, TopicPartition
    from kafka.structs import OffsetAndMetadata

    if args.scenario != "async":
        raise SystemExit("kafka-python runs the async scenario (commit_async through the shim)")
    recorder = Recorder(proc="kafka-python-%d" % os.getpid(), out=args.client_trace)
    consumer = instrument(KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                                        enable_auto_commit=False), recorder)
    tps = [TopicPartition(args.topic, p) for p in range(args.partitions)]
    consumer.assign(tps)
    # A first synchronous commit finds the group coordinator, as a consume loop's first commit does.
    consumer.commit({tp: OffsetAndMetadata(0, "", -1) for tp in tps})
    done = []
    futures = []
    for i in range(1, args.commits + 1):
        futures.append(consumer.commit_async({tp: OffsetAndMetadata(i, "", -1) for tp in tps},
                                             callback=lambda offsets, response: done.append(response)))
    # Completion callbacks run inside poll(): poll until every one has run.
    deadline = time.time() + 30
    while len(done) < args.commits and time.time() < deadline:
        consumer.poll(timeout_ms=100)
    consumer.close(autocommit=False)
    recorder.close()
    report(read_back(), args.commits, [("ok" if not isinstance(r, BaseException) else type(r).__name__) for r in done])


create_topic()
if args.client == "confluent":
    confluent()
elif args.client == "aiokafka":
    asyncio.run(aiokafka_main())
else:
    kafka_python()
