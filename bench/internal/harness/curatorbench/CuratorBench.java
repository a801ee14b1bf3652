// CuratorBench is the Curator side of bench/recipes_curator_test.go: one
// JVM per recipe, started once, that runs batches of operations on
// command so that Go measures Curator the way it measures its own recipes
// (the JVM's start and the JIT's warm-up stay out of the timed batches, as
// the benchmark framework's first small b.N runs warm it up).
//
//   java CuratorBench <recipe> <connect> <path>
//
// recipe is "atomic" (DistributedAtomicLong.increment), "queue"
// (DistributedQueue without a lock path: n puts, consumed by its
// QueueConsumer; the batch ends when all n are consumed) or "discovery"
// (ServiceProvider.getInstance over a ServiceCache of 10 instances). It
// prints "READY", then for each stdin line "<n>" runs n operations and
// prints "DONE <bytes allocated by the JVM's threads meanwhile>".

import java.lang.management.ManagementFactory;
import java.util.concurrent.Semaphore;
import java.io.BufferedReader;
import java.io.InputStreamReader;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.atomic.AtomicValue;
import org.apache.curator.framework.recipes.atomic.DistributedAtomicLong;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.retry.RetryNTimes;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceProvider;

public class CuratorBench {
    interface Batch { void run(int n) throws Exception; }

    static long allocated() {
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (long b : mx.getThreadAllocatedBytes(mx.getAllThreadIds())) {
            if (b > 0) sum += b;
        }
        return sum;
    }

    public static void main(String[] args) throws Exception {
        String recipe = args[0], path = args[2];
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[1], 30000, 15000, new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        Batch batch;
        switch (recipe) {
            case "atomic": {
                DistributedAtomicLong l = new DistributedAtomicLong(client, path, new RetryNTimes(10, 10));
                batch = n -> {
                    for (int i = 0; i < n; i++) {
                        AtomicValue<Long> v = l.increment();
                        if (!v.succeeded()) throw new IllegalStateException("increment failed");
                    }
                };
                break;
            }
            case "queue": {
                Semaphore consumed = new Semaphore(0);
                QueueConsumer<byte[]> consumer = new QueueConsumer<byte[]>() {
                    public void consumeMessage(byte[] message) { consumed.release(); }
                    public void stateChanged(CuratorFramework c, ConnectionState s) {}
                };
                QueueSerializer<byte[]> identity = new QueueSerializer<byte[]>() {
                    public byte[] serialize(byte[] item) { return item; }
                    public byte[] deserialize(byte[] bytes) { return bytes; }
                };
                DistributedQueue<byte[]> q = QueueBuilder.builder(client, consumer, identity, path).buildQueue();
                q.start();
                byte[] item = new byte[64];
                batch = n -> {
                    for (int i = 0; i < n; i++) q.put(item);
                    consumed.acquire(n);
                };
                break;
            }
            case "discovery": {
                ServiceDiscovery<Void> d = ServiceDiscoveryBuilder.builder(Void.class).client(client).basePath(path).build();
                d.start();
                for (int i = 0; i < 10; i++) {
                    d.registerService(ServiceInstance.<Void>builder().name("svc").id("java-" + i).address("10.0.0." + i).port(8080).build());
                }
                ServiceProvider<Void> p = d.serviceProviderBuilder().serviceName("svc").build();
                p.start();
                while (p.getAllInstances().size() < 10) Thread.sleep(10);
                batch = n -> {
                    for (int i = 0; i < n; i++) {
                        if (p.getInstance() == null) throw new IllegalStateException("no instance");
                    }
                };
                break;
            }
            default:
                throw new IllegalArgumentException("unknown recipe " + recipe);
        }
        System.out.println("READY");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        for (String line; (line = in.readLine()) != null; ) {
            int n = Integer.parseInt(line.trim());
            long before = allocated();
            batch.run(n);
            System.out.println("DONE " + (allocated() - before));
            System.out.flush();
        }
        client.close();
        System.exit(0);
    }
}
