// CuratorContender contends with zkcurator's Go locks on one path, using
// Apache Curator 5.x recipes. The Go test (curator_test.go) compiles and
// runs it. Usage:
//
//   java CuratorContender <connect> <mode> <path> <id> [args...]
//
// Modes:
//   loop-mutex <flagDir> <threads> <iterations>
//   loop-rw    <flagDir> <threads> <iterations>
//   loop-sem   <flagDir> <threads> <iterations> <maxLeases>
//       each thread acquires and releases <iterations> times, checking the
//       shared flag files (see curator_test.go) and printing "OVERLAP <why>"
//       on a violation; prints "DONE" at the end.
//   hold-mutex | hold-read | hold-write | hold-sem <maxLeases>
//       acquires once, prints "ACQUIRED", releases after reading a line
//       from stdin, prints "RELEASED".
//   participants-mutex | participants-rw | participants-sem <maxLeases>
//       prints "NODE <path>" for each participant, in Curator's order
//       ("READ <path>" and "WRITE <path>" for a read-write lock, whose
//       locks list only their own kind of node).
//
// <id> becomes the client's default data, which is the data of its nodes.

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.framework.recipes.locks.InterProcessReadWriteLock;
import org.apache.curator.framework.recipes.locks.InterProcessSemaphoreV2;
import org.apache.curator.framework.recipes.locks.Lease;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorContender {
    static final AtomicInteger overlaps = new AtomicInteger();

    public static void main(String[] args) throws Exception {
        String connect = args[0], mode = args[1], path = args[2], id = args[3];
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .sessionTimeoutMs(10000)
                .defaultData(id.getBytes(StandardCharsets.UTF_8))
                .build();
        client.start();
        client.blockUntilConnected();
        try {
            run(client, mode, path, args);
        } finally {
            client.close();
        }
        System.out.flush();
        System.exit(overlaps.get() == 0 ? 0 : 3);
    }

    static void run(CuratorFramework client, String mode, String path, String[] args) throws Exception {
        switch (mode) {
            case "loop-mutex":
            case "loop-rw":
            case "loop-sem": {
                Path flags = Paths.get(args[4]);
                int threads = Integer.parseInt(args[5]);
                int iterations = Integer.parseInt(args[6]);
                int maxLeases = args.length > 7 ? Integer.parseInt(args[7]) : 1;
                List<Thread> ts = new ArrayList<>();
                List<Throwable> errors = new ArrayList<>();
                for (int t = 0; t < threads; t++) {
                    final int tn = t;
                    Thread th = new Thread(() -> {
                        try {
                            loop(client, mode, path, flags, iterations, maxLeases, tn);
                        } catch (Throwable e) {
                            synchronized (errors) { errors.add(e); }
                        }
                    });
                    th.start();
                    ts.add(th);
                }
                for (Thread th : ts) th.join();
                if (!errors.isEmpty()) {
                    throw new RuntimeException("worker failed", errors.get(0));
                }
                System.out.println("DONE");
                return;
            }
            case "hold-mutex": {
                InterProcessMutex m = new InterProcessMutex(client, path);
                m.acquire();
                holdUntilStdin();
                m.release();
                System.out.println("RELEASED");
                return;
            }
            case "hold-read":
            case "hold-write": {
                InterProcessReadWriteLock rw = new InterProcessReadWriteLock(client, path);
                InterProcessMutex m = mode.equals("hold-read") ? rw.readLock() : rw.writeLock();
                m.acquire();
                holdUntilStdin();
                m.release();
                System.out.println("RELEASED");
                return;
            }
            case "hold-sem": {
                InterProcessSemaphoreV2 s = new InterProcessSemaphoreV2(client, path, Integer.parseInt(args[4]));
                Lease l = s.acquire();
                holdUntilStdin();
                s.returnLease(l);
                System.out.println("RELEASED");
                return;
            }
            case "participants-mutex":
                print(new InterProcessMutex(client, path).getParticipantNodes());
                return;
            case "participants-rw": {
                InterProcessReadWriteLock rw = new InterProcessReadWriteLock(client, path);
                for (String n : rw.readLock().getParticipantNodes()) System.out.println("READ " + n);
                for (String n : rw.writeLock().getParticipantNodes()) System.out.println("WRITE " + n);
                return;
            }
            case "participants-sem":
                print(new InterProcessSemaphoreV2(client, path, Integer.parseInt(args[4])).getParticipantNodes());
                return;
            default:
                throw new IllegalArgumentException("unknown mode " + mode);
        }
    }

    static void holdUntilStdin() throws IOException {
        System.out.println("ACQUIRED");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8)).readLine();
    }

    static void print(Collection<String> nodes) {
        for (String n : nodes) System.out.println("NODE " + n);
    }

    static void loop(CuratorFramework client, String mode, String path, Path flags, int iterations, int maxLeases, int tn) throws Exception {
        InterProcessMutex mutex = new InterProcessMutex(client, path);
        InterProcessReadWriteLock rw = new InterProcessReadWriteLock(client, path);
        InterProcessSemaphoreV2 sem = new InterProcessSemaphoreV2(client, path, maxLeases);
        for (int i = 0; i < iterations; i++) {
            switch (mode) {
                case "loop-mutex":
                    mutex.acquire();
                    try { exclusive(flags, "inside"); } finally { mutex.release(); }
                    break;
                case "loop-rw":
                    if ((i + tn) % 3 == 0) {
                        rw.writeLock().acquire();
                        try { writer(flags); } finally { rw.writeLock().release(); }
                    } else {
                        rw.readLock().acquire();
                        try { reader(flags); } finally { rw.readLock().release(); }
                    }
                    break;
                case "loop-sem":
                    Lease l = sem.acquire();
                    try { lease(flags, maxLeases); } finally { sem.returnLease(l); }
                    break;
            }
        }
    }

    static void overlap(String why) {
        overlaps.incrementAndGet();
        System.out.println("OVERLAP " + why);
        System.out.flush();
    }

    // Flag protocol, shared with the Go side: create your flag file, then
    // look at the others; delete it when leaving.
    static void exclusive(Path flags, String name) throws IOException {
        Path f = flags.resolve(name);
        try {
            Files.createFile(f);
        } catch (FileAlreadyExistsException e) {
            overlap("java entered while " + name + " was taken");
            return;
        }
        for (int k = 0; k < 3; k++) {
            Thread.yield();
            if (!Files.exists(f)) overlap("java's flag vanished");
        }
        Files.delete(f);
    }

    static long count(Path flags, String prefix) throws IOException {
        try (Stream<Path> s = Files.list(flags)) {
            return s.filter(p -> p.getFileName().toString().startsWith(prefix)).count();
        }
    }

    static void writer(Path flags) throws IOException {
        Path f = flags.resolve("writer");
        try {
            Files.createFile(f);
        } catch (FileAlreadyExistsException e) {
            overlap("java writer while another writer holds");
            return;
        }
        if (count(flags, "reader-") > 0) overlap("java writer while readers hold");
        Thread.yield();
        Files.delete(f);
    }

    static void reader(Path flags) throws IOException {
        Path f = flags.resolve("reader-" + UUID.randomUUID());
        Files.createFile(f);
        if (Files.exists(flags.resolve("writer"))) overlap("java reader while a writer holds");
        Thread.yield();
        Files.delete(f);
    }

    static void lease(Path flags, int maxLeases) throws IOException {
        Path f = flags.resolve("lease-" + UUID.randomUUID());
        Files.createFile(f);
        long n = count(flags, "lease-");
        if (n > maxLeases) overlap("java lease: " + n + " leases held, max " + maxLeases);
        Thread.yield();
        Files.delete(f);
    }
}
