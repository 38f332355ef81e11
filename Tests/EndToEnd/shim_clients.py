"""Clients instrumented with the installed Python shim (`pip install ./shims/python`), against a
real broker (Tests/RecordingTests/ShimPackageTests.swift runs it in a fresh virtual environment).

    shim_clients.py --client CLIENT --bootstrap HOST:PORT --topic T --group G --out trace.jsonl

  confluent        confluent-kafka Consumer: one thread consumes 2 partitions, commits
                   synchronously and asynchronously (an on_commit of its own, which must still
                   run), then reads the committed offsets back with committed()
  confluent-burst  confluent-kafka Consumer: 20 asynchronous commits in a row (several in flight at
                   once), then every on_commit; reports the offsets in the order on_commit saw them
  aiokafka         AIOKafkaConsumer: the same with await commit() and committed()
  confluent-txn    confluent-kafka Producer: transactions staging 3 (commit), 10 (abort), 5
                   (commit), 2 (abort) for partition 0, then a producer fenced by a second one
  kafka-python-txn kafka-python KafkaProducer: the same four transactions
  resets           seek-back-and-commit with each consumer: confluent and kafka-python with
                   resets=True, aiokafka with resets=False, plus mark_reset

Prints one JSON line: what the run saw (the broker's committed offsets read back by an
uninstrumented client, callback counts, errors), for the test to compare with the trace.
"""

import argparse
import asyncio
import json
import sys
import time

import commitcheck_recorder
from commitcheck_recorder import Recorder, instrument, mark_reset

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--client", required=True,
                    choices=["confluent", "confluent-burst", "aiokafka", "confluent-txn", "kafka-python-txn", "resets"])
parser.add_argument("--bootstrap", required=True)
parser.add_argument("--topic", required=True)
parser.add_argument("--group", required=True)
parser.add_argument("--out", required=True)
parser.add_argument("--messages", type=int, default=30, help="per partition")
args = parser.parse_args()
PARTITIONS = 2


def create_topics(*topics):
    from confluent_kafka.admin import AdminClient, NewTopic
    admin = AdminClient({"bootstrap.servers": args.bootstrap})
    for topic, future in admin.create_topics([NewTopic(t, PARTITIONS, 1) for t in topics]).items():
        try:
            future.result(30)
        except Exception as error:  # already there
            print("create_topics", topic, error, file=sys.stderr)


def produce(topic):
    from confluent_kafka import Producer
    producer = Producer({"bootstrap.servers": args.bootstrap})
    for partition in range(PARTITIONS):
        for i in range(args.messages):
            producer.produce(topic, b"message %d" % i, partition=partition)
    producer.flush(30)


def read_back(group, topic):
    """The group's committed offsets, asked by an uninstrumented client (not in the trace)."""
    from confluent_kafka import Consumer, TopicPartition
    reader = Consumer({"bootstrap.servers": args.bootstrap, "group.id": group, "enable.auto.commit": False})
    try:
        answer = reader.committed([TopicPartition(topic, p) for p in range(PARTITIONS)], 30)
        return {"%s/%d" % (tp.topic, tp.partition): tp.offset for tp in answer}
    finally:
        reader.close()


def report(**fields):
    fields["shim"] = commitcheck_recorder.__file__
    print(json.dumps(fields), flush=True)


# -- confluent-kafka consumer -------------------------------------------------------------------------

def confluent():
    import confluent_kafka
    from confluent_kafka import TopicPartition
    create_topics(args.topic)
    produce(args.topic)
    recorder = Recorder(proc="confluent", out=args.out)
    Consumer = instrument(confluent_kafka.Consumer, recorder)
    own_callbacks = []
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False,
                         "auto.offset.reset": "earliest", "on_commit": lambda error, parts: own_callbacks.append(
                             [str(error) if error else None, [(p.partition, p.offset) for p in parts]])})
    consumer.assign([TopicPartition(args.topic, p) for p in range(PARTITIONS)])
    seen, turns, sync_commits, async_commits = 0, 0, 0, 0

    def wait_for_callbacks():
        """Polls, with consumption paused, until every asynchronous commit's on_commit ran: one
        commit in flight at a time keeps the commits in order."""
        nonlocal seen
        assignment = consumer.assignment()
        consumer.pause(assignment)
        deadline = time.time() + 30
        while len(own_callbacks) < async_commits and time.time() < deadline:
            message = consumer.poll(0.1)
            if message is not None and not message.error():
                seen += 1
        consumer.resume(assignment)

    deadline = time.time() + 60
    while seen < PARTITIONS * args.messages and time.time() < deadline:
        message = consumer.poll(0.5)
        if message is None or message.error():
            continue
        seen += 1
        turns += 1  # counts only messages this loop polled, so that the commits come at a steady rate
        if turns % 10 == 0:
            consumer.commit(asynchronous=False)       # the stored offsets, as librdkafka would
            sync_commits += 1
        elif turns % 5 == 0:
            consumer.commit(message=message, asynchronous=True)
            async_commits += 1
            wait_for_callbacks()
        elif turns % 3 == 0:
            consumer.commit(offsets=[TopicPartition(message.topic(), message.partition(), message.offset() + 1)],
                            asynchronous=True)
            async_commits += 1
            wait_for_callbacks()
    consumer.commit(asynchronous=False)
    sync_commits += 1
    committed = consumer.committed([TopicPartition(args.topic, p) for p in range(PARTITIONS)], 30)
    consumer.close()
    recorder.close()
    report(seen=seen, sync_commits=sync_commits, async_commits=async_commits, own_callbacks=len(own_callbacks),
           committed={"%s/%d" % (tp.topic, tp.partition): tp.offset for tp in committed},
           broker=read_back(args.group, args.topic), instrumented_class=Consumer.__name__)


def confluent_burst():
    import confluent_kafka
    from confluent_kafka import TopicPartition
    create_topics(args.topic)
    produce(args.topic)
    recorder = Recorder(proc="confluent-burst", out=args.out)
    Consumer = instrument(confluent_kafka.Consumer, recorder)
    order = []
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False,
                         "on_commit": lambda error, parts: order.append([p.offset for p in parts])})
    consumer.assign([TopicPartition(args.topic, 0)])
    consumer.committed([TopicPartition(args.topic, 0)], 30)                          # waits for the coordinator
    consumer.commit(offsets=[TopicPartition(args.topic, 0, 0)], asynchronous=False)
    for i in range(1, 21):
        consumer.commit(offsets=[TopicPartition(args.topic, 0, i)], asynchronous=True)
    deadline = time.time() + 30
    while len(order) < 20 and time.time() < deadline:
        consumer.poll(0.1)
    consumer.close()
    recorder.close()
    report(callback_order=order, broker=read_back(args.group, args.topic))


# -- aiokafka consumer ----------------------------------------------------------------------------------

async def aiokafka_main():
    from aiokafka import AIOKafkaConsumer, TopicPartition
    create_topics(args.topic)
    produce(args.topic)
    recorder = Recorder(proc="aiokafka", out=args.out)
    consumer = instrument(AIOKafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                                           enable_auto_commit=False, auto_offset_reset="earliest"), recorder)
    await consumer.start()
    commits = 0
    try:
        tps = [TopicPartition(args.topic, p) for p in range(PARTITIONS)]
        consumer.assign(tps)
        seen = 0
        deadline = time.time() + 60
        while seen < PARTITIONS * args.messages and time.time() < deadline:
            batches = await consumer.getmany(timeout_ms=500)
            for tp, records in batches.items():
                for record in records:
                    seen += 1
                    if seen % 7 == 0:
                        await consumer.commit({tp: record.offset + 1})   # this record's partition
                        commits += 1
            if batches:
                await consumer.commit()                                   # every consumed position
                commits += 1
        committed = {"%s/%d" % (tp.topic, tp.partition): await consumer.committed(tp) for tp in tps}
    finally:
        await consumer.stop()
    recorder.close()
    report(seen=seen, commits=commits, committed=committed, broker=read_back(args.group, args.topic))


# -- transactions -----------------------------------------------------------------------------------------

STEPS = ((3, True), (10, False), (5, True), (2, False))


def confluent_txn():
    import confluent_kafka
    from confluent_kafka import KafkaException, TopicPartition
    out_topic = args.topic + "-out"
    create_topics(args.topic, out_topic)
    recorder = Recorder(proc="confluent-txn", out=args.out)
    Consumer = instrument(confluent_kafka.Consumer, recorder)
    Producer = instrument(confluent_kafka.Producer, recorder)
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group, "enable.auto.commit": False})
    consumer.assign([TopicPartition(args.topic, 0)])
    transactional_id = "eos-" + args.group
    producer = Producer({"bootstrap.servers": args.bootstrap, "transactional.id": transactional_id})
    producer.init_transactions(30)
    seen_after = []
    for offset, commit in STEPS:
        producer.begin_transaction()
        producer.produce(out_topic, value=b"v", partition=0)
        producer.send_offsets_to_transaction([TopicPartition(args.topic, 0, offset)], consumer.consumer_group_metadata(), 30)
        (producer.commit_transaction if commit else producer.abort_transaction)(30)
        seen_after.append(consumer.committed([TopicPartition(args.topic, 0)], 30)[0].offset)
    # A second producer with the same transactional id fences the first mid-transaction.
    producer.begin_transaction()
    producer.produce(out_topic, value=b"v", partition=0)
    producer.send_offsets_to_transaction([TopicPartition(args.topic, 0, 20)], consumer.consumer_group_metadata(), 30)
    rival = confluent_kafka.Producer({"bootstrap.servers": args.bootstrap, "transactional.id": transactional_id})
    rival.init_transactions(30)
    fenced = fenced_retriable = fenced_abort = None
    try:
        producer.commit_transaction(10)
    except KafkaException as error:
        fenced = error.args[0].name()
        fenced_retriable = error.args[0].retriable()
        fenced_abort = error.args[0].txn_requires_abort()
    seen_after.append(consumer.committed([TopicPartition(args.topic, 0)], 30)[0].offset)
    consumer.close()
    recorder.close()
    report(seen_after=seen_after, fenced=fenced, fenced_retriable=fenced_retriable, fenced_abort=fenced_abort, broker=read_back(args.group, args.topic),
           transactional_id=transactional_id)


def kafka_python_txn():
    from kafka import KafkaConsumer, KafkaProducer, TopicPartition
    from kafka.structs import OffsetAndMetadata
    out_topic = args.topic + "-out"
    create_topics(args.topic, out_topic)
    recorder = Recorder(proc="kafka-python-txn", out=args.out)
    transactional_id = "eos-" + args.group
    producer = instrument(KafkaProducer(bootstrap_servers=args.bootstrap, transactional_id=transactional_id), recorder)
    producer.init_transactions()
    consumer = instrument(KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group,
                                        enable_auto_commit=False), recorder)
    tp = TopicPartition(args.topic, 0)
    seen_after = []
    for offset, commit in STEPS:
        producer.begin_transaction()
        producer.send(out_topic, b"v", partition=0)
        producer.send_offsets_to_transaction({tp: OffsetAndMetadata(offset, "", -1)}, args.group)
        (producer.commit_transaction if commit else producer.abort_transaction)()
        seen_after.append(_offset_of(consumer.committed(tp)))
    producer.close()
    consumer.close(autocommit=False)
    recorder.close()
    report(seen_after=seen_after, broker=read_back(args.group, args.topic), transactional_id=transactional_id)


def _offset_of(value):
    return None if value is None else int(getattr(value, "offset", value))


# -- resets -------------------------------------------------------------------------------------------------

def resets():
    """Each client commits 12 on partition 0, seeks back to the beginning, commits 4; then commits
    8 with no seek (not a reset); the confluent consumer also marks one commit explicitly."""
    import confluent_kafka
    from confluent_kafka import TopicPartition as CTP
    from kafka import KafkaConsumer, TopicPartition as KTP
    from kafka.structs import OffsetAndMetadata
    create_topics(args.topic)
    produce(args.topic)
    recorder = Recorder(proc="resets", out=args.out)
    outcome = {}

    Consumer = instrument(confluent_kafka.Consumer, recorder, resets=True)
    consumer = Consumer({"bootstrap.servers": args.bootstrap, "group.id": args.group + "-confluent",
                         "enable.auto.commit": False})
    consumer.assign([CTP(args.topic, 0, confluent_kafka.OFFSET_BEGINNING), CTP(args.topic, 1, confluent_kafka.OFFSET_BEGINNING)])
    deadline = time.time() + 30
    consumed = 0
    while consumed < 12 and time.time() < deadline:   # librdkafka seeks only a partition it fetches
        message = consumer.poll(0.5)
        if message is not None and not message.error() and message.partition() == 0:
            consumed += 1
    consumer.commit(offsets=[CTP(args.topic, 0, 12)], asynchronous=False)
    consumer.seek(CTP(args.topic, 0, 0))
    consumer.commit(offsets=[CTP(args.topic, 0, 4)], asynchronous=False)      # reset (sought, lower)
    consumer.commit(offsets=[CTP(args.topic, 0, 3)], asynchronous=False)      # no seek since: not a reset
    consumer.commit(offsets=[CTP(args.topic, 1, 6)], asynchronous=False)
    mark_reset(consumer, [CTP(args.topic, 1)])
    consumer.commit(offsets=[CTP(args.topic, 1, 2)], asynchronous=False)      # marked
    consumer.close()
    outcome["confluent"] = read_back(args.group + "-confluent", args.topic)

    kafka_consumer = instrument(KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group + "-kafka-python",
                                              enable_auto_commit=False), recorder, resets=True)
    tp = KTP(args.topic, 0)
    kafka_consumer.assign([tp])
    kafka_consumer.commit({tp: OffsetAndMetadata(12, "", -1)})
    kafka_consumer.seek_to_beginning(tp)
    kafka_consumer.commit({tp: OffsetAndMetadata(4, "", -1)})                 # reset
    kafka_consumer.seek(tp, 20)
    kafka_consumer.commit({tp: OffsetAndMetadata(20, "", -1)})                # sought forward: not a reset
    kafka_consumer.close(autocommit=False)
    outcome["kafka-python"] = read_back(args.group + "-kafka-python", args.topic)

    async def aiokafka_part():
        from aiokafka import AIOKafkaConsumer, TopicPartition as ATP
        aio = instrument(AIOKafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group + "-aiokafka",
                                          enable_auto_commit=False), recorder)       # resets off
        await aio.start()
        try:
            atp = ATP(args.topic, 0)
            aio.assign([atp])
            await aio.commit({atp: 12})
            await aio.seek_to_beginning(atp)
            await aio.commit({atp: 4})                                          # resets off: a plain commit
            mark_reset(aio)
            await aio.commit({atp: 1})                                          # marked
        finally:
            await aio.stop()

    asyncio.run(aiokafka_part())
    outcome["aiokafka"] = read_back(args.group + "-aiokafka", args.topic)
    recorder.close()
    report(broker=outcome)


if args.client == "confluent":
    confluent()
elif args.client == "confluent-burst":
    confluent_burst()
elif args.client == "aiokafka":
    asyncio.run(aiokafka_main())
elif args.client == "confluent-txn":
    confluent_txn()
elif args.client == "kafka-python-txn":
    kafka_python_txn()
else:
    resets()
