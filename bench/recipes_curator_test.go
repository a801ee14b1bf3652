package bench

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/zkcurator/zkcurator/bench/internal/harness"
)

// BenchmarkCuratorCatalogue measures Curator's second catalogue against
// Curator 5.4 in the same run, on the real server (issue 13):
// CuratorCatalogue/recipe={atomic,queue,discovery}/client={zkcurator,curator}.
//
//   - atomic: DistributedAtomicLong increments, one session, one at a time.
//   - queue: DistributedQueue (no lock path) put+take: a batch of b.N puts
//     and the background consumer taking all of them; one op is one item
//     through the queue.
//   - discovery: ServiceProvider instance lookups from its cache, 10
//     instances (no ZooKeeper traffic).
//
// Curator runs in a JVM started once per recipe (Debian's Curator jars;
// skipped without javac or the jars) and told over stdin to run each batch,
// so ns/op and ops/s compare like with like. allocs/op and B/op are this Go
// process's: the client's on the zkcurator rows, only the driver's on the
// curator rows, where jvm-B/op is the bytes the JVM's threads allocated
// per op (Java cannot count allocations).
func BenchmarkCuratorCatalogue(b *testing.B) {
	ctx := benchContext(b, 15*time.Minute)
	srv := server(b, ctx, harness.ServerReal)
	for _, recipe := range harness.CuratorRecipes {
		b.Run("recipe="+recipe, func(b *testing.B) {
			for _, client := range []string{"zkcurator", "curator"} {
				b.Run("client="+client, func(b *testing.B) {
					var runner harness.RecipeRunner // one per sub-benchmark, across its b.N rounds
					b.Cleanup(func() {
						if runner != nil {
							if err := runner.Close(); err != nil {
								b.Errorf("close %s: %v", client, err)
							}
						}
					})
					path := fmt.Sprintf("/bench-curator/%s-%s-%d", recipe, client, time.Now().UnixNano())
					var err error
					if client == "curator" {
						runner, err = harness.StartCuratorRecipe(ctx, recipe, srv.Addr, path)
					} else {
						runner, err = harness.StartGoRecipe(ctx, recipe, srv.Addr, path)
					}
					if errors.Is(err, harness.ErrUnavailable) {
						b.Skipf("%s unavailable: %v", client, err)
					}
					if err != nil {
						b.Fatal(err)
					}
					if err := runner.Run(ctx, 10); err != nil { // warm-up
						b.Fatal(err)
					}
					b.ReportAllocs()
					b.ResetTimer()
					if err := runner.Run(ctx, b.N); err != nil {
						b.Fatal(err)
					}
					b.StopTimer()
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
					if bytes, ok := harness.JVMAllocated(runner); ok {
						b.ReportMetric(float64(bytes)/float64(b.N), "jvm-B/op")
					}
				})
			}
		})
	}
}
