"""Record a Kafka client's commit activity as a commitcheck/1 trace
(https://github.com/commitcheck/commitcheck, folder shims/python).

    pip install ./shims/python      # from a checkout; the standard library is all it needs

Events go to a file, or stream to `commitcheck record --listen ...`:

    from commitcheck_recorder import Recorder, instrument
    recorder = Recorder(proc="orders-worker-1", out="trace-worker-1.jsonl")   # or address="127.0.0.1:7777"
    consumer = instrument(KafkaConsumer(..., group_id="orders", enable_auto_commit=False), recorder)
    ...                                  # commit(), commit_async() and committed() are now recorded
    recorder.close()                     # flushes and syncs; raises if the collector refused a line
    # then: commitcheck verify trace-*.jsonl

The clients instrument() knows:

    kafka-python   instrument(KafkaConsumer(...), recorder); instrument(KafkaProducer(transactional_id=...), recorder)
    aiokafka       instrument(AIOKafkaConsumer(...), recorder)
    confluent      Consumer = instrument(confluent_kafka.Consumer, recorder); consumer = Consumer({...})
                   Producer = instrument(confluent_kafka.Producer, recorder); producer = Producer({...})

A transactional producer's send_offsets_to_transaction() becomes a commit staged in a
transaction (`txn`), its commit_transaction()/abort_transaction() an `end` and its answer an
`ended`. instrument(consumer, recorder, resets=True) records a commit of a lower offset after a
seek() of that partition as an intended reset; mark_reset(consumer) marks the next commit as one.

Code that builds commit requests itself calls the hooks where things happen:

    commit_id = recorder.build(group, {("orders", 0): 12})   # the snapshot of offsets was taken
    recorder.send(commit_id, conn="coordinator-1")          # handed to the connection (inside its lock,
                                                            # with conn, to claim the broker's FIFO order)
    recorder.ack(commit_id, "ok")                           # "ok" | "fail" | "unknown"
    txn = recorder.next_txn("my-transactional-id")          # one per transaction
    staged = recorder.build(group, offsets, txn=txn); ...   # send, ack as above
    recorder.end(txn, "commit"); recorder.ended(txn, "ok")  # around commit_transaction()

Every event carries `proc`, the current thread, and `ts` from time.monotonic_ns().
"""

from ._instrument import instrument
from ._recorder import Recorder, RecorderError
from ._resets import mark_reset

__all__ = ["Recorder", "RecorderError", "instrument", "mark_reset"]
__version__ = "0.2.0"
