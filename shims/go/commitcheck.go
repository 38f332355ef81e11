// Package commitcheck records a Kafka client's commit activity as a commitcheck/1 trace.
//
// Copy this file next to your consumer (it uses only the standard library). It could not be
// compiled where it was written (no Go module downloads there), so treat it as a careful sketch
// and run `go vet` on it once.
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

// Recorder writes events to a file or to `commitcheck record --listen ...`. Safe for concurrent use.
type Recorder struct {
	mu     sync.Mutex
	proc   string
	file   *os.File
	conn   net.Conn
	ids    atomic.Int64
	start  time.Time
	closed bool
}

// NewFileRecorder writes a fresh trace file (one per process; verify them together).
func NewFileRecorder(path, proc string) (*Recorder, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if _, err := f.WriteString(`{"ev":"meta","format":"commitcheck/1","clock":"monotonic"}` + "\n"); err != nil {
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

// NewThread returns a label no other call returns: use it for one sequential piece of code.
func (r *Recorder) NewThread(name string) string {
	return fmt.Sprintf("%s-%d", name, r.ids.Add(1))
}

// Build records that a commit request was built with these offsets ("topic/partition" -> next
// offset to consume) and returns the commit id for Send and Ack.
func (r *Recorder) Build(thread, group string, offsets map[string]int64) string {
	id := fmt.Sprintf("%s-%d", r.proc, r.ids.Add(1))
	r.record(thread, map[string]any{"ev": "build", "commit": id, "group": group, "offsets": offsets})
	return id
}

// Send records that the request was handed to a connection. Pass conn (for example the broker's
// address) only when you record it while holding the lock that orders writes on that connection.
func (r *Recorder) Send(thread, commit, conn string) {
	event := map[string]any{"ev": "send", "commit": commit}
	if conn != "" {
		event["conn"] = conn
	}
	r.record(thread, event)
}

// Ack records the response: "ok" (applied except errors), "fail" (applied nowhere), "unknown".
func (r *Recorder) Ack(thread, commit, status string, errors map[string]string) {
	event := map[string]any{"ev": "ack", "commit": commit, "status": status}
	if len(errors) > 0 {
		event["errors"] = errors
	}
	r.record(thread, event)
}

// Fetch records an OffsetFetch for these partitions and returns its id for Fetched.
func (r *Recorder) Fetch(thread, group string, partitions []string) string {
	id := fmt.Sprintf("%s-f%d", r.proc, r.ids.Add(1))
	r.record(thread, map[string]any{"ev": "fetch", "fetch": id, "group": group, "partitions": partitions})
	return id
}

// Fetched records what the OffsetFetch returned (-1: nothing committed).
func (r *Recorder) Fetched(thread, fetch string, offsets map[string]int64) {
	r.record(thread, map[string]any{"ev": "fetched", "fetch": fetch, "offsets": offsets})
}

// Close syncs the file, or half-closes the collector connection and waits for its "ok".
func (r *Recorder) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil
	}
	r.closed = true
	if r.file != nil {
		if err := r.file.Sync(); err != nil {
			return err
		}
		return r.file.Close()
	}
	_ = r.conn.(interface{ CloseWrite() error }).CloseWrite()
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

func (r *Recorder) record(thread string, event map[string]any) {
	event["proc"] = r.proc
	event["thread"] = thread
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return
	}
	// time.Since uses Go's monotonic clock reading; taken under the lock, line order = clock order.
	event["ts"] = time.Since(r.start).Nanoseconds()
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
