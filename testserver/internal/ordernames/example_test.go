package ordernames_test

import (
	"fmt"

	"github.com/zkcurator/zkcurator/testserver/internal/ordernames"
)

func ExampleNames() {
	fmt.Println(ordernames.Names(4, "k"))
	// Output: [lock-0000000000 _c_8f2e-latch-k1 nk2 Zebra0000000003]
}
