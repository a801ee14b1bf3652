// Package history is the robustness suite's record of what happened: every
// client (in this process or a child process) emits Events stamped with
// CLOCK_MONOTONIC (Now), the Recorder collects them, and the checkers read
// them back after the run.
package history

import (
	"encoding/json"
	"io"
	"slices"
	"sync"
)

// Kind says what an Event records.
type Kind string

// Event kinds.
const (
	// Call: operation ID of Client started (Op, Key, Val, Expect).
	Call Kind = "call"
	// Return: operation ID of Client ended (Result; Val, Ver, Seq for reads,
	// writes and creates). An operation with a Call and no Return (its
	// process was killed) has an unknown outcome.
	Return Kind = "return"
	// Acquire: Client holds Key (Mode: exclusive, read, write, lease,
	// leader) from T on, as hold ID, with fencing Token.
	Acquire Kind = "acquire"
	// Release: hold ID of Client ended at T (Release called, or its held
	// context ended — the first of the two counts).
	Release Kind = "release"
	// Write: Client wrote to the fenced resource Key under hold ID with
	// Token while its held context was live (Result: accepted or stale).
	Write Kind = "write"
	// Session: Client's session is Token (hex in Val), password in Val.
	Session Kind = "session"
	// Fault: the nemesis injected fault Op on Client ("" for the server);
	// Val describes it.
	Fault Kind = "fault"
	// Revoke: Client's holds live at T were ended from outside (its session
	// was expired by the nemesis, its process paused or killed): they count
	// as ended at T, since no client can know of such an end in time.
	Revoke Kind = "revoke"
	// Violation: a workload saw something that breaks a promise by itself
	// (an unexpected error, a stuck barrier round); Op names the checker,
	// Val says what.
	Violation Kind = "violation"
	// Progress: Client completed an operation (used for recovery times).
	Progress Kind = "progress"
)

// Results of operations.
const (
	ResultOK         = "ok"
	ResultBadVersion = "badversion"
	ResultNoNode     = "nonode"
	ResultExists     = "exists"
	// ResultUnknown: the operation may or may not have been applied
	// (connection loss, session expiry, timeout, killed process).
	ResultUnknown = "unknown"
	// ResultFailed: the operation surely had no effect.
	ResultFailed = "failed"
	ResultStale  = "stale"
)

// Event is one recorded fact. Fields beyond T, Kind and Client are used as
// the Kind says.
type Event struct {
	T      int64  `json:"t"`
	Kind   Kind   `json:"k"`
	Client string `json:"c"`
	ID     int64  `json:"id,omitempty"`
	Op     string `json:"op,omitempty"`
	Key    string `json:"key,omitempty"`
	Val    string `json:"v,omitempty"`
	Ver    int32  `json:"ver,omitempty"`
	Expect int32  `json:"exp,omitempty"`
	Seq    int64  `json:"seq,omitempty"`
	Token  int64  `json:"tok,omitempty"`
	Mode   string `json:"mode,omitempty"`
	Result string `json:"r,omitempty"`
}

// Sink receives events. Emit must be safe for concurrent use and must not
// block for long.
type Sink interface {
	Emit(e Event)
}

// Recorder is the Sink of the parent process: it keeps every event in
// arrival order.
type Recorder struct {
	mu     sync.Mutex
	events []Event
}

// Emit records e; a zero T is stamped with Now.
func (r *Recorder) Emit(e Event) {
	if e.T == 0 {
		e.T = Now()
	}
	r.mu.Lock()
	r.events = append(r.events, e)
	r.mu.Unlock()
}

// Events returns a copy of the events so far, sorted by time (stable, so
// events of one client at one instant keep their order).
func (r *Recorder) Events() []Event {
	r.mu.Lock()
	ev := slices.Clone(r.events)
	r.mu.Unlock()
	slices.SortStableFunc(ev, func(a, b Event) int {
		switch {
		case a.T < b.T:
			return -1
		case a.T > b.T:
			return 1
		}
		return 0
	})
	return ev
}

// Count returns how many events of kind k have been recorded.
func (r *Recorder) Count(k Kind) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, e := range r.events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// LineSink writes events as JSON lines to w: a child process's stdout,
// read back by the parent with Decode.
type LineSink struct {
	mu  sync.Mutex
	enc *json.Encoder
}

// NewLineSink returns a LineSink writing to w.
func NewLineSink(w io.Writer) *LineSink { return &LineSink{enc: json.NewEncoder(w)} }

// Emit writes e as one line; a zero T is stamped with Now. Write errors
// are dropped: the parent sees a dead child by its exit.
func (s *LineSink) Emit(e Event) {
	if e.T == 0 {
		e.T = Now()
	}
	s.mu.Lock()
	_ = s.enc.Encode(e)
	s.mu.Unlock()
}

// Prefixed is a Sink that sets Client on every event before passing it on.
type Prefixed struct {
	Sink   Sink
	Client string
}

// Emit stamps e with the client name and passes it on.
func (p Prefixed) Emit(e Event) {
	e.Client = p.Client
	p.Sink.Emit(e)
}
