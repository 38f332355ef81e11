#!/usr/bin/env python3
"""A consumer group rewound on purpose by an operator, then a stale commit after the rewind.

    reset_rewind.py BOOTSTRAP GROUP [--regress]

The consumer (client id `app-1`) commits `rw/0` up to 20 and closes; an AdminClient (client id
`adminclient-1`) rewinds the group to 5 with alter_consumer_group_offsets; the consumer resumes
from the committed offset and commits up to 15. With --regress it then commits a stale 12 (the
real regression a reset must not hide). Prints `resumed N` and, at the end, `final rw/0 N` (the
committed offset a fresh consumer reads back from the broker).
"""
import sys
from confluent_kafka import Consumer, TopicPartition, ConsumerGroupTopicPartitions
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, group = sys.argv[1], sys.argv[2]
regress = "--regress" in sys.argv[3:]
admin = AdminClient({"bootstrap.servers": bootstrap, "client.id": "adminclient-1"})
for topic, future in admin.create_topics([NewTopic("rw", 1, 1)]).items():
    future.result()


def consumer():
    return Consumer({"bootstrap.servers": bootstrap, "group.id": group, "enable.auto.commit": False, "client.id": "app-1"})


app = consumer()
for offset in (5, 10, 15, 20):
    app.commit(offsets=[TopicPartition("rw", 0, offset)], asynchronous=False)
app.close()
request = ConsumerGroupTopicPartitions(group, [TopicPartition("rw", 0, 5)])
for name, future in admin.alter_consumer_group_offsets([request], request_timeout=10).items():
    future.result()
app = consumer()
resumed = app.committed([TopicPartition("rw", 0)], 10)[0].offset
print("resumed", resumed)
for offset in range(resumed + 5, 16, 5):
    app.commit(offsets=[TopicPartition("rw", 0, offset)], asynchronous=False)
if regress:
    app.commit(offsets=[TopicPartition("rw", 0, 12)], asynchronous=False)
app.close()
fresh = consumer()
print("final rw/0", fresh.committed([TopicPartition("rw", 0)], 10)[0].offset)
fresh.close()
