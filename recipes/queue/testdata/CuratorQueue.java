// CuratorQueue is the Java side of the queue interop tests
// (curator_test.go), on Apache Curator 5.x from Debian's libcurator-*-java
// packages. Items are UTF-8 strings with an identity byte[] serializer.
// Usage:
//
//   java CuratorQueue put <connect> <path> <lockPath> <n>
//       DistributedQueue producer: puts "java-0" and "java-1" with one
//       putMulti, then "java-2".."java-<n-1>" one by one; prints "PUT".
//   java CuratorQueue consume <connect> <path> <lockPath> <n>
//       DistributedQueue consumer with lockPath: prints "ITEM <item>" for
//       each item consumed, and "DONE" after n.
//   java CuratorQueue pput <connect> <path> <lockPath> <n>
//       DistributedPriorityQueue producer: puts "java-i" with priority n-i
//       (so the last is the most urgent); prints "PUT".
//   java CuratorQueue pconsume <connect> <path> <lockPath> <n>
//       DistributedPriorityQueue consumer with lockPath: prints
//       "ITEM <item>" for each item consumed, and "DONE" after n.
//   java CuratorQueue dput <connect> <path> <lockPath> <n> <offsetMs>
//       DistributedDelayQueue producer: puts "java-i@<due>" due at
//       now + offset + (n-i)*100 ms; prints "PUT".
//   java CuratorQueue dconsume <connect> <path> <lockPath> <n>
//       DistributedDelayQueue consumer with lockPath: prints
//       "ITEM <item>@<now ms>" for each item consumed, and "DONE" after n.
//   java CuratorQueue iput <connect> <path> <lockPath> <n>
//       DistributedIdQueue producer: puts "java-i" with id "id/i" (Curator
//       stores it as "id_i"); prints "PUT".
//   java CuratorQueue iconsume <connect> <path> <lockPath> <n>
//       DistributedIdQueue consumer with lockPath: removes id "go/0" first
//       (printing "REMOVED <count>"), then prints "ITEM <item>" for each
//       item consumed, and "DONE" after n.
//   java CuratorQueue offer <connect> <path> <n>
//       SimpleDistributedQueue: offers "java-0".."java-<n-1>"; prints "PUT".
//   java CuratorQueue take <connect> <path> <n>
//       SimpleDistributedQueue: takes n items, printing "ITEM <item>" each,
//       then "DONE".

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Iterator;
import java.util.concurrent.CountDownLatch;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.queue.DistributedDelayQueue;
import org.apache.curator.framework.recipes.queue.DistributedIdQueue;
import org.apache.curator.framework.recipes.queue.DistributedPriorityQueue;
import org.apache.curator.framework.recipes.queue.DistributedQueue;
import org.apache.curator.framework.recipes.queue.MultiItem;
import org.apache.curator.framework.recipes.queue.QueueBuilder;
import org.apache.curator.framework.recipes.queue.QueueConsumer;
import org.apache.curator.framework.recipes.queue.QueueSerializer;
import org.apache.curator.framework.recipes.queue.SimpleDistributedQueue;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorQueue {
    static final QueueSerializer<byte[]> IDENTITY = new QueueSerializer<byte[]>() {
        public byte[] serialize(byte[] item) { return item; }
        public byte[] deserialize(byte[] bytes) { return bytes; }
    };

    static byte[] item(int i) {
        return ("java-" + i).getBytes(StandardCharsets.UTF_8);
    }

    static synchronized void print(String line) {
        System.out.println(line);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[1], new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        String mode = args[0], path = args[2];
        switch (mode) {
            case "put": {
                int n = Integer.parseInt(args[4]);
                DistributedQueue<byte[]> q = QueueBuilder.builder(client, null, IDENTITY, path)
                        .lockPath(args[3]).buildQueue();
                q.start();
                Iterator<byte[]> first = Arrays.asList(item(0), item(1)).iterator();
                q.putMulti(new MultiItem<byte[]>() {
                    public byte[] nextItem() { return first.hasNext() ? first.next() : null; }
                });
                for (int i = 2; i < n; i++) {
                    q.put(item(i));
                }
                q.flushPuts(30, java.util.concurrent.TimeUnit.SECONDS);
                print("PUT");
                q.close();
                break;
            }
            case "consume": {
                int n = Integer.parseInt(args[4]);
                CountDownLatch done = new CountDownLatch(n);
                QueueConsumer<byte[]> consumer = new QueueConsumer<byte[]>() {
                    public void consumeMessage(byte[] message) {
                        print("ITEM " + new String(message, StandardCharsets.UTF_8));
                        done.countDown();
                    }
                    public void stateChanged(CuratorFramework c, ConnectionState s) {}
                };
                DistributedQueue<byte[]> q = QueueBuilder.builder(client, consumer, IDENTITY, path)
                        .lockPath(args[3]).buildQueue();
                q.start();
                done.await();
                q.close();
                print("DONE");
                break;
            }
            case "pput": {
                int n = Integer.parseInt(args[4]);
                DistributedPriorityQueue<byte[]> q = QueueBuilder.builder(client, null, IDENTITY, path)
                        .lockPath(args[3]).buildPriorityQueue(0);
                q.start();
                for (int i = 0; i < n; i++) {
                    q.put(item(i), n - i);
                }
                q.flushPuts(30, java.util.concurrent.TimeUnit.SECONDS);
                print("PUT");
                q.close();
                break;
            }
            case "dput": {
                int n = Integer.parseInt(args[4]);
                long base = System.currentTimeMillis() + Long.parseLong(args[5]);
                DistributedDelayQueue<byte[]> q = QueueBuilder.builder(client, null, IDENTITY, path)
                        .lockPath(args[3]).buildDelayQueue();
                q.start();
                for (int i = 0; i < n; i++) {
                    long due = base + (n - i) * 100L;
                    q.put(("java-" + i + "@" + due).getBytes(StandardCharsets.UTF_8), due);
                }
                q.flushPuts(30, java.util.concurrent.TimeUnit.SECONDS);
                print("PUT");
                q.close();
                break;
            }
            case "iput": {
                int n = Integer.parseInt(args[4]);
                DistributedIdQueue<byte[]> q = QueueBuilder.builder(client, null, IDENTITY, path)
                        .lockPath(args[3]).buildIdQueue();
                q.start();
                for (int i = 0; i < n; i++) {
                    q.put(item(i), "id/" + i);
                }
                q.flushPuts(30, java.util.concurrent.TimeUnit.SECONDS);
                print("PUT");
                q.close();
                break;
            }
            case "iconsume": {
                int n = Integer.parseInt(args[4]);
                CountDownLatch done = new CountDownLatch(n);
                QueueConsumer<byte[]> consumer = new QueueConsumer<byte[]>() {
                    public void consumeMessage(byte[] message) {
                        print("ITEM " + new String(message, StandardCharsets.UTF_8));
                        done.countDown();
                    }
                    public void stateChanged(CuratorFramework c, ConnectionState s) {}
                };
                // Remove first with a consumer-less queue, so the consumer
                // cannot take the item before.
                DistributedIdQueue<byte[]> r = QueueBuilder.builder(client, null, IDENTITY, path)
                        .lockPath(args[3]).buildIdQueue();
                r.start();
                print("REMOVED " + r.remove("go_0"));
                r.close();
                DistributedIdQueue<byte[]> q = QueueBuilder.builder(client, consumer, IDENTITY, path)
                        .lockPath(args[3]).buildIdQueue();
                q.start();
                done.await();
                q.close();
                print("DONE");
                break;
            }
            case "pconsume":
            case "dconsume": {
                int n = Integer.parseInt(args[4]);
                CountDownLatch done = new CountDownLatch(n);
                boolean delay = mode.equals("dconsume");
                QueueConsumer<byte[]> consumer = new QueueConsumer<byte[]>() {
                    public void consumeMessage(byte[] message) {
                        String s = new String(message, StandardCharsets.UTF_8);
                        print("ITEM " + s + (delay ? "@" + System.currentTimeMillis() : ""));
                        done.countDown();
                    }
                    public void stateChanged(CuratorFramework c, ConnectionState s) {}
                };
                QueueBuilder<byte[]> b = QueueBuilder.builder(client, consumer, IDENTITY, path).lockPath(args[3]);
                java.io.Closeable q;
                if (delay) {
                    DistributedDelayQueue<byte[]> dq = b.buildDelayQueue();
                    dq.start();
                    q = dq;
                } else {
                    DistributedPriorityQueue<byte[]> pq = b.buildPriorityQueue(0);
                    pq.start();
                    q = pq;
                }
                done.await();
                q.close();
                print("DONE");
                break;
            }
            case "offer": {
                int n = Integer.parseInt(args[3]);
                SimpleDistributedQueue q = new SimpleDistributedQueue(client, path);
                for (int i = 0; i < n; i++) {
                    q.offer(item(i));
                }
                print("PUT");
                break;
            }
            case "take": {
                int n = Integer.parseInt(args[3]);
                SimpleDistributedQueue q = new SimpleDistributedQueue(client, path);
                for (int i = 0; i < n; i++) {
                    print("ITEM " + new String(q.take(), StandardCharsets.UTF_8));
                }
                print("DONE");
                break;
            }
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
        client.close();
    }
}
