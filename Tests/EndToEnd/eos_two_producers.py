#!/usr/bin/env python3
"""Two transactional producers (different transactional ids) commit offsets of one group's partition.

    eos_two_producers.py BOOTSTRAP GROUP

An application bug: producer `two-a-GROUP` commits `tin2/0` = 10, then producer `two-b-GROUP`
(which thinks it owns the partition too) commits 4, so the committed offset goes back. Prints
`committed N` after each and `final tin2/0 N`.
"""
import sys
from confluent_kafka import TopicPartition
import eos_common

bootstrap, group = sys.argv[1], sys.argv[2]
eos_common.create_topics(bootstrap, ("tin2", 1), ("tout2", 1))
reader = eos_common.consumer(bootstrap, group)
metadata = reader.consumer_group_metadata()
for name, offset in (("a", 10), ("b", 4)):
    producer = eos_common.producer(bootstrap, f"two-{name}-{group}")
    producer.begin_transaction()
    producer.produce("tout2", value=b"v")
    producer.send_offsets_to_transaction([TopicPartition("tin2", 0, offset)], metadata, 10)
    producer.commit_transaction(10)
    print("committed", reader.committed([TopicPartition("tin2", 0)], 10)[0].offset)
reader.close()
eos_common.print_final(bootstrap, group, "tin2", 1)
