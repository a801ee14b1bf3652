// CuratorAtomic is the Java side of the atomic interop test
// (curator_test.go), on Apache Curator 5.x from Debian's libcurator-*-java
// packages. Usage:
//
//   java CuratorAtomic <connect> <path> <times>
//       waits for a line on stdin (so both sides start together), then
//       increments a DistributedAtomicLong at <path> <times> times and
//       prints "DONE" (or "FAILED" for an increment that did not succeed).

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryForever;

public class CuratorAtomic {
    public static void main(String[] args) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[0], new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        try {
            DistributedAtomicLong l = new DistributedAtomicLong(client, args[1], new RetryForever(1));
            int n = Integer.parseInt(args[2]);
            System.out.println("READY");
            System.out.flush();
            System.in.read();
            for (int i = 0; i < n; i++) {
                AtomicValue<Long> r = l.increment();
                if (!r.succeeded()) {
                    System.out.println("FAILED");
                }
            }
            System.out.println("DONE");
        } finally {
            client.close();
        }
    }
}
