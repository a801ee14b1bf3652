package checker

import (
	"fmt"
	"slices"

	"github.com/zkcurator/zkcurator/internal/robustness/history"
)

// Hold is one hold of a lock, lease or leadership, from its acquisition
// to its end (Release called or held context ended, or the moment the
// nemesis revoked it from outside).
type Hold struct {
	Client  string
	ID      int64
	Key     string
	Mode    string
	Token   int64
	Start   int64
	End     int64
	Revoked bool // End is the time of a revoking fault
}

func (h *Hold) String() string {
	r := ""
	if h.Revoked {
		r = " revoked"
	}
	return fmt.Sprintf("%s#%d %s token %d%s", h.Client, h.ID, h.Mode, h.Token, r)
}

// Holds extracts the holds of a history. Holds still open at end get End
// = end. Revoke events end the client's holds live at that time.
func Holds(events []history.Event, end int64) []*Hold {
	var out []*Hold
	byID := map[[2]string]*Hold{}
	for _, e := range events {
		k := [2]string{e.Client, fmt.Sprint(e.ID)}
		switch e.Kind {
		case history.Acquire:
			h := &Hold{Client: e.Client, ID: e.ID, Key: e.Key, Mode: e.Mode, Token: e.Token, Start: e.T, End: Never}
			byID[k] = h
			out = append(out, h)
		case history.Release:
			if h := byID[k]; h != nil && h.End == Never {
				h.End = e.T
			}
		case history.Revoke:
			for _, h := range out {
				if h.Client == e.Client && h.End == Never && h.Start <= e.T {
					h.End, h.Revoked = e.T, true
				}
			}
		}
	}
	for _, h := range out {
		if h.End == Never {
			h.End = max(end, h.Start)
		}
	}
	return out
}

// capacity is how many holds of a mode may overlap, given the other
// holds live on the key at that moment.
type conflict func(a, b *Hold) bool

func exclusive(a, b *Hold) bool { return true }

func readWrite(a, b *Hold) bool { return a.Mode == "write" || b.Mode == "write" }

// MutualExclusion checks that no two conflicting holds of one key were
// live at once: exclusive locks and leadership conflict with everything,
// a write lock with every hold of its RWMutex, reads with writes only;
// leases count against limit (more than limit live leases at once is a
// violation).
func MutualExclusion(holds []*Hold, leaseLimit int) []string {
	var out []string
	byKey := map[string][]*Hold{}
	for _, h := range holds {
		byKey[h.Key] = append(byKey[h.Key], h)
	}
	keys := make([]string, 0, len(byKey))
	for k := range byKey {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		hs := byKey[k]
		slices.SortFunc(hs, func(a, b *Hold) int { return cmp64(a.Start, b.Start) })
		switch hs[0].Mode {
		case "lease":
			out = append(out, leases(k, hs, leaseLimit)...)
		case "read", "write":
			out = append(out, overlaps(k, hs, readWrite)...)
		default:
			out = append(out, overlaps(k, hs, exclusive)...)
		}
	}
	return out
}

func cmp64(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// overlaps reports pairs of conflicting holds (sorted by start) that were
// live at the same time.
func overlaps(key string, hs []*Hold, conflicts conflict) []string {
	var out []string
	for i, a := range hs {
		for _, b := range hs[i+1:] {
			if b.Start >= a.End {
				break
			}
			if a.Client == b.Client && a.Mode == "read" && b.Mode == "read" {
				continue
			}
			if conflicts(a, b) {
				out = append(out, fmt.Sprintf("%s: %v and %v were live together for %s (from %s after the first began)",
					key, a, b, ms(min(a.End, b.End)-b.Start), ms(b.Start-a.Start)))
			}
		}
	}
	return out
}

// leases reports moments when more than limit leases were live.
func leases(key string, hs []*Hold, limit int) []string {
	var out []string
	for i, b := range hs {
		live := []*Hold{b}
		for _, a := range hs[:i] {
			if a.End > b.Start {
				live = append(live, a)
			}
		}
		if len(live) > limit {
			out = append(out, fmt.Sprintf("%s: %d leases live at once (limit %d) when %v began: %v", key, len(live), limit, b, live))
		}
	}
	return out
}

// Leaderless returns, per leadership key, how long within [from, to] no
// hold of it was live.
func Leaderless(holds []*Hold, from, to int64) map[string]int64 {
	byKey := map[string][]*Hold{}
	for _, h := range holds {
		if h.Mode == "leader" {
			byKey[h.Key] = append(byKey[h.Key], h)
		}
	}
	out := map[string]int64{}
	for k, hs := range byKey {
		slices.SortFunc(hs, func(a, b *Hold) int { return cmp64(a.Start, b.Start) })
		var gap int64
		cur := from
		for _, h := range hs {
			s, e := max(h.Start, from), min(h.End, to)
			if s > cur {
				gap += s - cur
			}
			cur = max(cur, e)
		}
		if to > cur {
			gap += to - cur
		}
		out[k] = gap
	}
	return out
}

// Fencing checks the fenced resource's record: a write refused as stale
// from a holder whose held context was live when the resource took it
// (and whose hold had not been revoked from outside by then) means a
// newer holder was live at the same time; and among holds of one key
// with tokens, one that began after another ended must have a higher
// token.
func Fencing(events []history.Event, holds []*Hold) []string {
	var out []string
	byID := map[[2]string]*Hold{}
	for _, h := range holds {
		byID[[2]string{h.Client, fmt.Sprint(h.ID)}] = h
	}
	for _, e := range events {
		if e.Kind != history.Write || e.Result != history.ResultStale {
			continue
		}
		h := byID[[2]string{e.Client, fmt.Sprint(e.ID)}]
		if h != nil && h.Revoked && h.End <= e.T {
			continue
		}
		out = append(out, fmt.Sprintf("%s: stale token %d written by live holder %s#%d", e.Key, e.Token, e.Client, e.ID))
	}
	byKey := map[string][]*Hold{}
	for _, h := range holds {
		if h.Token != 0 && h.Mode != "lease" && h.Mode != "read" {
			byKey[h.Key] = append(byKey[h.Key], h)
		}
	}
	for k, hs := range byKey {
		for _, a := range hs {
			for _, b := range hs {
				if a.End <= b.Start && !a.Revoked && (a.Token > b.Token || a.Token == b.Token && a.Client != b.Client) {
					out = append(out, fmt.Sprintf("%s: %v ended before %v began but its token is higher (or the same node's)", k, a, b))
				}
			}
		}
	}
	return out
}
