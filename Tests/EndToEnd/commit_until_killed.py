"""kafka-python commits asynchronously through the proxy until the proxy dies (ProxyCrashTests.swift).

One consumer, manually assigned partition 0 of --topic, calls commit_async() with offsets 1, 2, 3, ...
in a loop, keeping at most --in-flight commits outstanding, and prints one line per completion
callback as soon as it runs (flushed):

  ack OFFSET        the broker's answer reached the client and said the commit succeeded
  failed OFFSET     the commit failed (the proxy died, or the connection was not ready)

It stops --quiet-seconds after the last ack once the proxy is gone (or at --seconds in all) and
prints "done". Only what the client saw is printed: the test compares it with the proxy's trace.
"""

import argparse
import os
import sys
import time

from kafka import KafkaAdminClient, KafkaConsumer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--bootstrap", required=True, help="the proxy")
parser.add_argument("--topic", required=True)
parser.add_argument("--group", required=True)
parser.add_argument("--seconds", type=float, default=60, help="longest run")
parser.add_argument("--quiet-seconds", type=float, default=3, help="stop this long after the last ack once commits fail")
parser.add_argument("--in-flight", type=int, default=4, help="commits outstanding at once (kafka-python allows 5)")
args = parser.parse_args()

admin = KafkaAdminClient(bootstrap_servers=args.bootstrap, request_timeout_ms=10000)
admin.create_topics([NewTopic(args.topic, 1, 1)])
admin.close()

consumer = KafkaConsumer(bootstrap_servers=args.bootstrap, group_id=args.group, enable_auto_commit=False,
                         request_timeout_ms=5000, reconnect_backoff_max_ms=200)
tp = TopicPartition(args.topic, 0)
consumer.assign([tp])
# A first synchronous commit finds the group coordinator, as a consume loop's first commit does.
consumer.commit({tp: OffsetAndMetadata(0, "", -1)})
print("ready", flush=True)

outstanding = 0
last_ack = time.time()
failed = 0


def completed(offset):
    def callback(offsets, response):
        global outstanding, last_ack, failed
        outstanding -= 1
        if isinstance(response, BaseException):
            failed += 1
            print("failed %d %s" % (offset, type(response).__name__), flush=True)
        else:
            last_ack = time.time()
            print("ack %d" % offset, flush=True)
    return callback


started = time.time()
offset = 0
while time.time() - started < args.seconds:
    if failed and time.time() - last_ack > args.quiet_seconds:
        break
    if outstanding < args.in_flight:
        offset += 1
        outstanding += 1
        try:
            consumer.commit_async({tp: OffsetAndMetadata(offset, "", -1)}, callback=completed(offset))
        except Exception as error:  # the client refusing before anything was sent
            outstanding -= 1
            failed += 1
            print("failed %d %s" % (offset, type(error).__name__), flush=True)
    # Callbacks run inside poll().
    consumer.poll(timeout_ms=1)
print("done", flush=True)
sys.stdout.flush()
# The proxy is gone: closing the consumer would only wait for it.
os._exit(0)
