"""kafka-python: KafkaConsumer (commit, commit_async, committed, seeks) and KafkaProducer's
transactions, patched in place."""

from ._outcomes import commit_status, recorded_end
from ._recorder import _key, _offset, _offsets
from ._resets import tracker


def _position(consumer, tp):
    """The consumer's fetch position of tp, read without I/O, or None."""
    try:
        state = consumer._subscription.assignment.get(tp)
        if state is not None and state.has_valid_position:
            return _offset(state.position)
    except Exception:  # an internal that moved: no position, no reset guessed
        pass
    return None


def instrument_consumer(consumer, recorder, group=None, resets=False):
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
    apply" (never a false `holds`). seek() and seek_to_beginning() feed `resets=True`. Returns the
    consumer.
    """
    group = group or consumer.config["group_id"]
    rewinds = tracker(consumer, resets)
    original_commit, original_committed = consumer.commit, consumer.committed
    original_commit_async = consumer.commit_async
    original_seek, original_seek_to_beginning = consumer.seek, consumer.seek_to_beginning

    def build(offsets):
        return recorder.build(group, offsets, reset=rewinds.classify(_offsets(offsets)))

    def commit_async(offsets=None, callback=None):
        if offsets is None:
            offsets = consumer._subscription.all_consumed_offsets()
        commit_id = build(offsets)
        recorder.send(commit_id)
        then = callback or consumer.config.get("default_offset_commit_callback")

        def completed(committed_offsets, response):
            recorder.ack(commit_id, commit_status(response) if isinstance(response, BaseException) else "ok")
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
        commit_id = build(offsets)
        recorder.send(commit_id)
        try:
            result = original_commit(offsets, timeout_ms=timeout_ms)
        except Exception as error:
            recorder.ack(commit_id, commit_status(error))
            raise
        recorder.ack(commit_id, "ok")
        return result

    def committed(partition, *args, **kwargs):
        fetch_id = recorder.fetch(group, [partition])
        offset = original_committed(partition, *args, **kwargs)
        read = {_key(partition): -1 if offset is None else _offset(offset)}
        recorder.fetched(fetch_id, read)
        rewinds.read(read)
        return offset

    def seek(partition, offset):
        before = {_key(partition): _position(consumer, partition)}
        result = original_seek(partition, offset)
        rewinds.sought([_key(partition)], before)
        return result

    def seek_to_beginning(*partitions):
        chosen = partitions or tuple(consumer.assignment())
        before = {_key(tp): _position(consumer, tp) for tp in chosen}
        result = original_seek_to_beginning(*partitions)
        rewinds.sought([_key(tp) for tp in chosen], before)
        return result

    consumer.commit, consumer.committed, consumer.commit_async = commit, committed, commit_async
    consumer.seek, consumer.seek_to_beginning = seek, seek_to_beginning
    return consumer


def instrument_producer(producer, recorder, group=None):
    """Records a transactional KafkaProducer's transactions: send_offsets_to_transaction() as a
    build with `txn`, send and ack; commit_transaction() and abort_transaction() as end before
    the call and ended after it. Returns the producer."""
    transactional_id = producer.config.get("transactional_id")
    if not transactional_id:
        raise TypeError("instrument: this KafkaProducer has no transactional_id, so it has no transactions to record")
    state = {"txn": None}
    original_begin = producer.begin_transaction
    original_send_offsets = producer.send_offsets_to_transaction
    original_commit, original_abort = producer.commit_transaction, producer.abort_transaction

    def begin_transaction(*args, **kwargs):
        result = original_begin(*args, **kwargs)
        state["txn"] = None
        return result

    def send_offsets_to_transaction(offsets, group_metadata):
        group_id = group_metadata if isinstance(group_metadata, str) else getattr(group_metadata, "group_id", None)
        group_id = group_id or group
        if state["txn"] is None:
            state["txn"] = recorder.next_txn(transactional_id)
        commit_id = recorder.build(group_id, offsets, txn=state["txn"])
        recorder.send(commit_id)
        try:
            result = original_send_offsets(offsets, group_metadata)
        except Exception as error:
            recorder.ack(commit_id, "fail" if type(error).__name__ == "IllegalStateError" else "unknown")
            raise
        recorder.ack(commit_id, "ok")
        return result

    def ending(result, call):
        def wrapper(*args, **kwargs):
            txn = state["txn"]
            if txn is None:  # no offsets staged in this transaction: nothing the checker needs
                return call(*args, **kwargs)
            value = recorded_end(recorder, txn, result, call, args, kwargs)
            state["txn"] = None
            return value
        return wrapper

    producer.begin_transaction = begin_transaction
    producer.send_offsets_to_transaction = send_offsets_to_transaction
    producer.commit_transaction = ending("commit", original_commit)
    producer.abort_transaction = ending("abort", original_abort)
    return producer
