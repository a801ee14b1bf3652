package checker

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
	"github.com/zkcurator/zkcurator/internal/zktest"
)

func TestMain(m *testing.M) { zktest.Main(m) }

// h builds events with times in milliseconds.
func call(t int64, c string, id int64, op, val string, expect int32) history.Event {
	return history.Event{T: t * 1e6, Kind: history.Call, Client: c, ID: id, Op: op, Key: "/k", Val: val, Expect: expect}
}

func ret(t int64, c string, id int64, res, val string, ver int32) history.Event {
	return history.Event{T: t * 1e6, Kind: history.Return, Client: c, ID: id, Result: res, Val: val, Ver: ver}
}

func TestRegistersLinearizable(t *testing.T) {
	ev := []history.Event{
		call(0, "a", 1, "set", "x", -1), ret(10, "a", 1, "ok", "", 1),
		call(20, "b", 1, "read", "", 0), ret(30, "b", 1, "ok", "x", 1),
		call(40, "a", 2, "cas", "y", 0), ret(50, "a", 2, "badversion", "", 0),
		call(60, "b", 2, "multi", "z", 1), ret(70, "b", 2, "ok", "", 2),
	}
	v, n, note := Registers(ev, "", 10*time.Second)
	require.Empty(t, v)
	require.Empty(t, note)
	require.Equal(t, 4, n)
}

func TestRegistersStaleReadIsViolationWithVisualization(t *testing.T) {
	dir := t.TempDir()
	ev := []history.Event{
		call(0, "a", 1, "set", "x", -1), ret(10, "a", 1, "ok", "", 1),
		call(20, "b", 1, "read", "", 0), ret(30, "b", 1, "ok", "", 0), // stale
	}
	v, _, _ := Registers(ev, dir, 10*time.Second)
	require.Len(t, v, 1)
	require.Contains(t, v[0], "not linearizable")
	_, err := os.Stat(filepath.Join(dir, "registers.html"))
	require.NoError(t, err, "visualization written")
}

func TestRegistersUnknownOutcomeMayApplyLater(t *testing.T) {
	ev := []history.Event{
		call(0, "a", 1, "set", "x", -1), ret(10, "a", 1, "unknown", "", 0),
		call(20, "b", 1, "read", "", 0), ret(30, "b", 1, "ok", "", 0), // not yet applied
		call(40, "b", 2, "read", "", 0), ret(50, "b", 2, "ok", "x", 1), // applied now
		call(60, "c", 1, "cas", "y", 5), // never returned (process killed)
	}
	v, _, _ := Registers(ev, "", 10*time.Second)
	require.Empty(t, v)
}

func TestRegistersBadVersionMustMismatch(t *testing.T) {
	ev := []history.Event{
		call(0, "a", 1, "cas", "x", 0), ret(10, "a", 1, "badversion", "", 0), // version was 0: must have applied
	}
	v, _, _ := Registers(ev, "", 10*time.Second)
	require.Len(t, v, 1)
}

func hold(t int64, c string, id int64, key, mode string, token int64) history.Event {
	return history.Event{T: t * 1e6, Kind: history.Acquire, Client: c, ID: id, Key: key, Mode: mode, Token: token}
}

func release(t int64, c string, id int64) history.Event {
	return history.Event{T: t * 1e6, Kind: history.Release, Client: c, ID: id}
}

func TestMutualExclusion(t *testing.T) {
	ok := []history.Event{
		hold(0, "a", 1, "/m", "exclusive", 10), release(10, "a", 1),
		hold(11, "b", 1, "/m", "exclusive", 11), release(20, "b", 1),
		hold(0, "c", 1, "/rw", "read", 1), hold(1, "d", 1, "/rw", "read", 2),
		release(5, "c", 1), release(6, "d", 1), hold(7, "e", 1, "/rw", "write", 3), release(8, "e", 1),
		hold(0, "f", 1, "/s", "lease", 1), hold(1, "g", 1, "/s", "lease", 2), release(2, "f", 1), hold(3, "h", 1, "/s", "lease", 3),
	}
	require.Empty(t, MutualExclusion(Holds(ok, 100e6), 2))

	bad := []history.Event{
		hold(0, "a", 1, "/m", "exclusive", 10), hold(5, "b", 1, "/m", "exclusive", 11), release(10, "a", 1),
		hold(0, "c", 1, "/rw", "read", 1), hold(1, "e", 1, "/rw", "write", 3),
		hold(0, "f", 1, "/s", "lease", 1), hold(1, "g", 1, "/s", "lease", 2), hold(3, "h", 1, "/s", "lease", 3),
	}
	v := MutualExclusion(Holds(bad, 100e6), 2)
	require.Len(t, v, 3, strings.Join(v, "\n"))
}

func TestRevokedHoldEndsAtTheFault(t *testing.T) {
	ev := []history.Event{
		hold(0, "a", 1, "/m", "exclusive", 10),
		{T: 5e6, Kind: history.Revoke, Client: "a"},
		hold(6, "b", 1, "/m", "exclusive", 11),
		{T: 7e6, Kind: history.Write, Client: "a", ID: 1, Key: "/m", Token: 10, Result: history.ResultStale},
		release(8, "a", 1),
	}
	holds := Holds(ev, 100e6)
	require.Empty(t, MutualExclusion(holds, 1))
	require.Empty(t, Fencing(ev, holds))
}

func TestFencing(t *testing.T) {
	ev := []history.Event{
		hold(0, "a", 1, "/m", "exclusive", 10), release(5, "a", 1),
		hold(6, "b", 1, "/m", "exclusive", 9), release(8, "b", 1), // lower token after
		{T: 9e6, Kind: history.Write, Client: "c", ID: 1, Key: "/m", Token: 3, Result: history.ResultStale},
	}
	v := Fencing(ev, Holds(ev, 100e6))
	require.Len(t, v, 2, strings.Join(v, "\n"))
}

func TestLeaderless(t *testing.T) {
	ev := []history.Event{
		hold(10, "a", 1, "/l", "leader", 1), release(20, "a", 1),
		hold(30, "b", 1, "/l", "leader", 2), release(90, "b", 1),
	}
	gap := Leaderless(Holds(ev, 100e6), 0, 100e6)
	require.Equal(t, int64(10e6+10e6+10e6), gap["/l"])
}

func TestSeqCreates(t *testing.T) {
	c := func(t int64, cl string, id int64, val string) history.Event {
		return history.Event{T: t * 1e6, Kind: history.Call, Client: cl, ID: id, Op: "create", Val: val}
	}
	r := func(t int64, cl string, id int64, res string, seq int64) history.Event {
		return history.Event{T: t * 1e6, Kind: history.Return, Client: cl, ID: id, Result: res, Seq: seq}
	}
	ev := []history.Event{
		c(0, "a", 1, "a1"), r(1, "a", 1, "ok", 5),
		c(2, "b", 1, "b1"), r(3, "b", 1, "ok", 6),
		c(4, "a", 2, "a2"), r(5, "a", 2, "unknown", 0),
	}
	v, n := SeqCreates(ev, map[string]int64{"a1": 5, "b1": 6, "a2": 7})
	require.Empty(t, v)
	require.Equal(t, 2, n)

	bad := []history.Event{
		c(0, "a", 1, "a1"), r(1, "a", 1, "ok", 5),
		c(2, "b", 1, "b1"), r(3, "b", 1, "ok", 4), // lower after a1 returned
		c(4, "a", 2, "a2"), r(5, "a", 2, "failed", 0),
		c(6, "a", 3, "a3"), r(7, "a", 3, "ok", 9),
	}
	v, _ = SeqCreates(bad, map[string]int64{"a1": 5, "b1": 4, "a2": 8, "x": 1})
	// b1 out of order, a2 failed but exists, x unknown, a3 lost.
	require.Len(t, v, 4, strings.Join(v, "\n"))
}

func TestRegistersUnknownWriteClosedByTheReadThatSawIt(t *testing.T) {
	ev := []history.Event{
		call(0, "a", 1, "set", "x", -1), ret(10, "a", 1, "unknown", "", 0),
		call(20, "b", 1, "read", "", 0), ret(30, "b", 1, "ok", "x", 1),
	}
	h := RegisterOps(ev)
	require.Len(t, h, 2)
	require.Equal(t, int64(30e6), h[0].Return, "the unknown set took effect before the read that saw it returned")
	v, _, _ := Registers(ev, "", 10*time.Second)
	require.Empty(t, v)
}
