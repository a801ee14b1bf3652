package queue

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// layout is what sets Curator's queue variants apart on one node scheme
// ("queue-" + variant part + the 10-digit sequence): the order consumers
// take item nodes in and when a node is due.
type layout struct {
	// order sorts item node names (all starting "queue-") in consumption
	// order.
	order func(names []string, now time.Time)
	// due, when set, says how long until a node may be consumed (<= 0:
	// now). order must sort due nodes first.
	due func(name string, now time.Time) time.Duration
}

// fifo is DistributedQueue's and DistributedPriorityQueue's order: by name.
var fifo = layout{order: func(names []string, _ time.Time) { slices.Sort(names) }}

// idSeparator brackets the id (DistributedIdQueue) or the due time
// (DistributedDelayQueue) in a node name, as in Curator.
const idSeparator = "|"

// seqDigits is the length of the sequence suffix ZooKeeper appends.
const seqDigits = 10

// requeueName is the name prefix a requeued node is created with: its own
// name without the sequence, so it keeps its id, priority or due time.
// (Curator's DistributedQueue requeues under plain "queue-", dropping the
// priority or due time; only its id queue keeps the id.)
func requeueName(name string) string {
	if len(name) < seqDigits {
		return itemPrefix
	}
	if _, err := strconv.ParseUint(name[len(name)-seqDigits:], 10, 64); err != nil {
		return itemPrefix
	}
	return name[:len(name)-seqDigits]
}

// idName is DistributedIdQueue's node name prefix for id: "queue-|id|",
// with '/' and '|' in id replaced by '_' as Curator's fixId does.
func idName(id string) string {
	fixed := strings.NewReplacer("/", "_", idSeparator, "_").Replace(id)
	return itemPrefix + idSeparator + fixed + idSeparator
}

// parseID splits an id queue node name into its id and its name without
// the id part ("queue-<seq>"), as Curator's parseId does; a name without
// two separators is its own id and cleaned name.
func parseID(name string) (id, cleaned string) {
	first := strings.Index(name, idSeparator)
	if first < 0 {
		return name, name
	}
	second := strings.Index(name[first+1:], idSeparator)
	if second < 0 {
		return name, name
	}
	second += first + 1
	return name[first+1 : second], name[:first] + name[second+1:]
}

// byID is DistributedIdQueue's order: by the name without its id, that is
// by sequence.
var byID = layout{order: func(names []string, _ time.Time) {
	slices.SortStableFunc(names, func(a, b string) int {
		_, ca := parseID(a)
		_, cb := parseID(b)
		return cmp.Or(strings.Compare(ca, cb), strings.Compare(a, b))
	})
}}

// priorityName is DistributedPriorityQueue's node name prefix: "queue-",
// then "0" for a negative priority or "1" otherwise, then the priority's
// 32 bits as 8 upper-case hex digits (Curator's priorityToString), so that
// names sort lowest priority value first.
func priorityName(priority int32) string {
	sign := "1"
	if priority < 0 {
		sign = "0"
	}
	return fmt.Sprintf("%s%s%08X", itemPrefix, sign, uint32(priority))
}

// delayName is DistributedDelayQueue's node name prefix: "queue-|<epoch
// milliseconds in upper-case hex, at least 8 digits>|" (Curator's
// epochToString).
func delayName(until time.Time) string {
	return fmt.Sprintf("%s%s%08X%s", itemPrefix, idSeparator, until.UnixMilli(), idSeparator)
}

// delayEpoch reads a delay queue node's due time in Unix milliseconds as
// Curator's getEpoch does: the hex between the last two separators, 0 when
// there is none.
func delayEpoch(name string) int64 {
	i2 := strings.LastIndex(name, idSeparator)
	if i2 <= 0 {
		return 0
	}
	i1 := strings.LastIndex(name[:i2], idSeparator)
	if i1 <= 0 || i2 <= i1+1 {
		return 0
	}
	v, err := strconv.ParseInt(name[i1+1:i2], 16, 64)
	if err != nil {
		return 0
	}
	return v
}

// byDelay is DistributedDelayQueue's layout: nodes in due-time order (then
// by name), a node due once its epoch has passed.
var byDelay = layout{
	order: func(names []string, _ time.Time) {
		slices.SortStableFunc(names, func(a, b string) int {
			if c := cmp.Compare(delayEpoch(a), delayEpoch(b)); c != 0 {
				return c
			}
			return strings.Compare(a, b)
		})
	},
	due: func(name string, now time.Time) time.Duration {
		return time.Duration(delayEpoch(name)-now.UnixMilli()) * time.Millisecond
	},
}
