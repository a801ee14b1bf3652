package lock_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/lock"
	"github.com/zkcurator/zkcurator/zk"
)

// Take a lock, act only while the held context is alive, and write to the
// protected resource only while the lock is still held.
func ExampleMutex() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, done := exampleenv.Connect(ctx)
	defer done()
	if _, err := c.Create(ctx, "/orders", []byte("0"), zk.ModePersistent, nil); err != nil {
		log.Fatal(err)
	}

	m, err := lock.NewMutex(c, "/locks/orders")
	if err != nil {
		log.Fatal(err)
	}
	held, err := m.Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("held:", m.IsHeld(), held.Err() == nil)

	// The write applies only if our lock node still exists.
	if _, err := m.Fenced(ctx, zk.SetOp("/orders", []byte("1"), -1)); err != nil {
		log.Fatal(err)
	}
	if err := m.Release(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("after release:", m.IsHeld(), context.Cause(held) == lock.ErrReleased)

	_, err = m.Fenced(ctx, zk.SetOp("/orders", []byte("2"), -1))
	fmt.Println("fenced write without the lock:", errors.Is(err, lock.ErrNotHeld))
	data, _, err := c.Get(ctx, "/orders")
	if err != nil {
		log.Fatal(err)
	}
	fmt.Printf("orders = %s\n", data)
	// Output:
	// held: true true
	// after release: false true
	// fenced write without the lock: true
	// orders = 1
}

// A Semaphore lets at most a fixed number of holders in at a time.
func ExampleSemaphore() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, done := exampleenv.Connect(ctx)
	defer done()

	s, err := lock.NewSemaphore(c, "/semaphores/workers", 2)
	if err != nil {
		log.Fatal(err)
	}
	a, err := s.Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	b, err := s.Acquire(ctx)
	if err != nil {
		log.Fatal(err)
	}
	_, ok, err := s.TryAcquire(ctx, 0)
	fmt.Println("third lease while two are held:", ok, err)
	if err := a.Release(ctx); err != nil {
		log.Fatal(err)
	}
	c3, ok, err := s.TryAcquire(ctx, 5*time.Second)
	fmt.Println("third lease after a release:", ok, err)
	_ = b.Release(ctx)
	_ = c3.Release(ctx)
	// Output:
	// third lease while two are held: false <nil>
	// third lease after a release: true <nil>
}
