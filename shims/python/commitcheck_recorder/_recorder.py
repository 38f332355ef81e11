"""The Recorder: a thread-safe writer of commitcheck/1 events to a file or to a collector."""

import itertools
import json
import os
import socket
import threading
import time

class RecorderError(RuntimeError):
    """The collector refused lines, or the trace could not be written."""


def _key(tp):
    """'topic/partition' for a TopicPartition (kafka-python's, aiokafka's or confluent-kafka's), a
    (topic, partition) pair or a string."""
    if isinstance(tp, str):
        return tp
    if hasattr(tp, "topic"):
        topic, partition = tp.topic, tp.partition
        # confluent-kafka's TopicPartition has attributes; a Message has methods.
        topic, partition = (topic() if callable(topic) else topic), (partition() if callable(partition) else partition)
    else:
        topic, partition = tp
    return "%s/%d" % (topic, partition)


def _offset(value):
    """The integer offset of an int, an OffsetAndMetadata, an (offset, metadata) pair, or None
    (no committed offset: -1)."""
    if value is None:
        return -1
    if isinstance(value, tuple) and not hasattr(value, "offset"):
        value = value[0]
    return int(getattr(value, "offset", value))


def _offsets(offsets):
    return {_key(tp): _offset(o) for tp, o in offsets.items()}


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

    def next_txn(self, transactional_id):
        """A fresh transaction id, TRANSACTIONAL_ID@PROC#N: one per transaction, unique in the trace."""
        return "%s@%s#%d" % (transactional_id, self.proc, next(self._ids))

    def build(self, group, offsets, commit=None, generation=None, member=None, txn=None, reset=False):
        """The commit request was built with these offsets (the next offset to consume). Returns its id.

        txn:   the transaction the offsets are staged in (sendOffsetsToTransaction): they become
               visible only if it commits. None: a plain OffsetCommit.
        reset: an intended rewind (the application seeks back and commits on purpose): the
               `monotonic` property does not count a decrease into it. Offsets may be -1 (None).
        """
        commit = commit or self.next_id()
        fields = {"commit": commit, "group": group, "offsets": _offsets(offsets)}
        if generation is not None:
            fields["generation"] = generation
        if member is not None:
            fields["member"] = member
        if txn is not None:
            fields["txn"] = txn
        if reset:
            fields["reset"] = True
        self._record("build", fields)
        return commit

    def send(self, commit, conn=None, group=None, offsets=None, txn=None, reset=False, client=None):
        """The request was handed to a connection (record it inside the connection's write lock).
        group, offsets, txn and reset are for code that recorded no build; client is the request's
        Kafka client id."""
        fields = {"commit": commit}
        if conn is not None:
            fields["conn"] = conn
        if group is not None:
            fields["group"] = group
        if offsets is not None:
            fields["offsets"] = _offsets(offsets)
        if txn is not None:
            fields["txn"] = txn
        if reset:
            fields["reset"] = True
        if client is not None:
            fields["client"] = client
        self._record("send", fields)

    def ack(self, commit, status, errors=None):
        """The response: "ok" (applied but for `errors`), "fail" (applied nowhere), "unknown"."""
        fields = {"commit": commit, "status": status}
        if errors:
            fields["errors"] = {_key(tp): str(code) for tp, code in errors.items()}
        self._record("ack", fields)

    def fetch(self, group, partitions, fetch=None, client=None):
        """An OffsetFetch was issued. Returns its id."""
        fetch = fetch or self.next_id()
        fields = {"fetch": fetch, "group": group, "partitions": [_key(tp) for tp in partitions]}
        if client is not None:
            fields["client"] = client
        self._record("fetch", fields)
        return fetch

    def fetched(self, fetch, offsets):
        """The OffsetFetch answered these offsets (None or -1: nothing committed)."""
        self._record("fetched", {"fetch": fetch, "offsets": _offsets(offsets)})

    def end(self, txn, result):
        """An EndTxn asking to "commit" or "abort" transaction txn is about to be sent (record it
        before the call that sends it; a retried commit is a second end)."""
        self._record("end", {"txn": txn, "result": result})

    def ended(self, txn, status, error=None):
        """The answer to txn's latest end: "ok", "fail" (refused, e.g. fenced: a commit that fails
        so aborts), or "unknown" (it may have been taken). error: the Kafka error's name."""
        fields = {"txn": txn, "status": status}
        if error:
            fields["error"] = str(error)
        self._record("ended", fields)

    def completed(self, txn):
        """By now txn's outcome has taken effect at the broker (record only what is known)."""
        self._record("completed", {"txn": txn})

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
