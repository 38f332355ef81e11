"""Commits the way Sarama did before v1.43.3 (IBM/sarama #2940): a snapshot of every partition's
offset is built, then sent, with no lock spanning the two, from every partition's worker thread.

A commit built early can reach the broker after a later one and move an offset backwards.
"""

import random
import time

from consumer_common import arguments, run, to_request


def racy_commit(consumer, recorder, book):
    snapshot = book.snapshot()                           # 1. build from ALL dirty partitions
    commit_id = recorder.build(args.group, snapshot)
    time.sleep(random.uniform(0, 0.003))                 # 2. coordinator lookup: nothing held
    recorder.send(commit_id)                             # 3. send
    consumer.commit(to_request(snapshot))
    recorder.ack(commit_id, "ok")


if __name__ == "__main__":
    args = arguments(__doc__)
    run(args, racy_commit)
