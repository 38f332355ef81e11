#!/usr/bin/env python3
"""A transactional consume-transform-produce loop whose consumer left enable.auto.commit on.

    eos_autocommit.py BOOTSTRAP GROUP

Fills `ain/0` with 12 messages; the consumer (auto-commit every 100 ms) consumes them in batches
of 3, each batch in a transaction staging the consumer's position; the 2nd transaction is
aborted and the consumer seeks back to the last committed position. Between steps it sleeps
past the auto-commit interval, so the consumer's auto-commits (plain OffsetCommit of its
position) land between the staged commits: a position reached in the aborted transaction is
auto-committed, then the seek back makes a lower one. Prints each step and `final ain/0 N`.
"""
import sys
import time
from confluent_kafka import TopicPartition
import eos_common

bootstrap, group = sys.argv[1], sys.argv[2]
eos_common.create_topics(bootstrap, ("ain", 1), ("aout", 1))
eos_common.fill(bootstrap, "ain", 1, 12)
source = eos_common.consumer(bootstrap, group, **{"enable.auto.commit": True, "auto.commit.interval.ms": 100})
source.assign([TopicPartition("ain", 0, 0)])
sink = eos_common.producer(bootstrap, f"auto-{group}")
committed, number = 0, 0
deadline = time.time() + 60
while committed < 12 and time.time() < deadline:
    messages = [m for m in source.consume(3, 1.0) if m.error() is None]
    if not messages:
        continue
    number += 1
    position = messages[-1].offset() + 1
    sink.begin_transaction()
    for message in messages:
        sink.produce("aout", value=message.value())
    sink.send_offsets_to_transaction([TopicPartition("ain", 0, position)], source.consumer_group_metadata(), 10)
    source.poll(0.4)  # the auto-commit of this position lands while the transaction is open
    if number == 2:
        sink.abort_transaction(10)
        source.seek(TopicPartition("ain", 0, committed))
        print("txn", number, "abort", position)
    else:
        sink.commit_transaction(10)
        committed = position
        print("txn", number, "commit", position)
source.close()
eos_common.print_final(bootstrap, group, "ain", 1)
