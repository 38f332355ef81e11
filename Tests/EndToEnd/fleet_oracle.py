"""Independent check of a `bench --generate proxy-fleet-*` trace (one commit in flight per group, ok acks): a key is
violated iff its offsets, in the order the commits were sent, ever go down; a fetch must return the
last committed value of each partition it reads. Prints the violated keys, to compare with
`commitcheck verify --stream on` on the same file (specs/scaling.md, "Figures"):

  $(scripts/python-env) Tests/EndToEnd/fleet_oracle.py fleet.jsonl
"""
import sys, orjson
last = {}          # (group, partition) -> last applied offset
pending = {}       # commit id -> (group, offsets)
fetches = {}       # fetch id -> (group, partitions)
violated, badreads = set(), set()
for raw in open(sys.argv[1], 'rb'):
    e = orjson.loads(raw)
    ev = e['ev']
    if ev == 'send':
        pending[e['commit']] = (e['group'], e['offsets'])
    elif ev == 'ack':
        g, offs = pending.pop(e['commit'])
        assert e['status'] == 'ok'
        for p, v in offs.items():
            if (g, p) in last and v < last[(g, p)]: violated.add((g, p))
            last[(g, p)] = v
    elif ev == 'fetch':
        fetches[e['fetch']] = e['group']
    elif ev == 'fetched':
        g = fetches.pop(e['fetch'])
        for p, v in e['offsets'].items():
            if last.get((g, p), 0) != v: badreads.add((g, p))
print(len(last), 'keys; violated:', sorted(violated), 'reads not linearizable:', sorted(badreads))
