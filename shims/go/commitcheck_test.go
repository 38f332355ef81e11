package commitcheck

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// readTrace returns the trace's lines as JSON objects.
func readTrace(t *testing.T, path string) []map[string]any {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var events []map[string]any
	for i, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		var event map[string]any
		if err := json.Unmarshal([]byte(line), &event); err != nil {
			t.Fatalf("line %d is not JSON: %v: %s", i+1, err, line)
		}
		events = append(events, event)
	}
	return events
}

func newFile(t *testing.T, proc string) (*Recorder, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "trace.jsonl")
	rec, err := NewFileRecorder(path, proc)
	if err != nil {
		t.Fatal(err)
	}
	return rec, path
}

func TestNilRecorderIsOff(t *testing.T) {
	SetActive(nil)
	rec := Active()
	if rec != nil {
		t.Fatal("the hook is on by default")
	}
	// Every call a patched flushToBroker makes must be harmless with recording off.
	thread := rec.NewThread("flush")
	at := rec.Now()
	id := rec.BuildAt(at, thread, "g", map[string]int64{"t/0": 1})
	rec.Send(thread, id, "broker:9092")
	rec.AckCodes(thread, id, []string{"t/0"}, map[string]int16{"t/0": 0})
	rec.AckError(thread, id, errors.New("eof"))
	rec.Abandon(thread, id)
	rec.SetBuildOnly(true)
	if id != "" || thread != "" || at != 0 || rec.Close() != nil {
		t.Fatalf("nil recorder returned %q %q %d", id, thread, at)
	}
}

func TestHookReachesTheRecorderTheProgramSets(t *testing.T) {
	rec, path := newFile(t, "app")
	SetActive(rec)
	defer SetActive(nil)
	// What patched library code does: it knows only the package-level hook.
	hooked := Active()
	id := hooked.Build(hooked.NewThread("flush"), "g", map[string]int64{"t/0": 5})
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	events := readTrace(t, path)
	if len(events) != 2 || events[1]["ev"] != "build" || events[1]["commit"] != id {
		t.Fatalf("got %v", events)
	}
}

func TestBuildSendAckLines(t *testing.T) {
	rec, path := newFile(t, "consumer-1")
	thread := rec.NewThread("flush")
	id := rec.Build(thread, "billing", map[string]int64{Key("orders", 0): 12})
	rec.Send(thread, id, "127.0.0.1:9092")
	rec.Ack(thread, id, "ok", nil)
	other := rec.NewThread("flush")
	if other == thread {
		t.Fatal("NewThread returned the same label twice")
	}
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	events := readTrace(t, path)
	if events[0]["ev"] != "meta" || events[0]["format"] != "commitcheck/1" {
		t.Fatalf("first line %v", events[0])
	}
	want := []string{"build", "send", "ack"}
	var last float64 = -1
	for i, ev := range want {
		event := events[i+1]
		if event["ev"] != ev || event["commit"] != id || event["proc"] != "consumer-1" || event["thread"] != thread {
			t.Fatalf("line %d: %v", i+2, event)
		}
		ts, ok := event["ts"].(float64)
		if !ok || ts < last {
			t.Fatalf("line %d: ts %v after %v", i+2, event["ts"], last)
		}
		last = ts
	}
	if offsets := events[1]["offsets"].(map[string]any); offsets["orders/0"] != float64(12) {
		t.Fatalf("offsets %v", offsets)
	}
	if events[2]["conn"] != "127.0.0.1:9092" || events[3]["status"] != "ok" {
		t.Fatalf("send %v ack %v", events[2], events[3])
	}
}

func TestBuildAtCarriesTheSnapshotStamp(t *testing.T) {
	rec, path := newFile(t, "p")
	first := rec.Now()
	second := rec.Now()
	// The later snapshot's line is written first (the run-5 case): each keeps its own stamp.
	b := rec.BuildAt(second, "G1", "g", map[string]int64{"t/0": 2})
	a := rec.BuildAt(first, "G0", "g", map[string]int64{"t/0": 1})
	_ = rec.Close()
	events := readTrace(t, path)
	if events[1]["commit"] != b || events[2]["commit"] != a {
		t.Fatalf("%v", events)
	}
	if events[1]["ts"].(float64) != float64(second) || events[2]["ts"].(float64) != float64(first) || first > second {
		t.Fatalf("stamps %v %v, want %d %d", events[1]["ts"], events[2]["ts"], second, first)
	}
}

func TestBuildOnlyModeWritesOnlyBuildsAndAbandons(t *testing.T) {
	rec, path := newFile(t, "client")
	rec.SetBuildOnly(true)
	thread := rec.NewThread("flush")
	id := rec.Build(thread, "g", map[string]int64{"t/0": 1})
	rec.Send(thread, id, "b:1")
	rec.Ack(thread, id, "ok", nil)
	rec.AckError(thread, id, errors.New("timeout"))
	fetch := rec.Fetch(thread, "g", []string{"t/0"})
	rec.Fetched(thread, fetch, map[string]int64{"t/0": 1})
	lost := rec.Build(thread, "g", map[string]int64{"t/0": 2})
	rec.Abandon(thread, lost)
	_ = rec.Close()
	events := readTrace(t, path)
	var kinds []string
	for _, event := range events[1:] {
		kinds = append(kinds, fmt.Sprint(event["ev"], ":", event["commit"]))
	}
	want := []string{"build:" + id, "build:" + lost, "ack:" + lost}
	if strings.Join(kinds, " ") != strings.Join(want, " ") {
		t.Fatalf("got %v, want %v", kinds, want)
	}
	if events[3]["status"] != "fail" {
		t.Fatalf("abandoned build acked %v", events[3])
	}
	if Metadata(id) != "commitcheck:"+id {
		t.Fatal(Metadata(id))
	}
}

func TestAckMappingAgreesWithTheProxy(t *testing.T) {
	requested := []string{"t/0", "t/1"}
	cases := []struct {
		codes  map[string]int16
		status string
		errors map[string]string
	}{
		{map[string]int16{"t/0": 0, "t/1": 0}, "ok", nil},
		{map[string]int16{"t/0": 0, "t/1": 22}, "ok", map[string]string{"t/1": "ILLEGAL_GENERATION"}},
		{map[string]int16{"t/0": 25, "t/1": 27}, "fail", nil},
		// NOT_COORDINATOR, REQUEST_TIMED_OUT, COORDINATOR_NOT_AVAILABLE: the write may have happened.
		{map[string]int16{"t/0": 0, "t/1": 16}, "unknown", nil},
		{map[string]int16{"t/0": 22, "t/1": 7}, "unknown", nil},
		{map[string]int16{"t/0": 15, "t/1": 0}, "unknown", nil},
		// A code nobody knows, and a partition the response left out.
		{map[string]int16{"t/0": 0, "t/1": 999}, "unknown", nil},
		{map[string]int16{"t/0": 0}, "unknown", nil},
	}
	for _, c := range cases {
		status, errs := AckFromCodes(requested, c.codes)
		if status != c.status || fmt.Sprint(errs) != fmt.Sprint(c.errors) && !(len(errs) == 0 && len(c.errors) == 0) {
			t.Errorf("%v: got %s %v, want %s %v", c.codes, status, errs, c.status, c.errors)
		}
	}
}

func TestTransportErrorIsUnknown(t *testing.T) {
	rec, path := newFile(t, "p")
	id := rec.Build("T", "g", map[string]int64{"t/0": 1})
	rec.Send("T", id, "")
	rec.AckError("T", id, nil) // not an answer: nothing recorded
	rec.AckError("T", id, errors.New("i/o timeout"))
	_ = rec.Close()
	events := readTrace(t, path)
	if len(events) != 4 || events[3]["status"] != "unknown" {
		t.Fatalf("%v", events)
	}
}

func TestConcurrentThreadsGetUniqueIDsAndWholeLines(t *testing.T) {
	rec, path := newFile(t, "p")
	var wg sync.WaitGroup
	ids := make(chan string, 400)
	for g := 0; g < 8; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			for i := 0; i < 50; i++ {
				thread := rec.NewThread("claim")
				at := rec.Now()
				id := rec.BuildAt(at, thread, "g", map[string]int64{Key("t", int32(g)): int64(i + 1)})
				rec.Send(thread, id, "")
				rec.Ack(thread, id, "ok", nil)
				ids <- id
			}
		}(g)
	}
	wg.Wait()
	close(ids)
	_ = rec.Close()
	seen := map[string]bool{}
	for id := range ids {
		if seen[id] {
			t.Fatalf("id %s twice", id)
		}
		seen[id] = true
	}
	if events := readTrace(t, path); len(events) != 1+3*400 {
		t.Fatalf("%d lines", len(events))
	}
}

func TestCollectorRecorderStreamsAndWaitsForOK(t *testing.T) {
	listener, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer listener.Close()
	lines := make(chan int, 1)
	go func() {
		conn, err := listener.Accept()
		if err != nil {
			lines <- -1
			return
		}
		defer conn.Close()
		n := 0
		scanner := bufio.NewScanner(conn)
		for scanner.Scan() {
			n++
		}
		fmt.Fprintf(conn, "ok %d 0\n", n)
		lines <- n
	}()
	rec, err := NewCollectorRecorder(listener.Addr().String(), "p")
	if err != nil {
		t.Fatal(err)
	}
	id := rec.Build("T", "g", map[string]int64{"t/0": 1})
	rec.Send("T", id, "")
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
	if n := <-lines; n != 2 {
		t.Fatalf("collector read %d lines", n)
	}
}

// TestWriteFixtures writes, when asked by the Swift test (Tests/RecordingTests/GoShimTests.swift),
// the classification of every error code and a trace of Sarama's race recorded with the shim, so
// that the Swift side checks them against the proxy's classification and the verifier.
func TestWriteFixtures(t *testing.T) {
	folder := os.Getenv("COMMITCHECK_GO_FIXTURES")
	if folder == "" {
		t.Skip("COMMITCHECK_GO_FIXTURES not set")
	}
	var rows []string
	for code := -1; code <= 130; code++ {
		rows = append(rows, fmt.Sprintf("%d %d", code, Outcome(int16(code))))
	}
	sort.Strings(rows)
	if err := os.WriteFile(filepath.Join(folder, "outcomes.txt"), []byte(strings.Join(rows, "\n")+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// DESIGN §1's race, as the v1.43.2 recipe records it: send without conn, acks from codes.
	rec, err := NewFileRecorder(filepath.Join(folder, "race.jsonl"), "sarama")
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{"orders/0", "orders/1"}
	g0, g1 := rec.NewThread("flush"), rec.NewThread("flush")
	a := rec.BuildAt(rec.Now(), g0, "billing", map[string]int64{"orders/0": 11})
	b := rec.BuildAt(rec.Now(), g1, "billing", map[string]int64{"orders/0": 11, "orders/1": 21})
	rec.Send(g0, a, "")
	rec.AckCodes(g0, a, parts[:1], map[string]int16{"orders/0": 0})
	g2 := rec.NewThread("flush")
	c := rec.BuildAt(rec.Now(), g2, "billing", map[string]int64{"orders/0": 12, "orders/1": 21})
	rec.Send(g2, c, "")
	rec.AckCodes(g2, c, parts, map[string]int16{"orders/0": 0, "orders/1": 0})
	rec.Send(g1, b, "")
	rec.AckCodes(g1, b, parts, map[string]int16{"orders/0": 0, "orders/1": 0})
	// A snapshot whose coordinator lookup failed: never sent, so it must not count as "may apply".
	g3 := rec.NewThread("flush")
	lost := rec.BuildAt(rec.Now(), g3, "billing", map[string]int64{"orders/1": 5})
	rec.Abandon(g3, lost)
	if err := rec.Close(); err != nil {
		t.Fatal(err)
	}
}
