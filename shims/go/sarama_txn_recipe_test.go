package commitcheck

// The README's recipe for Sarama's transactional producer, run against a small stand-in for it
// (Sarama's source is not available to the project's machines). The stand-in keeps Sarama's
// behaviour that the recipe depends on (transaction_manager.go): AddOffsetsToTxn only stores the
// offsets in the producer; CommitTxn publishes them (AddOffsetsToTxn, TxnOffsetCommit) and sends
// EndTxn, and sends nothing at all for a transaction that produced no records; AbortTxn discards
// the offsets; a fenced producer's EndTxn fails with PRODUCER_FENCED. The application code in
// processBatch is the README's, every added line marked "commitcheck".

import (
	"fmt"
	"strings"
	"testing"
)

func (e KError) Error() string { return fmt.Sprintf("kafka server: error %d", int16(e)) }

type PartitionOffsetMetadata struct {
	Partition int32
	Offset    int64
	Metadata  *string
}

// txnBroker is the group coordinator's committed offsets: staged ones become visible on commit.
type txnBroker struct {
	committed map[string]int64 // "group topic/partition" -> offset
	ends      []string         // the EndTxn requests received, "commit" or "abort"
}

type txnProducer struct {
	broker   *txnBroker
	fenced   bool
	inTxn    bool
	records  int
	offsets  map[string]map[string]int64 // group -> key -> offset, kept in the producer
	produced []string
}

func (p *txnProducer) BeginTxn() error {
	p.inTxn, p.records, p.offsets = true, 0, map[string]map[string]int64{}
	return nil
}

func (p *txnProducer) send(value string) {
	p.records++
	p.produced = append(p.produced, value)
}

func (p *txnProducer) AddOffsetsToTxn(offsets map[string][]*PartitionOffsetMetadata, groupID string) error {
	if !p.inTxn {
		return KError(48) // INVALID_TXN_STATE: ErrTransactionNotReady in Sarama
	}
	if p.offsets[groupID] == nil {
		p.offsets[groupID] = map[string]int64{}
	}
	for topic, blocks := range offsets {
		for _, block := range blocks {
			p.offsets[groupID][Key(topic, block.Partition)] = block.Offset
		}
	}
	return nil
}

func (p *txnProducer) finish(commit bool) error {
	defer func() { p.inTxn = false }()
	if p.records == 0 {
		return nil // Sarama: "if no records has been sent don't do anything"
	}
	if commit {
		p.broker.ends = append(p.broker.ends, "commit")
	} else {
		p.broker.ends = append(p.broker.ends, "abort")
	}
	if p.fenced {
		return fmt.Errorf("txnmgr: %w", KError(90)) // PRODUCER_FENCED
	}
	if commit {
		for group, offsets := range p.offsets {
			for key, offset := range offsets {
				p.broker.committed[group+" "+key] = offset
			}
		}
	}
	return nil
}

func (p *txnProducer) CommitTxn() error { return p.finish(true) }
func (p *txnProducer) AbortTxn() error  { return p.finish(false) }

// processBatch is one consume-transform-produce transaction with the recipe's lines.
func processBatch(rec *Recorder, producer *txnProducer, thread, group, topic string, partition int32,
	next int64, values []string, abort bool) error {
	txn := rec.BeginTxn(thread, "eos-app") // commitcheck
	if err := producer.BeginTxn(); err != nil {
		return err
	}
	for _, value := range values {
		producer.send(value)
	}
	offsets := map[string][]*PartitionOffsetMetadata{topic: {{Partition: partition, Offset: next}}}
	err := txn.AddOffsets(group, map[string]int64{Key(topic, partition): next}, func() error { // commitcheck
		return producer.AddOffsetsToTxn(offsets, group)
	}) // commitcheck
	if err != nil {
		return err
	}
	produced := len(values) > 0 // commitcheck: Sarama sends nothing for a transaction without records
	if abort {
		return txn.Abort(produced, producer.AbortTxn) // commitcheck: wraps producer.AbortTxn()
	}
	return txn.Commit(produced, producer.CommitTxn) // commitcheck: wraps producer.CommitTxn()
}

// summary is each line after meta as "ev field ..." for comparison.
func summary(events []map[string]any) []string {
	var lines []string
	for _, event := range events[1:] {
		line := fmt.Sprint(event["ev"])
		for _, field := range []string{"offsets", "txn", "reset", "result", "status", "error"} {
			if value, ok := event[field]; ok {
				line += fmt.Sprintf(" %s=%v", field, value)
			}
		}
		lines = append(lines, line)
	}
	return lines
}

func TestSaramaTransactionRecipeRecordsStagingsEndsAndOutcomes(t *testing.T) {
	rec, path := newFile(t, "eos")
	broker := &txnBroker{committed: map[string]int64{}}
	producer := &txnProducer{broker: broker}
	thread := rec.NewThread("txn")
	steps := []struct {
		next   int64
		values []string
		abort  bool
	}{
		{3, []string{"a", "b", "c"}, false}, // committed: 3 visible
		{10, []string{"d"}, true},           // aborted: 10 never visible
		{5, []string{"e"}, false},           // committed: 5 visible
		{7, nil, false},                     // no records: Sarama sends nothing, 7 never staged
	}
	for _, step := range steps {
		if err := processBatch(rec, producer, thread, "g", "in", 0, step.next, step.values, step.abort); err != nil {
			t.Fatal(err)
		}
	}
	producer.fenced = true
	err := processBatch(rec, producer, thread, "g", "in", 0, 9, []string{"f"}, false)
	if code, ok := KafkaCode(err); !ok || code != 90 {
		t.Fatalf("the fenced commit returned %v", err)
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	events := readTrace(t, path)
	var txns []string
	for _, event := range events[1:] {
		if event["ev"] == "build" {
			txns = append(txns, event["txn"].(string))
		}
	}
	if len(txns) != 5 {
		t.Fatalf("builds with txn: %v", txns)
	}
	seen := map[string]bool{}
	for _, txn := range txns {
		if seen[txn] || !strings.HasPrefix(txn, "eos-app@eos#") {
			t.Fatalf("transaction ids %v: each transaction needs its own", txns)
		}
		seen[txn] = true
	}
	want := []string{
		"build offsets=map[in/0:3] txn=" + txns[0], "send", "end txn=" + txns[0] + " result=commit", "ack status=ok", "ended txn=" + txns[0] + " status=ok",
		"build offsets=map[in/0:10] txn=" + txns[1], "ack status=fail", "end txn=" + txns[1] + " result=abort", "ended txn=" + txns[1] + " status=ok",
		"build offsets=map[in/0:5] txn=" + txns[2], "send", "end txn=" + txns[2] + " result=commit", "ack status=ok", "ended txn=" + txns[2] + " status=ok",
		"build offsets=map[in/0:7] txn=" + txns[3], "ack status=fail",
		"build offsets=map[in/0:9] txn=" + txns[4], "send", "end txn=" + txns[4] + " result=commit", "ack status=unknown", "ended txn=" + txns[4] + " status=fail error=PRODUCER_FENCED",
	}
	if got := summary(events); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// What the trace says is visible (the last transaction whose commit-end got "ok") is what the
	// broker holds, and the broker saw exactly the ends the trace records.
	if broker.committed["g in/0"] != 5 || strings.Join(broker.ends, " ") != "commit abort commit commit" {
		t.Fatalf("broker: %v %v", broker.committed, broker.ends)
	}
	var traceEnds []string
	for _, event := range events[1:] {
		if event["ev"] == "end" {
			traceEnds = append(traceEnds, event["result"].(string))
		}
	}
	if strings.Join(traceEnds, " ") != strings.Join(broker.ends, " ") {
		t.Fatalf("trace ends %v, broker ends %v", traceEnds, broker.ends)
	}
}

func TestTransactionRecipeWithRecordingOffMakesTheSameCalls(t *testing.T) {
	broker := &txnBroker{committed: map[string]int64{}}
	producer := &txnProducer{broker: broker}
	var rec *Recorder
	if err := processBatch(rec, producer, rec.NewThread("txn"), "g", "in", 0, 4, []string{"x"}, false); err != nil {
		t.Fatal(err)
	}
	if broker.committed["g in/0"] != 4 || len(broker.ends) != 1 {
		t.Fatalf("broker %v %v", broker.committed, broker.ends)
	}
	if rec.BeginTxn("t", "id").ID() != "" || rec.NewTxn("id") != "" {
		t.Fatal("a nil recorder made a transaction id")
	}
}

func TestBuildOnlyModeLeavesTransactionEndsToTheProxy(t *testing.T) {
	rec, path := newFile(t, "eos")
	rec.SetBuildOnly(true)
	broker := &txnBroker{committed: map[string]int64{}}
	if err := processBatch(rec, &txnProducer{broker: broker}, "T", "g", "in", 0, 2, []string{"v"}, false); err != nil {
		t.Fatal(err)
	}
	_ = rec.Close()
	got := summary(readTrace(t, path))
	if len(got) != 1 || !strings.HasPrefix(got[0], "build offsets=map[in/0:2] txn=eos-app@eos#") {
		t.Fatalf("build-only wrote %v", got)
	}
}

func TestResetBuildAndOptions(t *testing.T) {
	rec, path := newFile(t, "p")
	at := rec.Now()
	rewind := rec.BuildReset("T", "g", map[string]int64{"t/0": 0})
	cleared := rec.BuildWith("T", "g", map[string]int64{"t/1": -1}, BuildOptions{Reset: true, At: &at})
	plain := rec.Build("T", "g", map[string]int64{"t/0": 4})
	_ = rec.Close()
	events := readTrace(t, path)
	if events[1]["commit"] != rewind || events[1]["reset"] != true || events[1]["txn"] != nil {
		t.Fatalf("reset build %v", events[1])
	}
	if events[2]["commit"] != cleared || events[2]["reset"] != true || events[2]["ts"].(float64) != float64(at) {
		t.Fatalf("reset build with a stamp %v", events[2])
	}
	if offsets := events[2]["offsets"].(map[string]any); offsets["t/1"] != float64(-1) {
		t.Fatalf("a reset to -1: %v", offsets)
	}
	if events[3]["commit"] != plain || events[3]["reset"] != nil || events[3]["txn"] != nil {
		t.Fatalf("a plain build carries %v", events[3])
	}
}

func TestEndOutcomesAndKafkaCodes(t *testing.T) {
	cases := map[int16]string{0: "ok", 90: "fail", 47: "fail", 49: "fail", 53: "fail", 7: "unknown", 16: "unknown", 51: "unknown", 999: "unknown"}
	for code, want := range cases {
		if got := EndOutcome(code); got != want {
			t.Errorf("EndOutcome(%d) = %s, want %s", code, got, want)
		}
	}
	if code, ok := KafkaCode(fmt.Errorf("outer: %w", fmt.Errorf("inner: %w", KError(47)))); !ok || code != 47 {
		t.Fatalf("wrapped code: %d %v", code, ok)
	}
	if _, ok := KafkaCode(fmt.Errorf("i/o timeout")); ok {
		t.Fatal("a plain error has no Kafka code")
	}
	rec, path := newFile(t, "p")
	rec.EndedError("T", "x", fmt.Errorf("i/o timeout"))
	rec.EndedError("T", "x", KError(16))
	rec.EndedError("T", "x", nil)
	rec.Completed("T", "x")
	_ = rec.Close()
	got := strings.Join(summary(readTrace(t, path)), "; ")
	want := "ended txn=x status=unknown; ended txn=x status=unknown error=NOT_COORDINATOR; ended txn=x status=ok; completed txn=x"
	if got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}
