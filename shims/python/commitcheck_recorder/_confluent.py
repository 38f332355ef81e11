"""confluent-kafka (librdkafka): instrumented subclasses of Consumer and Producer.

librdkafka takes `on_commit` when the consumer is created and the classes are C types whose
instances cannot be patched, so `instrument(Consumer, recorder)` returns a subclass that wraps the
configuration's on_commit (the application's one still runs, after the ack is recorded) and the
calls, and is used in place of Consumer.
"""

import collections
import threading
import warnings

from ._outcomes import ack_from_codes, code_outcome, recorded_end
from ._recorder import RecorderError, _key
from ._resets import tracker

# Group metadata (the bytes consumer_group_metadata() returns) -> group id, for the producer's
# send_offsets_to_transaction: librdkafka's serialization is not ours to parse.
_GROUPS = collections.OrderedDict()
_GROUPS_LOCK = threading.Lock()


def _remember_group(metadata, group):
    with _GROUPS_LOCK:
        _GROUPS[metadata] = group
        _GROUPS.move_to_end(metadata)
        while len(_GROUPS) > 1024:
            _GROUPS.popitem(last=False)


def _group_of(metadata):
    with _GROUPS_LOCK:
        return _GROUPS.get(metadata)


def _false(value):
    return str(value).lower() in ("false", "0")


def _codes(partitions, error=None):
    """ "topic/partition" -> (code, name) from a commit result's TopicPartitions (or a global error)."""
    codes = {}
    for tp in partitions:
        failure = tp.error or error
        codes[_key(tp)] = (failure.code(), failure.name()) if failure else (0, None)
    return codes


def consumer_class(base, recorder, group=None, resets=False):
    """A subclass of confluent_kafka.Consumer (or of `base`, a subclass of it) that records
    commit() (sync: build, send, ack; asynchronous: build and send at the call, ack from on_commit),
    committed() (fetch, fetched), and seek() for `resets=True`."""

    class InstrumentedConsumer(base):
        def __init__(self, config=None, **kwargs):
            config = dict(config or {}, **kwargs)
            self._cc_group = group or config.get("group.id")
            self._cc_user_on_commit = config.get("on_commit")
            self._cc_auto_store = not _false(config.get("enable.auto.offset.store", True))
            # With auto-commit on, librdkafka's own commits call on_commit too and could be taken
            # for the application's: asynchronous commits then get no ack (they may still apply).
            self._cc_async_acks = _false(config.get("enable.auto.commit", True))
            if not self._cc_async_acks:
                warnings.warn("commitcheck_recorder: enable.auto.commit is on; librdkafka's automatic commits are "
                              "not recorded and asynchronous commits get no ack. Set enable.auto.commit=False, or "
                              "record with `commitcheck proxy`.", stacklevel=2)
            self._cc_pending = []       # asynchronous commits awaiting on_commit: (id, offsets)
            self._cc_store = {}         # librdkafka's offset store, as the application filled it
            self._cc_lock = threading.Lock()
            self._cc_resets = tracker(self, resets)
            config["on_commit"] = self._cc_on_commit
            super().__init__(config)

        # -- consuming: the offset store a commit() with no offsets commits -----------------------

        def _cc_stored(self, message):
            if message is not None and message.error() is None and self._cc_auto_store:
                with self._cc_lock:
                    self._cc_store[(message.topic(), message.partition())] = message.offset() + 1
            return message

        def poll(self, *args, **kwargs):
            return self._cc_stored(super().poll(*args, **kwargs))

        def consume(self, *args, **kwargs):
            messages = super().consume(*args, **kwargs)
            for message in messages:
                self._cc_stored(message)
            return messages

        def store_offsets(self, message=None, offsets=None, **kwargs):
            result = super().store_offsets(message=message, offsets=offsets, **kwargs) if message is not None \
                else super().store_offsets(offsets=offsets, **kwargs)
            with self._cc_lock:
                if message is not None:
                    self._cc_store[(message.topic(), message.partition())] = message.offset() + 1
                for tp in offsets or ():
                    self._cc_store[(tp.topic, tp.partition)] = tp.offset
            return result

        # -- commits --------------------------------------------------------------------------

        def commit(self, message=None, offsets=None, asynchronous=True):
            from confluent_kafka import TopicPartition
            if message is not None:
                recorded = {_key(message): message.offset() + 1}
                call = {"message": message}
            elif offsets is not None:
                recorded = {_key(tp): tp.offset for tp in offsets if tp.offset >= 0}
                call = {"offsets": offsets}
            else:
                # What librdkafka would commit: the stored offsets of the assigned partitions,
                # passed on explicitly so that the recorded offsets are the committed ones.
                assigned = {(tp.topic, tp.partition) for tp in self.assignment()}
                with self._cc_lock:
                    snapshot = {tp: offset for tp, offset in self._cc_store.items() if tp in assigned and offset >= 0}
                if not snapshot:
                    return super().commit(asynchronous=asynchronous)  # nothing stored: librdkafka refuses
                call = {"offsets": [TopicPartition(topic, partition, offset) for (topic, partition), offset in snapshot.items()]}
                recorded = {"%s/%d" % tp: offset for tp, offset in snapshot.items()}
            if not recorded:
                return super().commit(asynchronous=asynchronous, **call)
            commit_id = recorder.build(self._cc_group, recorded, reset=self._cc_resets.classify(recorded))
            recorder.send(commit_id)
            if asynchronous:
                if self._cc_async_acks:
                    with self._cc_lock:
                        self._cc_pending.append((commit_id, recorded))
                try:
                    return super().commit(asynchronous=True, **call)
                except Exception:
                    # Refused before anything was sent (a bad argument, no group): applied nowhere.
                    self._cc_forget(commit_id)
                    recorder.ack(commit_id, "fail")
                    raise
            try:
                result = super().commit(asynchronous=False, **call)
            except Exception as error:
                kafka_error = error.args[0] if error.args else None
                code = kafka_error.code() if hasattr(kafka_error, "code") else None
                recorder.ack(commit_id, "unknown" if code is None else code_outcome(code))
                raise
            status, errors = ack_from_codes(_codes(result or ()))
            recorder.ack(commit_id, status, errors)
            return result

        def _cc_forget(self, commit_id):
            with self._cc_lock:
                self._cc_pending = [entry for entry in self._cc_pending if entry[0] != commit_id]

        def _cc_on_commit(self, error, partitions):
            """librdkafka's commit result: the ack of the oldest pending asynchronous commit with
            these offsets (commits with equal offsets are interchangeable to the checker, as
            neither names a connection); then the application's on_commit."""
            try:
                answered = {_key(tp): tp.offset for tp in partitions}
                with self._cc_lock:
                    match = next((i for i, (_, offsets) in enumerate(self._cc_pending) if offsets == answered), None)
                    commit_id = self._cc_pending.pop(match)[0] if match is not None else None
                if commit_id is not None:
                    status, errors = ack_from_codes(_codes(partitions, error))
                    recorder.ack(commit_id, status, errors)
            finally:
                if self._cc_user_on_commit is not None:
                    self._cc_user_on_commit(error, partitions)

        def committed(self, partitions, *args, **kwargs):
            fetch_id = recorder.fetch(self._cc_group, partitions)
            result = super().committed(partitions, *args, **kwargs)
            read = {_key(tp): (tp.offset if tp.offset >= 0 else -1) for tp in result if tp.error is None}
            recorder.fetched(fetch_id, read)
            self._cc_resets.read(read)
            return result

        def seek(self, partition):
            try:
                before = {_key(tp): tp.offset for tp in self.position([partition])}
            except Exception:
                before = {}
            result = super().seek(partition)
            self._cc_resets.sought([_key(partition)], before)
            return result

        def consumer_group_metadata(self):
            metadata = super().consumer_group_metadata()
            _remember_group(metadata, self._cc_group)
            return metadata

    InstrumentedConsumer.__name__ = InstrumentedConsumer.__qualname__ = "Instrumented" + base.__name__
    return InstrumentedConsumer


def producer_class(base, recorder, group=None):
    """A subclass of confluent_kafka.Producer that records its transactions:
    send_offsets_to_transaction() as build (with `txn`), send, ack; commit_transaction() and
    abort_transaction() as end before the call and ended after it."""

    class InstrumentedProducer(base):
        def __init__(self, config=None, **kwargs):
            config = dict(config or {}, **kwargs)
            self._cc_transactional_id = config.get("transactional.id")
            self._cc_txn = None
            super().__init__(config)

        def begin_transaction(self, *args, **kwargs):
            result = super().begin_transaction(*args, **kwargs)
            self._cc_txn = None
            return result

        def send_offsets_to_transaction(self, positions, group_metadata, *args, **kwargs):
            group_id = _group_of(group_metadata) or group
            if group_id is None:
                raise RecorderError("commitcheck_recorder: the group of this group metadata is unknown: take it from "
                                    "an instrumented Consumer's consumer_group_metadata(), or instrument the "
                                    "Producer with group=")
            if self._cc_txn is None:
                self._cc_txn = recorder.next_txn(self._cc_transactional_id or "producer")
            offsets = {_key(tp): tp.offset for tp in positions if tp.offset >= 0}
            commit_id = recorder.build(group_id, offsets, txn=self._cc_txn)
            recorder.send(commit_id)
            try:
                result = super().send_offsets_to_transaction(positions, group_metadata, *args, **kwargs)
            except Exception as error:
                kafka_error = error.args[0] if error.args else None
                code = kafka_error.code() if hasattr(kafka_error, "code") else None
                # A bad argument or a call outside a transaction sent nothing; anything else may
                # have staged some partitions.
                recorder.ack(commit_id, "fail" if code in (-186, -172) else "unknown")
                raise
            recorder.ack(commit_id, "ok")
            return result

        def _cc_end(self, result, call, args, kwargs):
            txn = self._cc_txn
            if txn is None:  # no offsets staged in this transaction: nothing the checker needs
                return call(*args, **kwargs)
            value = recorded_end(recorder, txn, result, call, args, kwargs)
            self._cc_txn = None
            return value

        def commit_transaction(self, *args, **kwargs):
            return self._cc_end("commit", super().commit_transaction, args, kwargs)

        def abort_transaction(self, *args, **kwargs):
            return self._cc_end("abort", super().abort_transaction, args, kwargs)

    InstrumentedProducer.__name__ = InstrumentedProducer.__qualname__ = "Instrumented" + base.__name__
    return InstrumentedProducer
