"""Writes a synthetic commitcheck/1 trace for the HTML report's size and browser tests.

One process (one monotonic clock) with worker threads that share a long name prefix, as real
clients have; each worker commits the partitions it owns on its own connection, offsets rising, with
idle pauses. A few commits are planted stale (violated: the newer commit was acknowledged before the
stale one was sent, far apart on one connection) and a few pairs overlap without a connection
(possible). Deterministic for a seed.

usage: synthetic_trace.py EVENTS OUT.jsonl [PARTITIONS] [SEED]
"""
import json
import random
import sys

events, out = int(sys.argv[1]), sys.argv[2]
partitions = int(sys.argv[3]) if len(sys.argv) > 3 else 200
rng = random.Random(int(sys.argv[4]) if len(sys.argv) > 4 else 7)
threads = 8
proc = "payments-consumer-4711"
offsets = [0] * partitions
ts = 1_000_000_000
written = 0
commit_no = 0
planted_stale = set(rng.sample(range(partitions), 5))
planted_overlap = set(rng.sample([p for p in range(partitions) if p not in planted_stale], 12))
stale_due = {p: int(events * (0.3 + 0.4 * rng.random())) for p in planted_stale}
overlap_due = {p: int(events * rng.random()) for p in planted_overlap}
lines = ['{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}']


def emit(**fields):
    global written
    lines.append(json.dumps(fields, separators=(",", ":")))
    written += 1


def stamp():
    global ts
    ts += rng.randint(20_000, 400_000)
    if rng.random() < 0.002:
        ts += rng.randint(1_000_000_000, 5_000_000_000)  # an idle pause
    return ts


with open(out, "w") as f:
    while written < events:
        t = rng.randrange(threads)
        thread = f"worker-{t + 1}/1402482{t:02d}873792"
        p = rng.randrange(t, partitions, threads) if t < partitions else 0
        commit_no += 1
        cid = f"{proc}-{commit_no}"
        if p in stale_due and written >= stale_due[p] and offsets[p] > 5:
            del stale_due[p]
            stale = offsets[p] - 3
            emit(ev="build", proc=proc, thread=thread, ts=stamp(), commit=cid, group="billing", offsets={f"orders/{p}": stale})
            emit(ev="send", proc=proc, thread=thread, ts=stamp(), commit=cid, conn=f"conn-{t}")
            emit(ev="ack", proc=proc, thread=thread, ts=stamp(), commit=cid, status="ok")
            continue
        if p in overlap_due and written >= overlap_due[p]:
            del overlap_due[p]
            a, b = f"{cid}-a", f"{cid}-b"
            offsets[p] += 2
            emit(ev="build", proc=proc, thread=thread, ts=stamp(), commit=a, group="billing", offsets={f"orders/{p}": offsets[p] - 1})
            emit(ev="send", proc=proc, thread=thread, ts=stamp(), commit=a)
            emit(ev="build", proc=proc, thread=thread, ts=stamp(), commit=b, group="billing", offsets={f"orders/{p}": offsets[p]})
            emit(ev="send", proc=proc, thread=thread, ts=stamp(), commit=b)
            emit(ev="ack", proc=proc, thread=thread, ts=stamp(), commit=a, status="ok")
            emit(ev="ack", proc=proc, thread=thread, ts=stamp(), commit=b, status="ok")
            continue
        offsets[p] += rng.randint(1, 5)
        emit(ev="build", proc=proc, thread=thread, ts=stamp(), commit=cid, group="billing", offsets={f"orders/{p}": offsets[p]})
        emit(ev="send", proc=proc, thread=thread, ts=stamp(), commit=cid, conn=f"conn-{t}")
        emit(ev="ack", proc=proc, thread=thread, ts=stamp(), commit=cid, status="ok")
        if len(lines) > 10000:
            f.write("\n".join(lines) + "\n")
            lines = []
    f.write("\n".join(lines) + "\n")
