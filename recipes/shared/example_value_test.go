package shared_test

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/zkcurator/zkcurator/internal/exampleenv"
	"github.com/zkcurator/zkcurator/recipes/shared"
)

// A Value is shared bytes with version-checked updates: TrySet fails when
// someone else changed the value since Get.
func ExampleValue() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, stop := exampleenv.Connect(ctx)
	defer stop()

	v, err := shared.NewValue(c, "/config/mode", []byte("active"))
	if err != nil {
		log.Fatal(err)
	}
	defer v.Close()
	if err := v.Start(ctx); err != nil {
		log.Fatal(err)
	}
	data, version := v.Get()
	fmt.Printf("%s at version %d\n", data, version)
	ok, err := v.TrySet(ctx, version, []byte("standby"))
	fmt.Println("first TrySet:", ok, err)
	ok, err = v.TrySet(ctx, version, []byte("draining"))
	fmt.Println("second TrySet with the old version:", ok, err)
	data, version = v.Get()
	fmt.Printf("%s at version %d\n", data, version)
	// Output:
	// active at version 0
	// first TrySet: true <nil>
	// second TrySet with the old version: false <nil>
	// standby at version 1
}
