package commitcheck

import (
	"errors"
	"fmt"
	"reflect"
)

// NewTxn returns a fresh transaction id, "TRANSACTIONAL_ID@PROC#N", unique in this recorder's
// trace: take one per transaction (BeginTxn does), since the checker decides each transaction's
// outcome on its own. "" on a nil recorder.
func (r *Recorder) NewTxn(transactionalID string) string {
	if r == nil {
		return ""
	}
	return fmt.Sprintf("%s@%s#%d", transactionalID, r.proc, r.ids.Add(1))
}

// End records that an EndTxn asking to commit ("commit") or abort ("abort") transaction txn is
// about to be sent: call it before the call that sends it (Sarama's CommitTxn/AbortTxn), so that
// the line precedes the moment the coordinator can act on it. A retried CommitTxn is a second End.
// Not written in build-only mode: the proxy records EndTxn from the wire.
func (r *Recorder) End(thread, txn, result string) {
	if r == nil || txn == "" {
		return
	}
	r.record(thread, map[string]any{"ev": "end", "txn": txn, "result": result}, nil, false)
}

// Ended records the answer to the latest End of txn: "ok" (the coordinator took the decision),
// "fail" (refused: a fenced producer's commit turns into an abort), "unknown" (it may have been
// taken). errorName names the Kafka error ("" for none).
func (r *Recorder) Ended(thread, txn, status, errorName string) {
	if r == nil || txn == "" {
		return
	}
	event := map[string]any{"ev": "ended", "txn": txn, "status": status}
	if errorName != "" {
		event["error"] = errorName
	}
	r.record(thread, event, nil, false)
}

// EndedError records the answer from the error the End's call returned: nil is "ok"; an error
// that is, or wraps, a Kafka error code (Sarama's KError: see KafkaCode) is classified by
// EndOutcome; any other error is "unknown".
func (r *Recorder) EndedError(thread, txn string, err error) {
	if err == nil {
		r.Ended(thread, txn, "ok", "")
		return
	}
	if code, ok := KafkaCode(err); ok {
		r.Ended(thread, txn, EndOutcome(code), EndErrorName(code))
		return
	}
	r.Ended(thread, txn, "unknown", "")
}

// Completed records a broker-side fact the client learned: by now transaction txn's outcome has
// taken effect (the coordinator accepted a later transaction, or a new producer epoch, of the same
// transactional id). Record it only when that is really known.
func (r *Recorder) Completed(thread, txn string) {
	if r == nil || txn == "" {
		return
	}
	r.record(thread, map[string]any{"ev": "completed", "txn": txn}, nil, false)
}

// EndOutcome classifies an EndTxn error code: 0 is "ok"; codes with which the coordinator refuses
// the request without ending the transaction as asked (INVALID_PRODUCER_EPOCH,
// INVALID_PRODUCER_ID_MAPPING, TRANSACTIONAL_ID_AUTHORIZATION_FAILED, PRODUCER_FENCED: the
// producer was fenced, so the transaction aborts) are "fail"; every other code "unknown".
func EndOutcome(code int16) string {
	switch code {
	case 0:
		return "ok"
	case 47, 49, 53, 90:
		return "fail"
	default:
		return "unknown"
	}
}

var endErrorNames = map[int16]string{
	7: "REQUEST_TIMED_OUT", 15: "COORDINATOR_NOT_AVAILABLE", 16: "NOT_COORDINATOR",
	47: "INVALID_PRODUCER_EPOCH", 48: "INVALID_TXN_STATE", 49: "INVALID_PRODUCER_ID_MAPPING",
	51: "CONCURRENT_TRANSACTIONS", 53: "TRANSACTIONAL_ID_AUTHORIZATION_FAILED", 90: "PRODUCER_FENCED",
}

// EndErrorName is the Kafka name of an EndTxn error code, or the number for codes it does not name.
func EndErrorName(code int16) string {
	if name, ok := endErrorNames[code]; ok {
		return name
	}
	return ErrorName(code)
}

// KafkaCode finds a Kafka error code in err or anything it wraps: an error whose type is a signed
// integer (Sarama's `type KError int16`), found without importing the client's package.
func KafkaCode(err error) (int16, bool) {
	for err != nil {
		value := reflect.ValueOf(err)
		switch value.Kind() {
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			return int16(value.Int()), true
		}
		if many, ok := err.(interface{ Unwrap() []error }); ok {
			for _, inner := range many.Unwrap() {
				if code, found := KafkaCode(inner); found {
					return code, true
				}
			}
			return 0, false
		}
		err = errors.Unwrap(err)
	}
	return 0, false
}

// Txn records one transaction of a transactional producer whose offsets stay in the client until
// the transaction commits, as Sarama's do: AddOffsetsToTxn only stores them in the producer, and
// CommitTxn sends AddOffsetsToTxn, TxnOffsetCommit and EndTxn, in that order, and only when the
// transaction produced records (otherwise it sends nothing at all); AbortTxn discards the
// offsets and sends an EndTxn asking to abort. A nil *Txn (from a nil recorder) records nothing
// and still makes the calls.
type Txn struct {
	rec    *Recorder
	thread string
	id     string
	staged []string
}

// BeginTxn starts recording one transaction of transactionalID, on thread (the goroutine that
// runs the transaction). Call it where the application calls BeginTxn, and begin a new one for
// every transaction.
func (r *Recorder) BeginTxn(thread, transactionalID string) *Txn {
	if r == nil {
		return nil
	}
	return &Txn{rec: r, thread: thread, id: r.NewTxn(transactionalID)}
}

// ID is the transaction's id in the trace ("" for a nil Txn).
func (t *Txn) ID() string {
	if t == nil {
		return ""
	}
	return t.id
}

// AddOffsets records the offsets ("topic/partition" -> next offset to consume) staged in the
// transaction for group and runs add (the producer's AddOffsetsToTxn). A failed add staged
// nothing: its build is abandoned. Returns add's error.
func (t *Txn) AddOffsets(group string, offsets map[string]int64, add func() error) error {
	if t == nil {
		return add()
	}
	id := t.rec.BuildTxn(t.thread, t.id, group, offsets)
	if err := add(); err != nil {
		t.rec.Abandon(t.thread, id)
		return err
	}
	t.staged = append(t.staged, id)
	return nil
}

// Commit records the commit of the transaction around commit (the producer's CommitTxn).
// produced says whether the transaction produced records: Sarama sends nothing for one that did
// not, and its staged offsets are dropped (recorded as abandoned). Otherwise the staged offsets
// are sent and an EndTxn asking to commit follows; commit's nil error acks them and the end
// "ok"; an error leaves the staged offsets "unknown" and classifies the end with EndedError.
// Returns commit's error. A retry after an error is another Commit of the same Txn.
func (t *Txn) Commit(produced bool, commit func() error) error {
	if t == nil {
		return commit()
	}
	if !produced {
		err := commit()
		t.abandonStaged()
		return err
	}
	for _, id := range t.staged {
		t.rec.Send(t.thread, id, "")
	}
	t.rec.End(t.thread, t.id, "commit")
	err := commit()
	for _, id := range t.staged {
		if err == nil {
			t.rec.Ack(t.thread, id, "ok", nil)
		} else {
			t.rec.AckError(t.thread, id, err)
		}
	}
	t.staged = nil
	t.rec.EndedError(t.thread, t.id, err)
	return err
}

// Abort records the abort of the transaction around abort (the producer's AbortTxn): its staged
// offsets were never sent (abandoned), and, when the transaction produced records, an EndTxn
// asking to abort is sent. Returns abort's error.
func (t *Txn) Abort(produced bool, abort func() error) error {
	if t == nil {
		return abort()
	}
	t.abandonStaged()
	if !produced {
		return abort()
	}
	t.rec.End(t.thread, t.id, "abort")
	err := abort()
	t.rec.EndedError(t.thread, t.id, err)
	return err
}

func (t *Txn) abandonStaged() {
	for _, id := range t.staged {
		t.rec.Abandon(t.thread, id)
	}
	t.staged = nil
}
