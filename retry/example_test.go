package retry_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/zkcurator/zkcurator/retry"
)

func Example() {
	errConnectionLoss := errors.New("connection loss")
	classify := func(err error) retry.Class {
		if errors.Is(err, errConnectionLoss) {
			return retry.Retryable
		}
		return retry.Permanent
	}

	// Curator's ExponentialBackoffRetry(1 ms, 3): up to 3 retries.
	policy := retry.ExponentialBackoff(time.Millisecond, 3, 0)

	calls := 0
	err := retry.Do(context.Background(), policy, classify,
		func(ctx context.Context) error {
			calls++
			if calls < 3 {
				return errConnectionLoss
			}
			return nil
		},
		retry.OnRetry(func(attempt int, err error, _ time.Duration) {
			fmt.Printf("attempt %d failed: %v\n", attempt, err)
		}))
	fmt.Println("err:", err, "calls:", calls)

	// Output:
	// attempt 1 failed: connection loss
	// attempt 2 failed: connection loss
	// err: <nil> calls: 3
}

func ExampleDo_gaveUp() {
	err := retry.Do(context.Background(), retry.NTimes(2, 0), nil,
		func(ctx context.Context) error { return errors.New("connection loss") })
	fmt.Println(err)
	fmt.Println(errors.Is(err, retry.ErrGaveUp))
	// Output:
	// retry: gave up after 3 attempts: connection loss
	// true
}
