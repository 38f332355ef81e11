"""Commits through the recording proxy with plain kafka-python (no instrumentation).

  regress: commits offset 12, then 11, on partition 0; then reads it back
  ordered: commits 1..10 in order on partitions 0 and 1; then reads them back
  joined:  like regress, but also records client-side `build` events (with the Python shim) and
           puts "commitcheck:ID" in each partition's metadata so that verify can join the proxy's
           send/ack lines with the client's build lines
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "shims", "python"))

from commitcheck_recorder import Recorder  # noqa: E402
from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition  # noqa: E402
from kafka.admin import NewTopic  # noqa: E402
from kafka.structs import OffsetAndMetadata  # noqa: E402

parser = argparse.ArgumentParser(description=__doc__)
parser.add_argument("--bootstrap", required=True)
parser.add_argument("--scenario", choices=["regress", "ordered", "joined"], required=True)
parser.add_argument("--topic", required=True)
parser.add_argument("--group", required=True)
parser.add_argument("--client-trace", help="where the joined scenario writes its build events")
args = parser.parse_args()

admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(args.topic, 2, 1)])
admin.close()

consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group, enable_auto_commit=False)
p0, p1 = TopicPartition(args.topic, 0), TopicPartition(args.topic, 1)

if args.scenario == "regress":
    consumer.commit({p0: OffsetAndMetadata(12, "", -1)})
    consumer.commit({p0: OffsetAndMetadata(11, "", -1)})
elif args.scenario == "ordered":
    for offset in range(1, 11):
        consumer.commit({p0: OffsetAndMetadata(offset, "", -1), p1: OffsetAndMetadata(offset * 2, "", -1)})
else:
    recorder = Recorder(proc="client-%d" % os.getpid(), out=args.client_trace)
    first = recorder.build(args.group, {p0: 12})
    second = recorder.build(args.group, {p0: 11})
    consumer.commit({p0: OffsetAndMetadata(12, "commitcheck:" + first, -1)})
    consumer.commit({p0: OffsetAndMetadata(11, "commitcheck:" + second, -1)})
    recorder.close()

print({tp.partition: consumer.committed(tp) for tp in (p0, p1)})
consumer.close(autocommit=False)
