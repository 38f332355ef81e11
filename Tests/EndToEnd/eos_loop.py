#!/usr/bin/env python3
"""A consume-transform-produce loop with confluent-kafka transactions, aborting every 4th one.

    eos_loop.py BOOTSTRAP GROUP

Fills `lin` (2 partitions, 12 messages each), then consumes it in batches of up to 3 messages,
producing each to `lout` and staging the consumer's positions with send_offsets_to_transaction.
Every 4th transaction is aborted and the consumer seeks back to the last committed positions (the
documented recovery), so every message is processed until its transaction commits. Prints
`txn N commit|abort {p: offset}` per transaction and `final lin/P N` (the broker's committed
offsets read back by a fresh consumer).
"""
import sys
import time
from confluent_kafka import TopicPartition
import eos_common

bootstrap, group = sys.argv[1], sys.argv[2]
eos_common.create_topics(bootstrap, ("lin", 2), ("lout", 2))
eos_common.fill(bootstrap, "lin", 2, 12)
source = eos_common.consumer(bootstrap, group)
source.assign([TopicPartition("lin", p, 0) for p in range(2)])
sink = eos_common.producer(bootstrap, f"loop-{group}")
committed = {0: 0, 1: 0}
number = 0
deadline = time.time() + 60
while min(committed.values()) < 12 and time.time() < deadline:
    messages = [m for m in source.consume(3, 1.0) if m.error() is None]
    if not messages:
        continue
    number += 1
    sink.begin_transaction()
    positions = {}
    for message in messages:
        sink.produce("lout", value=message.value(), partition=message.partition())
        positions[message.partition()] = message.offset() + 1
    sink.send_offsets_to_transaction([TopicPartition("lin", p, o) for p, o in positions.items()],
                                     source.consumer_group_metadata(), 10)
    if number % 4 == 0:
        sink.abort_transaction(10)
        for p in positions:
            source.seek(TopicPartition("lin", p, committed[p]))
        print("txn", number, "abort", positions)
    else:
        sink.commit_transaction(10)
        committed.update(positions)
        print("txn", number, "commit", positions)
source.close()
eos_common.print_final(bootstrap, group, "lin", 2)
