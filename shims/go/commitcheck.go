// Package commitcheck records a Kafka client's commit activity as a commitcheck/1 trace.
//
// Standard library only; it compiles and vets with Go 1.19 or later (it uses atomic.Int64 and
// atomic.Pointer). `go test` in shims/go runs its tests.
//
// Three ways to use it:
//
//   - In your application: `go get github.com/commitcheck/commitcheck/shims/go` and import it
//     (the package is named commitcheck; `import commitcheck "github.com/commitcheck/commitcheck/shims/go"`
//     says so), then call Build/Send/Ack around your own commits, and BuildTxn/End/Ended (or a Txn)
//     around a Sarama transactional producer's AddOffsetsToTxn, CommitTxn and AbortTxn.
//   - Inside a patched Sarama: copy commitcheck.go into a subpackage of Sarama's module (for example
//     <sarama>/commitcheck, imported by offset_manager.go as "github.com/IBM/sarama/commitcheck"),
//     patch flushToBroker to call Active() (the README's "Go (Sarama)" recipes for v1.43.2 and v1.43.3), and set the hook from
//     your program with SetActive(rec). Package sarama cannot import your application, but your
//     application can import Sarama's subpackage: the package-level hook is how the two meet.
//     A nil hook (the default) means recording is off, and every method of a nil *Recorder does
//     nothing, so the patched Sarama runs unchanged until a program sets the hook.
//
// Go has no goroutine ids, so every event names its "thread" explicitly: a label for one
// sequential piece of code (a ConsumeClaim goroutine, one flushToBroker call). Never give two
// goroutines that can run at the same time the same label: that would claim an order that does
// not exist. When in doubt, use rec.NewThread("name"), which is unique.
package commitcheck

import (
	"encoding/json"
	"fmt"
	"net"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// MetadataPrefix starts the commit metadata that joins a client's build with the proxy's send:
// `commitcheck proxy` names a commit whose every partition carries "commitcheck:ID" with that ID.
const MetadataPrefix = "commitcheck:"

// Recorder writes events to a file or to `commitcheck record --listen ...`. Safe for concurrent
// use. A nil *Recorder is valid and records nothing (recording off).
type Recorder struct {
	mu        sync.Mutex
	proc      string
	file      *os.File
	conn      net.Conn
	ids       atomic.Int64
	start     time.Time
	closed    bool
	buildOnly bool
	tag       bool
}

// Stamp is a reading of the recorder's monotonic clock (nanoseconds since the recorder started).
// Take one with Now at the moment a snapshot is taken and pass it to BuildAt, so the build event
// carries the snapshot's time, not the time its line was written.
type Stamp int64

var active atomic.Pointer[Recorder]

// SetActive sets the package-level hook that patched library code (Sarama's flushToBroker) reads
// with Active. nil turns recording off.
func SetActive(r *Recorder) { active.Store(r) }

// Active returns the recorder set with SetActive, or nil (recording off; every method of a nil
// recorder does nothing).
func Active() *Recorder { return active.Load() }

// NewFileRecorder writes a fresh trace file (one per process; verify them together).
func NewFileRecorder(path, proc string) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(`{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}` + "\n"); err != nil {
		_ = f.Close()
		return nil, err
	}
	return &Recorder{proc: proc, file: f, start: time.Now()}, nil
}

// NewCollectorRecorder streams to a collector at "HOST:PORT" or "unix:PATH".
func NewCollectorRecorder(address, proc string) (*Recorder, error) {
	network := "tcp"
	if strings.HasPrefix(address, "unix:") {
		network, address = "unix", strings.TrimPrefix(address, "unix:")
	}
	c, err := net.Dial(network, address)
	if err != nil {
		return nil, err
	}
	return &Recorder{proc: proc, conn: c, start: time.Now()}, nil
}

// SetBuildOnly makes the recorder write only build events (and Abandon's acks), and turns on
// SetTagMetadata: the mode for a client whose trace is verified together with `commitcheck
// proxy`'s, where the proxy records every send, ack, fetch and fetched from the wire. Recording
// those on the client too would give one commit two sends. Call it before the first event.
func (r *Recorder) SetBuildOnly(on bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.buildOnly = on
	r.tag = r.tag || on
	r.mu.Unlock()
}

// SetTagMetadata makes BuildRequest put "commitcheck:ID" into every partition's commit metadata
// (restored by the function it returns), so that the proxy names the commit with the build's id.
// Its cost: for the duration of the request the broker receives, and stores, the tag in place of
// the application's metadata; a program that reads committed metadata back sees the tag.
func (r *Recorder) SetTagMetadata(on bool) {
	if r == nil {
		return
	}
	r.mu.Lock()
	r.tag = on
	r.mu.Unlock()
}

// TagsMetadata says whether BuildRequest writes "commitcheck:ID" into the request's metadata.
func (r *Recorder) TagsMetadata() bool {
	if r == nil {
		return false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.tag
}

// Blocks walks a commit request's partitions for BuildRequest: it calls visit once per partition
// with the offset and a pointer to the metadata string the request will carry. Written inside the
// patched library, where the request's fields are visible, for example in Sarama:
//
//	func(visit func(string, int32, int64, *string)) {
//		for topic, blocks := range req.blocks {
//			for partition, block := range blocks {
//				visit(topic, partition, block.offset, &block.metadata)
//			}
//		}
//	}
type Blocks func(visit func(topic string, partition int32, offset int64, metadata *string))

// BuildRequest records the build of a request whose partitions blocks walks, stamped at (from
// Now, taken before the snapshot), and returns the commit id, the partitions for AckCodes, and a
// function that puts the original metadata back. With TagsMetadata each partition's metadata is
// "commitcheck:ID" until restore runs: call restore as soon as the request is written, before the
// client looks at the response (Sarama's updateCommitted compares the metadata it sent with the
// metadata it holds; left tagged, every partition stays dirty and is committed again and again).
// A nil recorder records nothing, changes nothing and returns a no-op restore.
func (r *Recorder) BuildRequest(at Stamp, thread, group string, blocks Blocks) (id string, partitions []string, restore func()) {
	if r == nil {
		return "", nil, func() {}
	}
	offsets := map[string]int64{}
	var fields []*string
	blocks(func(topic string, partition int32, offset int64, metadata *string) {
		key := Key(topic, partition)
		offsets[key] = offset
		partitions = append(partitions, key)
		fields = append(fields, metadata)
	})
	id = r.BuildAt(at, thread, group, offsets)
	if !r.TagsMetadata() {
		return id, partitions, func() {}
	}
	saved := make([]string, len(fields))
	for i, field := range fields {
		saved[i] = *field
		*field = Metadata(id)
	}
	return id, partitions, func() {
		for i, field := range fields {
			*field = saved[i]
		}
	}
}

// Codes collects an OffsetCommit response's per-partition error codes for AckCodes from a walk
// over them, for example in Sarama:
//
//	commitcheck.Codes(func(visit func(string, int32, int16)) {
//		for topic, errs := range resp.Errors {
//			for partition, kerr := range errs {
//				visit(topic, partition, int16(kerr))
//			}
//		}
//	})
func Codes(walk func(visit func(topic string, partition int32, code int16))) map[string]int16 {
	codes := map[string]int16{}
	walk(func(topic string, partition int32, code int16) { codes[Key(topic, partition)] = code })
	return codes
}

// NewThread returns a label no other call returns: use it for one sequential piece of code.
func (r *Recorder) NewThread(name string) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%s-%d", name, r.ids.Add(1))
}

// Now reads the recorder's clock, for BuildAt: take it right before the code that snapshots the
// offsets. A stamp taken early only loosens what the trace claims; one taken late could claim an
// order the snapshot did not have.
func (r *Recorder) Now() Stamp {
	if r == nil {
		return 0
	}
	return Stamp(time.Since(r.start).Nanoseconds())
}

// Build records, stamped now, that a commit request was built with these offsets
// ("topic/partition" -> next offset to consume) and returns the commit id for Send and Ack ("" on
// a nil recorder).
func (r *Recorder) Build(thread, group string, offsets map[string]int64) string {
	return r.build(thread, group, offsets, nil)
}

// BuildAt is Build stamped with the moment the offsets were snapshot (from Now) rather than the
// moment the line is written: under contention the two can be far enough apart to swap the order
// of two threads' snapshots.
func (r *Recorder) BuildAt(at Stamp, thread, group string, offsets map[string]int64) string {
	return r.build(thread, group, offsets, &at)
}

func (r *Recorder) build(thread, group string, offsets map[string]int64, at *Stamp) string {
	return r.BuildWith(thread, group, offsets, BuildOptions{At: at})
}

// BuildOptions are a build's optional fields.
type BuildOptions struct {
	// At stamps the build with the moment the offsets were snapshot (from Now); nil: now.
	At *Stamp
	// Txn names the transaction the offsets are staged in (Sarama's AddOffsetsToTxn, sent as
	// TxnOffsetCommit when the transaction commits): they become visible only if it commits.
	// Take the id from NewTxn, one per transaction. Empty: a plain OffsetCommit.
	Txn string
	// Reset marks an intended rewind (the application sought back and commits the lower offset on
	// purpose, an operator's reset): `monotonic` does not count a decrease into it. A reset's
	// offsets may be -1, "no committed offset".
	Reset bool
}

// BuildWith is Build with the optional fields of BuildOptions.
func (r *Recorder) BuildWith(thread, group string, offsets map[string]int64, options BuildOptions) string {
	if r == nil {
		return ""
	}
	id := fmt.Sprintf("%s-%d", r.proc, r.ids.Add(1))
	event := map[string]any{"ev": "build", "commit": id, "group": group, "offsets": offsets}
	if options.Txn != "" {
		event["txn"] = options.Txn
	}
	if options.Reset {
		event["reset"] = true
	}
	r.record(thread, event, options.At, true)
	return id
}

// BuildTxn records, stamped now, that offsets were staged in transaction txn (from NewTxn) and
// returns the commit id. With Sarama, call it where the application calls AddOffsetsToTxn; Txn
// wraps the whole transaction.
func (r *Recorder) BuildTxn(thread, txn, group string, offsets map[string]int64) string {
	return r.BuildWith(thread, group, offsets, BuildOptions{Txn: txn})
}

// BuildReset records, stamped now, a commit that rewinds on purpose (see BuildOptions.Reset).
func (r *Recorder) BuildReset(thread, group string, offsets map[string]int64) string {
	return r.BuildWith(thread, group, offsets, BuildOptions{Reset: true})
}

// Metadata is the commit metadata that joins this build with the proxy's trace: put it in every
// partition of the request for the duration of the send, then put the original metadata back
// before the client looks at the response (see the README: Sarama compares it to decide whether a
// partition is still dirty). The broker stores it in place of the application's metadata.
func Metadata(commit string) string { return MetadataPrefix + commit }

// Send records that the request was handed to a connection. Pass conn (for example the broker's
// address) only when you record it while holding the lock that orders writes on that connection.
func (r *Recorder) Send(thread, commit, conn string) {
	if r == nil || commit == "" {
		return
	}
	event := map[string]any{"ev": "send", "commit": commit}
	if conn != "" {
		event["conn"] = conn
	}
	r.record(thread, event, nil, false)
}

// Ack records the response: "ok" (applied except the partitions in errors), "fail" (applied
// nowhere), "unknown" (may or may not have applied, at any time: the checker does not bound the
// apply point by an unknown ack, since the broker may apply a request after the client gave up).
func (r *Recorder) Ack(thread, commit, status string, errors map[string]string) {
	if r == nil || commit == "" {
		return
	}
	event := map[string]any{"ev": "ack", "commit": commit, "status": status}
	if len(errors) > 0 {
		event["errors"] = errors
	}
	r.record(thread, event, nil, false)
}

// AckError records the response to a request whose send or receive returned err: a nil err is
// not an answer (use AckCodes); any error means the request may have been written, so "unknown".
func (r *Recorder) AckError(thread, commit string, err error) {
	if err == nil {
		return
	}
	r.Ack(thread, commit, "unknown", nil)
}

// AckCodes records the response from the per-partition error codes of an OffsetCommit response
// ("topic/partition" -> Kafka error code, 0 = none), for the partitions the request carried, the
// way `commitcheck proxy` reads the wire: see Outcome. A partition of the request that the
// response does not mention counts as ambiguous.
func (r *Recorder) AckCodes(thread, commit string, requested []string, codes map[string]int16) {
	status, errors := AckFromCodes(requested, codes)
	r.Ack(thread, commit, status, errors)
}

// AckFromCodes is AckCodes' mapping: any ambiguous partition makes the whole ack "unknown"; all
// partitions rejected make it "fail"; otherwise "ok" with the rejected partitions (by Kafka error
// name) in errors.
func AckFromCodes(requested []string, codes map[string]int16) (string, map[string]string) {
	rejected := map[string]string{}
	for _, partition := range requested {
		code, answered := codes[partition]
		if !answered {
			return "unknown", nil
		}
		switch Outcome(code) {
		case Applied:
		case Rejected:
			rejected[partition] = ErrorName(code)
		default:
			return "unknown", nil
		}
	}
	if len(rejected) == len(requested) && len(requested) > 0 {
		return "fail", nil
	}
	if len(rejected) == 0 {
		return "ok", nil
	}
	return "ok", rejected
}

// Abandon records that a built request was never sent (for example Sarama v1.43.2's
// coordinator() failed after the snapshot): it applied nowhere, so its ack is "fail". Without it,
// a build with no send and no ack counts as a request that may still apply. Recorded in
// build-only mode too, since the proxy never sees such a request.
func (r *Recorder) Abandon(thread, commit string) {
	if r == nil || commit == "" {
		return
	}
	r.record(thread, map[string]any{"ev": "ack", "commit": commit, "status": "fail"}, nil, true)
}

// Fetch records an OffsetFetch for these partitions and returns its id for Fetched.
func (r *Recorder) Fetch(thread, group string, partitions []string) string {
	if r == nil {
		return ""
	}
	id := fmt.Sprintf("%s-f%d", r.proc, r.ids.Add(1))
	r.record(thread, map[string]any{"ev": "fetch", "fetch": id, "group": group, "partitions": partitions}, nil, false)
	return id
}

// Fetched records what the OffsetFetch returned (-1: nothing committed).
func (r *Recorder) Fetched(thread, fetch string, offsets map[string]int64) {
	if r == nil || fetch == "" {
		return
	}
	r.record(thread, map[string]any{"ev": "fetched", "fetch": fetch, "offsets": offsets}, nil, false)
}

// Close syncs the file, or half-closes the collector connection and waits for its "ok".
func (r *Recorder) Close() error {
	if r == nil {
		return nil
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	if r.file != nil {
		if err := r.file.Sync(); err != nil {
			_ = r.file.Close()
			return err
		}
		return r.file.Close()
	}
	if half, ok := r.conn.(interface{ CloseWrite() error }); ok {
		_ = half.CloseWrite()
	}
	answer := make([]byte, 0, 256)
	buf := make([]byte, 256)
	for {
		n, err := r.conn.Read(buf)
		answer = append(answer, buf[:n]...)
		if err != nil {
			break
		}
	}
	_ = r.conn.Close()
	if !strings.Contains(string(answer), "ok ") || strings.Contains(string(answer), "error") {
		return fmt.Errorf("collector: %s", strings.TrimSpace(string(answer)))
	}
	return nil
}

// record writes one line. inBuildOnly says whether the event is written in build-only mode.
func (r *Recorder) record(thread string, event map[string]any, at *Stamp, inBuildOnly bool) {
	event["proc"] = r.proc
	event["thread"] = thread
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed || (r.buildOnly && !inBuildOnly) {
		return
	}
	if at != nil {
		event["ts"] = int64(*at)
	} else {
		// time.Since uses Go's monotonic clock reading; taken under the lock, so the events
		// stamped here are in line order.
		event["ts"] = time.Since(r.start).Nanoseconds()
	}
	line, _ := json.Marshal(event)
	line = append(line, '\n')
	if r.file != nil {
		_, _ = r.file.Write(line)
	} else {
		_, _ = r.conn.Write(line)
	}
}

// Key spells a partition the trace's way.
func Key(topic string, partition int32) string { return fmt.Sprintf("%s/%d", topic, partition) }

// CommitOutcome is what an OffsetCommit partition error code says about the write.
type CommitOutcome int

const (
	// Applied: error code 0, the offset was written.
	Applied CommitOutcome = iota
	// Rejected: the coordinator refused the partition before writing anything.
	Rejected
	// Ambiguous: any other code; the write may or may not have happened (or happen later).
	Ambiguous
)

// Outcome classifies an OffsetCommit partition error code exactly as `commitcheck proxy` does
// (Sources/KafkaWire/KafkaErrorCode.swift, OffsetCommitOutcome): validation errors are rejected,
// everything else, unknown codes included, is ambiguous, because the coordinator's append can
// fail after the record reached the log.
func Outcome(code int16) CommitOutcome {
	switch code {
	case 0:
		return Applied
	case 22, 25, 27, 12, 3, 29, 30, 24, 69, 82, 110, 113, 100, 35, 14:
		return Rejected
	default:
		return Ambiguous
	}
}

var rejectedNames = map[int16]string{
	3: "UNKNOWN_TOPIC_OR_PARTITION", 12: "OFFSET_METADATA_TOO_LARGE", 14: "COORDINATOR_LOAD_IN_PROGRESS",
	22: "ILLEGAL_GENERATION", 24: "INVALID_GROUP_ID", 25: "UNKNOWN_MEMBER_ID", 27: "REBALANCE_IN_PROGRESS",
	29: "TOPIC_AUTHORIZATION_FAILED", 30: "GROUP_AUTHORIZATION_FAILED", 35: "UNSUPPORTED_VERSION",
	69: "GROUP_ID_NOT_FOUND", 82: "FENCED_INSTANCE_ID", 100: "UNKNOWN_TOPIC_ID", 110: "FENCED_MEMBER_EPOCH",
	113: "STALE_MEMBER_EPOCH",
}

// ErrorName is the Kafka name of a rejecting error code (as the proxy writes it in an ack's
// errors), or the number for others.
func ErrorName(code int16) string {
	if name, ok := rejectedNames[code]; ok {
		return name
	}
	return fmt.Sprint(code)
}
