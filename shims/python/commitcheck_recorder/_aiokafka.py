"""aiokafka: AIOKafkaConsumer's commit() and committed() coroutines and its seeks, patched in place."""

from ._outcomes import commit_status
from ._recorder import _key, _offset, _offsets
from ._resets import tracker


def _positions(consumer, partitions):
    """The consumer's fetch positions, read without I/O ("topic/partition" -> offset)."""
    found = {}
    try:
        assignment = consumer._subscription.subscription.assignment
        for tp in partitions:
            state = assignment.state_value(tp)
            if state is not None and state.has_valid_position:
                found[_key(tp)] = int(state.position)
    except Exception:  # no subscription yet, or an internal that moved: no position, no reset guessed
        pass
    return found


def instrument_consumer(consumer, recorder, group=None, resets=False):
    """Records every `await consumer.commit(...)` as build and send before the request and ack after
    it, and `await consumer.committed(tp)` as fetch and fetched. commit() with no offsets commits
    the consumed positions: the wrapper takes that snapshot and passes it on explicitly. seek() and
    seek_to_beginning() feed `resets=True`. Returns the consumer."""
    group = group or consumer._group_id
    rewinds = tracker(consumer, resets)
    original_commit, original_committed = consumer.commit, consumer.committed
    original_seek, original_seek_to_beginning = consumer.seek, consumer.seek_to_beginning

    async def commit(offsets=None):
        if offsets is None:
            subscription = consumer._subscription.subscription
            assignment = subscription.assignment if subscription is not None else None
            if assignment is None:
                return await original_commit()  # aiokafka refuses: nothing assigned, nothing sent
            offsets = assignment.all_consumed_offsets()
        recorded = _offsets(offsets)
        commit_id = recorder.build(group, recorded, reset=rewinds.classify(recorded))
        recorder.send(commit_id)
        try:
            result = await original_commit(offsets)
        except BaseException as error:  # a cancelled task too: the request may be on its way
            recorder.ack(commit_id, commit_status(error))
            raise
        recorder.ack(commit_id, "ok")
        return result

    async def committed(partition):
        fetch_id = recorder.fetch(group, [partition])
        offset = await original_committed(partition)
        read = {_key(partition): -1 if offset is None else _offset(offset)}
        recorder.fetched(fetch_id, read)
        rewinds.read(read)
        return offset

    def seek(partition, offset):
        before = _positions(consumer, [partition])
        result = original_seek(partition, offset)
        rewinds.sought([_key(partition)], before)
        return result

    async def seek_to_beginning(*partitions):
        chosen = partitions or tuple(consumer.assignment())
        before = _positions(consumer, chosen)
        result = await original_seek_to_beginning(*partitions)
        rewinds.sought([_key(tp) for tp in chosen], before)
        return result

    consumer.commit, consumer.committed = commit, committed
    consumer.seek, consumer.seek_to_beginning = seek, seek_to_beginning
    return consumer
