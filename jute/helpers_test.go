package jute_test

import (
	"errors"
	"reflect"
	"runtime"
	"testing"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/zkcurator/zkcurator/jute"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// roundTrip encodes in, decodes the bytes into out (a fresh record of the
// same type), requires out to equal in, and returns the encoding. It also
// checks that Encode appends to a non-empty buffer without touching it.
func roundTrip(t *testing.T, in, out jute.Record) []byte {
	t.Helper()
	b := in.Encode(nil)
	require.NoError(t, jute.Unmarshal(b, out))
	require.Equal(t, in, out)

	prefix := []byte{0xde, 0xad, 0xbe, 0xef}
	b2 := in.Encode(append([]byte(nil), prefix...))
	require.Equal(t, prefix, b2[:len(prefix)])
	require.Equal(t, b, b2[len(prefix):])
	require.Equal(t, b, jute.Marshal(in))
	return b
}

// bytesAllocated returns the average number of heap bytes allocated by one
// call of f, measured like testing.AllocsPerRun (GOMAXPROCS 1, one warm-up).
func bytesAllocated(runs int, f func()) uint64 {
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	f()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for range runs {
		f()
	}
	runtime.ReadMemStats(&after)
	return (after.TotalAlloc - before.TotalAlloc) / uint64(runs)
}

// heldBytes estimates the heap memory a decoded record keeps reachable: the
// records behind pointers and interfaces, slice backing arrays (by capacity)
// and string bytes. Records are trees, so no cycle detection is needed.
func heldBytes(v reflect.Value) int {
	switch v.Kind() {
	case reflect.String:
		return v.Len()
	case reflect.Slice:
		if v.IsNil() {
			return 0
		}
		n := v.Cap() * int(v.Type().Elem().Size())
		for i := range v.Len() {
			n += heldBytes(v.Index(i))
		}
		return n
	case reflect.Struct:
		n := 0
		for i := range v.NumField() {
			n += heldBytes(v.Field(i))
		}
		return n
	case reflect.Pointer:
		if v.IsNil() {
			return 0
		}
		return int(v.Type().Elem().Size()) + heldBytes(v.Elem())
	case reflect.Interface:
		if v.IsNil() {
			return 0
		}
		e := v.Elem()
		if e.Kind() == reflect.Pointer {
			return heldBytes(e)
		}
		return int(e.Type().Size()) + heldBytes(e)
	default:
		return 0
	}
}

func isCorrupt(err error) bool { return errors.Is(err, jute.ErrCorrupt) }
