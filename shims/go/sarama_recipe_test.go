package commitcheck

// The README's Sarama recipes, run against a small stand-in for Sarama's offset manager (the real
// one cannot be built here: its source is not available to the project's machines). The types
// and field names are Sarama's (offset_manager.go, offset_commit_request.go), so the patched
// flushToBroker bodies below are the README's lines as they go into Sarama, with the package
// qualifier `commitcheck.` as the only difference (this test is inside the package).

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
)

type KError int16

type offsetCommitRequestBlock struct {
	offset   int64
	metadata string
}

type OffsetCommitRequest struct {
	blocks map[string]map[int32]*offsetCommitRequestBlock
}

type OffsetCommitResponse struct {
	Errors map[string]map[int32]KError
}

// Broker is the coordinator connection: lock orders writes; stored is what the broker keeps.
type Broker struct {
	lock     sync.Mutex
	addr     string
	mu       sync.Mutex
	stored   map[string]offsetCommitRequestBlock
	refuse   map[string]KError
	received [][]string // metadata of each request, in arrival order
}

func (b *Broker) Addr() string { return b.addr }

// apply is the broker side: it copies what the request carries when the request is written.
func (b *Broker) apply(req *OffsetCommitRequest) *OffsetCommitResponse {
	b.mu.Lock()
	defer b.mu.Unlock()
	resp := &OffsetCommitResponse{Errors: map[string]map[int32]KError{}}
	var seen []string
	for topic, blocks := range req.blocks {
		resp.Errors[topic] = map[int32]KError{}
		for partition, block := range blocks {
			key := Key(topic, partition)
			seen = append(seen, block.metadata)
			if code, refused := b.refuse[key]; refused {
				resp.Errors[topic][partition] = code
				continue
			}
			b.stored[key] = *block
			resp.Errors[topic][partition] = 0
		}
	}
	b.received = append(b.received, seen)
	return resp
}

type responsePromise struct{ resp *OffsetCommitResponse }

// sendOffsetCommit writes the request (under broker.lock in v1.43.3) and returns the promise.
func sendOffsetCommit(broker *Broker, req *OffsetCommitRequest) (*OffsetCommitResponse, *responsePromise, error) {
	resp := broker.apply(req)
	return resp, &responsePromise{resp}, nil
}

func handleResponsePromise(req *OffsetCommitRequest, resp *OffsetCommitResponse, rp *responsePromise, _ any) error {
	return nil
}

// CommitOffset is v1.43.2's synchronous commit, with no lock held.
func (b *Broker) CommitOffset(req *OffsetCommitRequest) (*OffsetCommitResponse, error) {
	return b.apply(req), nil
}

type partitionOffsetManager struct {
	offset   int64
	metadata string
	dirty    bool
}

type offsetManager struct {
	group        string
	pomsLock     sync.Mutex
	poms         map[string]map[int32]*partitionOffsetManager
	broker       *Broker
	noCoordinate bool
	errs         []error
}

func (om *offsetManager) coordinator() (*Broker, error) {
	if om.noCoordinate {
		return nil, errors.New("kafka: no coordinator")
	}
	return om.broker, nil
}

func (om *offsetManager) handleError(err error) { om.errs = append(om.errs, err) }

func (om *offsetManager) constructRequest() *OffsetCommitRequest {
	om.pomsLock.Lock()
	defer om.pomsLock.Unlock()
	req := &OffsetCommitRequest{blocks: map[string]map[int32]*offsetCommitRequestBlock{}}
	for topic, poms := range om.poms {
		for partition, pom := range poms {
			if pom.dirty {
				if req.blocks[topic] == nil {
					req.blocks[topic] = map[int32]*offsetCommitRequestBlock{}
				}
				req.blocks[topic][partition] = &offsetCommitRequestBlock{offset: pom.offset, metadata: pom.metadata}
			}
		}
	}
	if len(req.blocks) == 0 {
		return nil
	}
	return req
}

// handleResponse clears dirty the way Sarama's updateCommitted does: only when the offset and
// the metadata the request carried equal what the partition holds.
func (om *offsetManager) handleResponse(broker *Broker, req *OffsetCommitRequest, resp *OffsetCommitResponse) {
	om.pomsLock.Lock()
	defer om.pomsLock.Unlock()
	for topic, blocks := range req.blocks {
		for partition, block := range blocks {
			pom := om.poms[topic][partition]
			if resp.Errors[topic][partition] == 0 && pom.offset == block.offset && pom.metadata == block.metadata {
				pom.dirty = false
			}
		}
	}
}

func (om *offsetManager) mark(topic string, partition int32, offset int64) {
	om.pomsLock.Lock()
	defer om.pomsLock.Unlock()
	pom := om.poms[topic][partition]
	if offset > pom.offset {
		pom.offset, pom.dirty = offset, true
	}
}

// flushToBroker1433 is v1.43.3's flushToBroker with the README's lines (marked "commitcheck").
func (om *offsetManager) flushToBroker1433() {
	broker, err := om.coordinator()
	if err != nil {
		om.handleError(err)
		return
	}
	rec := Active()                  // commitcheck: nil = recording off
	thread := rec.NewThread("flush") // commitcheck

	broker.lock.Lock()
	at := rec.Now() // commitcheck: the snapshot's moment
	req := om.constructRequest()
	if req == nil {
		broker.lock.Unlock()
		return
	}
	id, partitions, restore := rec.BuildRequest(at, thread, om.group, func(visit func(string, int32, int64, *string)) { // commitcheck
		for topic, blocks := range req.blocks {
			for partition, block := range blocks {
				visit(topic, partition, block.offset, &block.metadata)
			}
		}
	})
	rec.Send(thread, id, broker.Addr()) // commitcheck: under broker.lock
	resp, rp, err := sendOffsetCommit(broker, req)
	broker.lock.Unlock()
	restore() // commitcheck: the request is written; Sarama's metadata back before it reads the response

	if err != nil {
		rec.AckError(thread, id, err) // commitcheck
		om.handleError(err)
		return
	}
	err = handleResponsePromise(req, resp, rp, nil)
	if err != nil {
		rec.AckError(thread, id, err) // commitcheck
		om.handleError(err)
		return
	}
	rec.AckCodes(thread, id, partitions, Codes(func(visit func(string, int32, int16)) { // commitcheck
		for topic, errs := range resp.Errors {
			for partition, kerr := range errs {
				visit(topic, partition, int16(kerr))
			}
		}
	}))
	om.handleResponse(broker, req, resp)
}

// flushToBroker1432 is v1.43.2's flushToBroker with the README's lines.
func (om *offsetManager) flushToBroker1432() {
	rec := Active()                  // commitcheck
	thread := rec.NewThread("flush") // commitcheck
	at := rec.Now()                  // commitcheck
	req := om.constructRequest()
	if req == nil {
		return
	}
	id, partitions, restore := rec.BuildRequest(at, thread, om.group, func(visit func(string, int32, int64, *string)) { // commitcheck
		for topic, blocks := range req.blocks {
			for partition, block := range blocks {
				visit(topic, partition, block.offset, &block.metadata)
			}
		}
	})

	broker, err := om.coordinator()
	if err != nil {
		rec.Abandon(thread, id) // commitcheck: never sent, applied nowhere
		restore()               // commitcheck
		om.handleError(err)
		return
	}
	rec.Send(thread, id, "") // commitcheck: no lock orders these requests: no conn
	resp, err := broker.CommitOffset(req)
	restore() // commitcheck
	if err != nil {
		rec.AckError(thread, id, err) // commitcheck
		om.handleError(err)
		return
	}
	rec.AckCodes(thread, id, partitions, Codes(func(visit func(string, int32, int16)) { // commitcheck
		for topic, errs := range resp.Errors {
			for partition, kerr := range errs {
				visit(topic, partition, int16(kerr))
			}
		}
	}))
	om.handleResponse(broker, req, resp)
}

func newOffsetManager(partitions int) *offsetManager {
	om := &offsetManager{group: "g", poms: map[string]map[int32]*partitionOffsetManager{"t": {}},
		broker: &Broker{addr: "127.0.0.1:9092", stored: map[string]offsetCommitRequestBlock{}, refuse: map[string]KError{}}}
	for p := int32(0); p < int32(partitions); p++ {
		om.poms["t"][p] = &partitionOffsetManager{metadata: "app-meta"}
	}
	return om
}

// run has one goroutine per partition mark and commit, as Sarama's ConsumeClaim loops do.
func (om *offsetManager) run(flush func(), messages int) {
	var wg sync.WaitGroup
	for p := range om.poms["t"] {
		wg.Add(1)
		go func(p int32) {
			defer wg.Done()
			for i := 1; i <= messages; i++ {
				om.mark("t", p, int64(i))
				flush()
			}
		}(p)
	}
	wg.Wait()
}

func TestSaramaRecipesRecordEveryCommitAndRestoreTheMetadata(t *testing.T) {
	for _, version := range []string{"v1.43.2", "v1.43.3"} {
		for _, buildOnly := range []bool{false, true} {
			t.Run(fmt.Sprintf("%s build-only=%v", version, buildOnly), func(t *testing.T) {
				rec, path := newFile(t, "sarama")
				rec.SetBuildOnly(buildOnly)
				SetActive(rec)
				defer SetActive(nil)
				om := newOffsetManager(4)
				flush := om.flushToBroker1433
				if version == "v1.43.2" {
					flush = om.flushToBroker1432
				}
				om.run(flush, 25)
				_ = rec.Close()
				events := readTrace(t, path)
				counts := map[string]int{}
				sendsWithConn := 0
				for _, event := range events[1:] {
					counts[event["ev"].(string)]++
					if event["ev"] == "send" && event["conn"] != nil {
						sendsWithConn++
					}
				}
				requests := len(om.broker.received)
				if counts["build"] != requests {
					t.Fatalf("%d builds for %d requests", counts["build"], requests)
				}
				if buildOnly {
					if counts["send"] != 0 || counts["ack"] != 0 {
						t.Fatalf("build-only recorded %v", counts)
					}
					// The broker received each request tagged with its build's id.
					for _, metadata := range om.broker.received {
						for _, m := range metadata {
							if !strings.HasPrefix(m, MetadataPrefix+"sarama-") {
								t.Fatalf("request metadata %q", m)
							}
						}
					}
				} else if counts["send"] != requests || counts["ack"] != requests {
					t.Fatalf("%v for %d requests", counts, requests)
				}
				if version == "v1.43.3" && sendsWithConn != counts["send"] || version == "v1.43.2" && sendsWithConn != 0 {
					t.Fatalf("%s: %d of %d sends name the connection", version, sendsWithConn, counts["send"])
				}
				// Restored metadata keeps Sarama's dirty tracking working: every partition ends
				// clean, holding the application's metadata, and another flush sends nothing.
				for p, pom := range om.poms["t"] {
					if pom.dirty || pom.metadata != "app-meta" || pom.offset != 25 {
						t.Fatalf("partition %d: %+v", p, *pom)
					}
				}
				before := len(om.broker.received)
				flush()
				if len(om.broker.received) != before {
					t.Fatal("a clean offset manager sent a request")
				}
			})
		}
	}
}

func TestSaramaRecipeWithRecordingOffChangesNothing(t *testing.T) {
	SetActive(nil)
	om := newOffsetManager(2)
	om.run(om.flushToBroker1433, 5)
	for _, metadata := range om.broker.received {
		for _, m := range metadata {
			if m != "app-meta" {
				t.Fatalf("metadata %q with recording off", m)
			}
		}
	}
}

func TestSarama1432FailedCoordinatorIsAbandonedAndRefusedPartitionsAreErrors(t *testing.T) {
	rec, path := newFile(t, "sarama")
	SetActive(rec)
	defer SetActive(nil)
	om := newOffsetManager(2)
	om.mark("t", 0, 3)
	om.noCoordinate = true
	om.flushToBroker1432()
	if len(om.errs) != 1 || !om.poms["t"][0].dirty || om.poms["t"][0].metadata != "app-meta" {
		t.Fatalf("the failed flush must leave Sarama as it was: %v %+v", om.errs, *om.poms["t"][0])
	}
	om.noCoordinate = false
	om.broker.refuse[Key("t", 1)] = 22 // ILLEGAL_GENERATION: refused before any write
	om.mark("t", 1, 4)
	om.flushToBroker1432()
	_ = rec.Close()
	events := readTrace(t, path)
	var lines []string
	for _, event := range events[1:] {
		line := fmt.Sprint(event["ev"])
		if status, ok := event["status"]; ok {
			line += ":" + fmt.Sprint(status)
		}
		if errs, ok := event["errors"]; ok {
			line += fmt.Sprint(errs)
		}
		lines = append(lines, line)
	}
	want := "build ack:fail build send ack:okmap[t/1:ILLEGAL_GENERATION]"
	if strings.Join(lines, " ") != want {
		t.Fatalf("got %q, want %q", strings.Join(lines, " "), want)
	}
}
