package atomic

import (
	"context"
	"encoding/binary"
	"fmt"

	"github.com/zkcurator/zkcurator/retry"
	"github.com/zkcurator/zkcurator/zk"
)

// Number is a distributed atomic integer: Long (Curator's
// DistributedAtomicLong, 8 bytes big-endian) or Integer
// (DistributedAtomicInteger, 4 bytes big-endian). A missing node reads as 0.
type Number[T int32 | int64] struct {
	v *Value
}

// Long is Curator's DistributedAtomicLong.
type Long = Number[int64]

// Integer is Curator's DistributedAtomicInteger.
type Integer = Number[int32]

// NewLong returns the atomic long at path (see NewValue for policy, options
// and errors).
func NewLong(client *zk.Client, path string, policy retry.Policy, opts ...Option) (*Long, error) {
	v, err := NewValue(client, path, policy, opts...)
	if err != nil {
		return nil, err
	}
	return &Long{v: v}, nil
}

// NewInteger returns the atomic integer at path (see NewValue).
func NewInteger(client *zk.Client, path string, policy retry.Policy, opts ...Option) (*Integer, error) {
	v, err := NewValue(client, path, policy, opts...)
	if err != nil {
		return nil, err
	}
	return &Integer{v: v}, nil
}

// size is the encoded size of T.
func size[T int32 | int64]() int {
	var z T
	if _, ok := any(z).(int32); ok {
		return 4
	}
	return 8
}

// Encode returns the bytes Curator stores for n (big-endian, 4 or 8 bytes).
func Encode[T int32 | int64](n T) []byte {
	if size[T]() == 4 {
		return binary.BigEndian.AppendUint32(nil, uint32(n))
	}
	return binary.BigEndian.AppendUint64(nil, uint64(n))
}

// Decode reads a value as Curator does: no data is 0; fewer bytes than the
// size is ErrCorrupt; extra bytes after the value are ignored.
func Decode[T int32 | int64](b []byte) (T, error) {
	n := size[T]()
	switch {
	case len(b) == 0:
		return 0, nil
	case len(b) < n:
		return 0, fmt.Errorf("%w: % x (want %d bytes)", ErrCorrupt, b, n)
	case n == 4:
		return T(int32(binary.BigEndian.Uint32(b))), nil
	default:
		return T(int64(binary.BigEndian.Uint64(b))), nil
	}
}

// Path returns the node path.
func (a *Number[T]) Path() string { return a.v.path }

func convert[T int32 | int64](r AtomicValue[[]byte]) (AtomicValue[T], error) {
	out := AtomicValue[T]{Succeeded: r.Succeeded, Stats: r.Stats}
	var err error
	if out.PreValue, err = Decode[T](r.PreValue); err != nil {
		return out, err
	}
	if out.PostValue, err = Decode[T](r.PostValue); err != nil {
		return out, err
	}
	return out, nil
}

// Get reads the value.
func (a *Number[T]) Get(ctx context.Context) (AtomicValue[T], error) {
	r, err := a.v.Get(ctx)
	if err != nil {
		return AtomicValue[T]{}, err
	}
	out, err := convert[T](r)
	if err != nil {
		return out, fmt.Errorf("atomic: get %s: %w", a.v.path, err)
	}
	return out, nil
}

// Add adds delta (retried, then promoted; see the package doc).
func (a *Number[T]) Add(ctx context.Context, delta T) (AtomicValue[T], error) {
	r, err := a.v.update(ctx, "add", func(prev []byte) ([]byte, error) {
		p, err := Decode[T](prev)
		if err != nil {
			return nil, err
		}
		return Encode(p + delta), nil
	})
	if err != nil {
		return AtomicValue[T]{Stats: r.Stats}, err
	}
	return convert[T](r)
}

// Subtract subtracts delta.
func (a *Number[T]) Subtract(ctx context.Context, delta T) (AtomicValue[T], error) {
	return a.Add(ctx, -delta)
}

// Increment adds one.
func (a *Number[T]) Increment(ctx context.Context) (AtomicValue[T], error) { return a.Add(ctx, 1) }

// Decrement subtracts one.
func (a *Number[T]) Decrement(ctx context.Context) (AtomicValue[T], error) { return a.Add(ctx, -1) }

// CompareAndSet stores newValue if the value is expected (one try).
func (a *Number[T]) CompareAndSet(ctx context.Context, expected, newValue T) (AtomicValue[T], error) {
	r, err := a.v.CompareAndSet(ctx, Encode(expected), Encode(newValue))
	if err != nil {
		return AtomicValue[T]{}, err
	}
	return convert[T](r)
}

// TrySet stores newValue by compare-and-set (retried, then promoted).
func (a *Number[T]) TrySet(ctx context.Context, newValue T) (AtomicValue[T], error) {
	r, err := a.v.TrySet(ctx, Encode(newValue))
	if err != nil {
		return AtomicValue[T]{Stats: r.Stats}, err
	}
	return convert[T](r)
}

// ForceSet stores newValue unconditionally.
func (a *Number[T]) ForceSet(ctx context.Context, newValue T) error {
	return a.v.ForceSet(ctx, Encode(newValue))
}

// Initialize creates the node with value if it does not exist; false when
// it did.
func (a *Number[T]) Initialize(ctx context.Context, value T) (bool, error) {
	return a.v.Initialize(ctx, Encode(value))
}
