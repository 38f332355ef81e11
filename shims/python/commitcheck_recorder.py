"""Record a Kafka client's commit activity as a commitcheck/1 trace (https://github.com/.../commitcheck).

Copy this one file next to your code; it needs only the standard library (and kafka-python for
`instrument`). Events go to a file, or stream to `commitcheck record --listen ...`:

    from commitcheck_recorder import Recorder, instrument
    recorder = Recorder(proc="orders-worker-1", out="trace-worker-1.jsonl")   # or address="127.0.0.1:7777"
    consumer = KafkaConsumer(..., group_id="orders", enable_auto_commit=False)
    instrument(consumer, recorder)       # commit(), commit_async() and committed() are now recorded
    ...
    recorder.close()                     # flushes and syncs; raises if the collector refused a line
    # then: commitcheck verify trace-*.jsonl

Code that builds commit requests itself calls the hooks where things happen:

    commit_id = recorder.build(group, {("orders", 0): 12})   # the snapshot of offsets was taken
    recorder.send(commit_id, conn="coordinator-1")          # handed to the connection (inside its lock,
                                                            # with conn, to claim the broker's FIFO order)
    recorder.ack(commit_id, "ok")                           # "ok" | "fail" | "unknown"

Every event carries `proc`, the current thread, and `ts` from time.monotonic_ns().
"""

import itertools
import json
import os
import socket
import threading
import time

__all__ = ["Recorder", "RecorderError", "instrument"]


class RecorderError(RuntimeError):
    """The collector refused lines, or the trace could not be written."""


def _key(tp):
    """'topic/partition' for a kafka-python TopicPartition, a (topic, partition) pair or a string."""
    if isinstance(tp, str):
        return tp
    topic, partition = (tp.topic, tp.partition) if hasattr(tp, "topic") else tp
    return "%s/%d" % (topic, partition)


def _offset(value):
    """The integer offset of an int or a kafka-python OffsetAndMetadata."""
    return int(getattr(value, "offset", value))


class Recorder:
    """Thread-safe writer of commitcheck/1 events to a file or to a collector.

    out:     a file path (the file is replaced; a meta line is written first), or
    address: "HOST:PORT" or "unix:PATH" of `commitcheck record`.
    """

    def __init__(self, proc=None, out=None, address=None):
        if (out is None) == (address is None):
            raise ValueError("give exactly one of out= (a file) or address= (a collector)")
        self.proc = proc or "%s-%d" % (socket.gethostname(), os.getpid())
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._errors = []
        self._closed = False
        self._file = None
        self._socket = None
        if out is not None:
            self._file = open(out, "wb")
            self._file.write(b'{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}\n')
        else:
            if address.startswith("unix:"):
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
                self._socket.connect(address[5:])
            else:
                host, _, port = address.rpartition(":")
                self._socket = socket.create_connection((host.strip("[]"), int(port)))
            self._replies = []
            self._reader = threading.Thread(target=self._read_replies, name="commitcheck-replies", daemon=True)
            self._reader.start()

    # -- events ------------------------------------------------------------------------------

    def next_id(self):
        return "%s-%d" % (self.proc, next(self._ids))

    def build(self, group, offsets, commit=None, generation=None, member=None):
        """The commit request was built with these offsets (the next offset to consume). Returns its id."""
        commit = commit or self.next_id()
        fields = {"commit": commit, "group": group, "offsets": {_key(tp): _offset(o) for tp, o in offsets.items()}}
        if generation is not None:
            fields["generation"] = generation
        if member is not None:
            fields["member"] = member
        self._record("build", fields)
        return commit

    def send(self, commit, conn=None, group=None, offsets=None):
        """The request was handed to a connection (record it inside the connection's write lock)."""
        fields = {"commit": commit}
        if conn is not None:
            fields["conn"] = conn
        if group is not None:
            fields["group"] = group
        if offsets is not None:
            fields["offsets"] = {_key(tp): _offset(o) for tp, o in offsets.items()}
        self._record("send", fields)

    def ack(self, commit, status, errors=None):
        """The response: "ok" (applied but for `errors`), "fail" (applied nowhere), "unknown"."""
        fields = {"commit": commit, "status": status}
        if errors:
            fields["errors"] = {_key(tp): str(code) for tp, code in errors.items()}
        self._record("ack", fields)

    def fetch(self, group, partitions, fetch=None):
        """An OffsetFetch was issued. Returns its id."""
        fetch = fetch or self.next_id()
        self._record("fetch", {"fetch": fetch, "group": group, "partitions": [_key(tp) for tp in partitions]})
        return fetch

    def fetched(self, fetch, offsets):
        """The OffsetFetch answered these offsets (None or -1: nothing committed)."""
        self._record("fetched", {"fetch": fetch, "offsets": {
            _key(tp): (-1 if o is None else _offset(o)) for tp, o in offsets.items()}})

    # -- durability --------------------------------------------------------------------------

    def flush(self):
        """Makes every recorded event durable (file: fsync)."""
        with self._lock:
            if self._file is not None and not self._closed:
                self._file.flush()
                os.fsync(self._file.fileno())
        self._raise_errors()

    def close(self):
        """Flushes and closes. With a collector, waits for its "ok": then the lines are on its disk."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            if self._file is not None:
                self._file.flush()
                os.fsync(self._file.fileno())
                self._file.close()
            else:
                self._socket.shutdown(socket.SHUT_WR)
        if self._socket is not None:
            self._reader.join(timeout=60)
            self._socket.close()
            if not any(r.startswith("ok ") for r in self._replies):
                self._errors.append("the collector did not confirm the trace (no 'ok' answer)")
        self._raise_errors()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # -- internals ---------------------------------------------------------------------------

    def _record(self, ev, fields):
        thread = threading.current_thread()
        event = {"ev": ev, "proc": self.proc, "thread": "%s/%d" % (thread.name, thread.ident), "ts": 0}
        event.update(fields)
        with self._lock:
            if self._closed:
                raise RecorderError("the recorder is closed")
            # The timestamp is taken under the lock so that line order and clock order agree.
            event["ts"] = time.monotonic_ns()
            line = (json.dumps(event, separators=(",", ":")) + "\n").encode()
            if self._file is not None:
                self._file.write(line)
            else:
                self._socket.sendall(line)

    def _read_replies(self):
        data = b""
        while True:
            try:
                chunk = self._socket.recv(65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
            *lines, data = data.split(b"\n")
            for reply in lines:
                text = reply.decode(errors="replace")
                self._replies.append(text)
                if text.startswith("error"):
                    self._errors.append(text)

    def _raise_errors(self):
        if self._errors:
            errors, self._errors = self._errors, []
            raise RecorderError("; ".join(errors))


_REJECTED = {"CommitFailedError", "IllegalGenerationError", "UnknownMemberIdError", "RebalanceInProgressError",
             "OffsetMetadataTooLargeError", "GroupAuthorizationFailedError", "TopicAuthorizationFailedError",
             "UnknownTopicOrPartitionError", "InvalidGroupIdError", "FencedInstanceIdError"}


# Raised by kafka-python before the request is written: its connection is not ready, or it
# already has max_in_flight_requests_per_connection requests in flight (a burst of commit_async()
# calls past the fifth fails this way). Nothing reached the broker.
_NOT_SENT = {"NodeNotReadyError"}


def _status(error):
    """How a failed commit ended: "fail" when the broker refused before writing or the request
    never left the client, else "unknown"."""
    name = type(error).__name__
    return "fail" if name in _REJECTED or name in _NOT_SENT else "unknown"


def instrument(consumer, recorder, group=None):
    """Records every consumer.commit() and consumer.commit_async() (build, send, ack) and
    consumer.committed() (fetch, fetched).

    commit() with no offsets commits the consumer's consumed positions; the wrapper takes that
    snapshot itself and passes it on explicitly, so the recorded offsets are the committed ones.
    kafka-python retries retriable errors inside one commit() call; the wrapper records the call as
    one commit, which is exact when the retried attempts were refused (NOT_COORDINATOR, ...), the
    usual case.

    commit_async() is recorded as build and send at the call and ack from its completion callback
    (the caller's callback, or kafka-python's default one, still runs after). kafka-python runs
    completion callbacks only inside a later poll(), commit() or commit_async() of the same
    consumer: a call whose callback has not run has no ack, which the checker reads as "may still
    apply" (never a false `holds`). Returns the consumer.
    """
    group = group or consumer.config["group_id"]
    original_commit, original_committed = consumer.commit, consumer.committed
    original_commit_async = consumer.commit_async

    def commit_async(offsets=None, callback=None):
        if offsets is None:
            offsets = consumer._subscription.all_consumed_offsets()
        commit_id = recorder.build(group, offsets)
        recorder.send(commit_id)
        then = callback or consumer.config.get("default_offset_commit_callback")

        def completed(committed_offsets, response):
            recorder.ack(commit_id, _status(response) if isinstance(response, BaseException) else "ok")
            if then is not None:
                then(committed_offsets, response)

        try:
            return original_commit_async(offsets, callback=completed)
        except Exception:
            # Refused before anything was sent (no group, a bad argument): applied nowhere.
            recorder.ack(commit_id, "fail")
            raise

    def commit(offsets=None, timeout_ms=None):
        if offsets is None:
            offsets = consumer._subscription.all_consumed_offsets()
        commit_id = recorder.build(group, offsets)
        recorder.send(commit_id)
        try:
            result = original_commit(offsets, timeout_ms=timeout_ms)
        except Exception as error:
            recorder.ack(commit_id, _status(error))
            raise
        recorder.ack(commit_id, "ok")
        return result

    def committed(partition, *args, **kwargs):
        fetch_id = recorder.fetch(group, [partition])
        offset = original_committed(partition, *args, **kwargs)
        recorder.fetched(fetch_id, {partition: -1 if offset is None else _offset(offset)})
        return offset

    consumer.commit, consumer.committed, consumer.commit_async = commit, committed, commit_async
    return consumer
