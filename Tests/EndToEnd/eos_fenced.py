#!/usr/bin/env python3
"""A transactional producer fenced mid-transaction by a second one with the same transactional id.

    eos_fenced.py BOOTSTRAP GROUP

The first producer stages `tin3/0` = 7 and does not commit; the second calls init_transactions
with the same transactional id (fencing the first, whose open transaction the coordinator must
abort); the first then tries to commit and prints what it got (`first commit: ERROR` or
`first commit: ok`). A read between prints `after fence N`; the second producer then commits 9.
Prints `final tin3/0 N`.
"""
import sys
from confluent_kafka import KafkaException, TopicPartition
import eos_common

bootstrap, group = sys.argv[1], sys.argv[2]
eos_common.create_topics(bootstrap, ("tin3", 1), ("tout3", 1))
reader = eos_common.consumer(bootstrap, group)
metadata = reader.consumer_group_metadata()
first = eos_common.producer(bootstrap, f"fence-{group}")
first.begin_transaction()
first.produce("tout3", value=b"first")
first.send_offsets_to_transaction([TopicPartition("tin3", 0, 7)], metadata, 10)
second = eos_common.producer(bootstrap, f"fence-{group}")
try:
    first.commit_transaction(5)
    print("first commit: ok")
except KafkaException as error:
    print("first commit:", error.args[0].name())
print("after fence", reader.committed([TopicPartition("tin3", 0)], 10)[0].offset)
second.begin_transaction()
second.produce("tout3", value=b"second")
second.send_offsets_to_transaction([TopicPartition("tin3", 0, 9)], metadata, 10)
second.commit_transaction(10)
reader.close()
eos_common.print_final(bootstrap, group, "tin3", 1)
