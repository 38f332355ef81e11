"""Commits the way Sarama does since v1.43.3 (PR #2947): one lock is held from building the
snapshot until the response arrives, so commits are built, sent and applied one at a time.
"""

import random
import time

from consumer_common import arguments, run, to_request


def fixed_commit(consumer, recorder, book):
    with book.commit_lock:                               # held across build, send and response
        snapshot = book.snapshot()
        commit_id = recorder.build(args.group, snapshot)
        time.sleep(random.uniform(0, 0.003))
        recorder.send(commit_id)
        consumer.commit(to_request(snapshot))
        recorder.ack(commit_id, "ok")


if __name__ == "__main__":
    args = arguments(__doc__)
    run(args, fixed_commit)
