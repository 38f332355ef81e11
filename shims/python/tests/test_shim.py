"""The shim's logic without a broker: run with the installed package (ShimPackageTests runs
`python -I -m unittest discover` in a fresh virtual environment)."""

import json
import os
import subprocess
import sys
import tempfile
import unittest
import warnings

import commitcheck_recorder
from commitcheck_recorder import Recorder, RecorderError, instrument, mark_reset
from commitcheck_recorder import _kafka_python, _outcomes
from commitcheck_recorder._resets import ResetTracker

CHECKOUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NOWHERE = "127.0.0.1:9"  # nothing listens there; creating a client needs no broker


def lines(path):
    with open(path) as trace:
        events = [json.loads(line) for line in trace]
    assert events[0]["ev"] == "meta", events[0]
    return events[1:]


class TraceFile(unittest.TestCase):
    def setUp(self):
        self.path = os.path.join(tempfile.mkdtemp(), "trace.jsonl")
        self.recorder = Recorder(proc="test", out=self.path)

    def tearDown(self):
        self.recorder.close()  # idempotent

    def events(self):
        self.recorder.close()
        return lines(self.path)


class RecorderLines(TraceFile):
    def test_transaction_reset_and_client_fields(self):
        txn, other = self.recorder.next_txn("eos"), self.recorder.next_txn("eos")
        self.assertNotEqual(txn, other)
        self.assertTrue(txn.startswith("eos@test#"))
        staged = self.recorder.build("g", {("in", 0): 3}, txn=txn)
        self.recorder.send(staged, client="rdkafka")
        rewind = self.recorder.build("g", {("in", 0): None}, reset=True)
        self.recorder.send("wire-1", group="g", offsets={"in/1": 4}, txn=txn, reset=True)
        self.recorder.fetch("g", [("in", 0)], client="c-1")
        self.recorder.end(txn, "commit")
        self.recorder.ended(txn, "fail", "PRODUCER_FENCED")
        self.recorder.ended(txn, "ok")
        self.recorder.completed(txn)
        plain = self.recorder.build("g", {("in", 0): 5})
        events = self.events()
        self.assertEqual(events[0]["txn"], txn)
        self.assertNotIn("reset", events[0])
        self.assertEqual(events[1]["client"], "rdkafka")
        self.assertEqual((events[2]["commit"], events[2]["reset"], events[2]["offsets"]), (rewind, True, {"in/0": -1}))
        self.assertEqual((events[3]["txn"], events[3]["reset"], events[3]["group"]), (txn, True, "g"))
        self.assertEqual(events[4]["client"], "c-1")
        self.assertEqual([e["ev"] for e in events[5:9]], ["end", "ended", "ended", "completed"])
        self.assertEqual((events[5]["txn"], events[5]["result"]), (txn, "commit"))
        self.assertEqual((events[6]["status"], events[6]["error"]), ("fail", "PRODUCER_FENCED"))
        self.assertNotIn("error", events[7])
        self.assertEqual(set(events[9]), {"ev", "proc", "thread", "ts", "commit", "group", "offsets"}, plain)


class Outcomes(unittest.TestCase):
    def test_codes_follow_the_proxy(self):
        self.assertEqual(_outcomes.ack_from_codes({"t/0": (0, None), "t/1": (0, None)}), ("ok", None))
        self.assertEqual(_outcomes.ack_from_codes({"t/0": (0, None), "t/1": (22, "ILLEGAL_GENERATION")}),
                         ("ok", {"t/1": "ILLEGAL_GENERATION"}))
        self.assertEqual(_outcomes.ack_from_codes({"t/0": (25, "X"), "t/1": (27, "Y")}), ("fail", None))
        self.assertEqual(_outcomes.ack_from_codes({"t/0": (0, None), "t/1": (16, "NOT_COORDINATOR")}), ("unknown", None))
        self.assertEqual(_outcomes.code_outcome(-168), "fail")   # librdkafka: no offset stored, nothing sent
        self.assertEqual(_outcomes.code_outcome(-185), "unknown")  # timed out

    def test_end_status(self):
        from confluent_kafka import KafkaError, KafkaException
        self.assertEqual(_outcomes.end_status(KafkaException(KafkaError(KafkaError.PRODUCER_FENCED))),
                         ("fail", "PRODUCER_FENCED"))
        self.assertEqual(_outcomes.end_status(KafkaException(KafkaError(KafkaError._TIMED_OUT))), ("unknown", "_TIMED_OUT"))

        class ProducerFencedError(Exception):
            pass

        class KafkaTimeoutError(Exception):
            pass
        self.assertEqual(_outcomes.end_status(ProducerFencedError()), ("fail", "ProducerFencedError"))
        self.assertEqual(_outcomes.end_status(KafkaTimeoutError()), ("unknown", "KafkaTimeoutError"))


class Resets(unittest.TestCase):
    def test_a_seek_then_a_lower_commit_is_a_reset_once(self):
        resets = ResetTracker(from_seeks=True)
        self.assertFalse(resets.classify({"t/0": 12}))
        resets.sought(["t/0"])
        self.assertTrue(resets.classify({"t/0": 4}))
        self.assertFalse(resets.classify({"t/0": 3}), "no seek since the reset")
        resets.sought(["t/0"], {"t/0": 30})     # the position before the seek counts too
        self.assertTrue(resets.classify({"t/0": 20}))
        resets.sought(["t/0"])
        self.assertFalse(resets.classify({"t/0": 25}), "sought, but not lower")

    def test_nothing_known_is_no_reset_and_the_flag_is_needed(self):
        resets = ResetTracker(from_seeks=True)
        resets.sought(["t/1"])
        self.assertFalse(resets.classify({"t/1": 0}), "a flag, not a guess: nothing was known of t/1")
        off = ResetTracker(from_seeks=False)
        off.classify({"t/0": 9})
        off.sought(["t/0"])
        self.assertFalse(off.classify({"t/0": 1}))
        off.read({"t/0": 5})
        off.mark({"t/0"})
        self.assertFalse(off.classify({"t/1": 1}), "marked t/0, committed t/1")
        self.assertTrue(off.classify({"t/0": 1, "t/1": 2}))
        self.assertFalse(off.classify({"t/0": 0}), "a mark is used once")
        off.mark()
        self.assertTrue(off.classify({"t/5": 3}))

    def test_mark_reset_needs_an_instrumented_consumer(self):
        with self.assertRaises(TypeError):
            mark_reset(object())


class ConfluentConsumer(TraceFile):
    def make(self, **config):
        import confluent_kafka
        self.own = []
        Consumer = instrument(confluent_kafka.Consumer, self.recorder)
        self.assertTrue(issubclass(Consumer, confluent_kafka.Consumer))
        settings = {"bootstrap.servers": NOWHERE, "group.id": "g", "enable.auto.commit": False,
                    "on_commit": lambda error, partitions: self.own.append((error, [p.offset for p in partitions]))}
        settings.update(config)
        return Consumer(settings)

    def pending(self, consumer, offset):
        commit_id = self.recorder.build("g", {"t/0": offset})
        consumer._cc_pending.append((commit_id, {"t/0": offset}))
        return commit_id

    def test_on_commit_acks_the_oldest_commit_with_those_offsets_then_runs_the_applications(self):
        from confluent_kafka import KafkaError, TopicPartition
        consumer = self.make()
        first, second, third = self.pending(consumer, 5), self.pending(consumer, 5), self.pending(consumer, 7)
        consumer._cc_on_commit(None, [TopicPartition("t", 0, 7)])
        consumer._cc_on_commit(None, [TopicPartition("t", 0, 5)])
        consumer._cc_on_commit(KafkaError(KafkaError.REBALANCE_IN_PROGRESS), [TopicPartition("t", 0, 5)])
        consumer._cc_on_commit(None, [TopicPartition("t", 0, 99)])   # librdkafka's own or unknown: no ack
        consumer.close()
        self.assertEqual([offsets for _, offsets in self.own], [[7], [5], [5], [99]], "the application's on_commit ran every time")
        acks = [(e["commit"], e["status"]) for e in self.events() if e["ev"] == "ack"]
        self.assertEqual(acks, [(third, "ok"), (first, "ok"), (second, "fail")])

    def test_auto_commit_on_is_warned_about_and_gets_no_async_acks(self):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            consumer = self.make(**{"enable.auto.commit": True})
        self.assertTrue(any("enable.auto.commit" in str(w.message) for w in caught))
        self.assertFalse(consumer._cc_async_acks)
        consumer.close()

    def test_an_instance_is_refused_with_the_way_to_do_it(self):
        import confluent_kafka
        plain = confluent_kafka.Consumer({"bootstrap.servers": NOWHERE, "group.id": "g"})
        with self.assertRaisesRegex(TypeError, "instrument the class"):
            instrument(plain, self.recorder)
        plain.close()

    def test_group_metadata_names_its_group_for_the_producer(self):
        import confluent_kafka
        consumer = self.make()
        metadata = consumer.consumer_group_metadata()
        from commitcheck_recorder._confluent import _group_of
        self.assertEqual(_group_of(metadata), "g")
        Producer = instrument(confluent_kafka.Producer, self.recorder)
        producer = Producer({"bootstrap.servers": NOWHERE})
        with self.assertRaises(RecorderError):
            producer.send_offsets_to_transaction([confluent_kafka.TopicPartition("t", 0, 1)], b"unknown metadata")
        consumer.close()


class FakeProducer:
    """kafka-python's KafkaProducer transaction calls, as far as the shim uses them."""

    def __init__(self, fail_commit=None):
        self.config = {"transactional_id": "tx"}
        self.calls = []
        self.fail_commit = fail_commit

    def begin_transaction(self):
        self.calls.append("begin")

    def send_offsets_to_transaction(self, offsets, group):
        self.calls.append("offsets")

    def commit_transaction(self):
        self.calls.append("commit")
        if self.fail_commit:
            raise self.fail_commit

    def abort_transaction(self):
        self.calls.append("abort")


class ProducerFencedError(Exception):
    pass


class KafkaPythonProducer(TraceFile):
    def test_staged_offsets_ends_and_a_fenced_commit(self):
        from kafka import TopicPartition
        producer = _kafka_python.instrument_producer(FakeProducer(), self.recorder)
        producer.begin_transaction()
        producer.commit_transaction()                    # nothing staged: no end recorded
        producer.begin_transaction()
        producer.send_offsets_to_transaction({TopicPartition("t", 0): 4}, "g")
        producer.commit_transaction()
        producer.begin_transaction()
        producer.send_offsets_to_transaction({TopicPartition("t", 0): 9}, "g")
        producer.fail_commit = ProducerFencedError()
        with self.assertRaises(ProducerFencedError):
            producer.commit_transaction()
        producer.fail_commit = None
        producer.abort_transaction()                     # the same transaction, now aborted
        events = self.events()
        summary = [(e["ev"], e.get("txn"), e.get("result") or e.get("status")) for e in events]
        first, second = events[0]["txn"], events[5]["txn"]
        self.assertNotEqual(first, second)
        self.assertEqual(summary, [
            ("build", first, None), ("send", None, None), ("ack", None, "ok"), ("end", first, "commit"), ("ended", first, "ok"),
            ("build", second, None), ("send", None, None), ("ack", None, "ok"), ("end", second, "commit"),
            ("ended", second, "fail"), ("end", second, "abort"), ("ended", second, "ok"),
        ])
        self.assertEqual(events[9]["error"], "ProducerFencedError")

    def test_a_producer_without_transactions_is_refused(self):
        fake = FakeProducer()
        fake.config = {}
        with self.assertRaises(TypeError):
            _kafka_python.instrument_producer(fake, self.recorder)
        self.recorder.close()


class Packaging(unittest.TestCase):
    def test_the_installed_package_is_imported_and_the_old_path_still_works(self):
        self.assertNotIn(CHECKOUT, os.path.abspath(commitcheck_recorder.__file__),
                         "this run should import the installed package, not the checkout")
        old = subprocess.run([sys.executable, "-I", "-c",
                              "import sys; sys.path.insert(0, %r); from commitcheck_recorder import Recorder, instrument; "
                              "import commitcheck_recorder; print(commitcheck_recorder.__file__)" % CHECKOUT],
                             capture_output=True, text=True, check=True)
        self.assertTrue(old.stdout.strip().startswith(CHECKOUT), old.stdout)

    def test_an_unknown_client_is_a_clear_error(self):
        with self.assertRaisesRegex(TypeError, "not a client the recorder knows"):
            instrument(object(), None)


if __name__ == "__main__":
    unittest.main()
