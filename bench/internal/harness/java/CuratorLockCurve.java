import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.RetryOneTime;

/**
 * Curator's InterProcessMutex under contention, the same measurement as the
 * Go harness's Contenders.Handoffs. Reads commands from stdin:
 *   run CONNECT N WANT PATH
 * opens N sessions, makes each loop acquire/release on PATH until WANT
 * hand-off latencies (previous holder's release call to the next holder's
 * acquire return; the first N grants not counted) are recorded, closes the
 * sessions and prints
 *   ok GRANTS ELAPSED_NS LAT_NS LAT_NS ...
 * or "error MESSAGE". Prints "ready" first.
 */
public class CuratorLockCurve {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        System.out.println("ready");
        System.out.flush();
        String line;
        while ((line = in.readLine()) != null) {
            String[] f = line.trim().split(" ");
            if (f.length != 5 || !f[0].equals("run")) {
                System.out.println("error bad command: " + line);
                System.out.flush();
                continue;
            }
            try {
                System.out.println(run(f[1], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[4]));
            } catch (Exception e) {
                System.out.println("error " + e);
            }
            System.out.flush();
        }
    }

    static String run(String connect, int n, int want, String path) throws Exception {
        List<CuratorFramework> cs = new ArrayList<>();
        try {
            for (int i = 0; i < n; i++) {
                CuratorFramework c = CuratorFrameworkFactory.newClient(connect, 30000, 15000, new RetryOneTime(100));
                c.start();
                c.blockUntilConnected();
                cs.add(c);
            }
            final long base = System.nanoTime();
            final AtomicLong released = new AtomicLong(0);
            final AtomicInteger holders = new AtomicInteger();
            final AtomicLong grants = new AtomicLong();
            final AtomicBoolean stop = new AtomicBoolean();
            final List<Long> lat = new ArrayList<>();
            final List<Exception> errs = Collections.synchronizedList(new ArrayList<>());
            final long skip = n;
            List<Thread> ts = new ArrayList<>();
            for (CuratorFramework c : cs) {
                final InterProcessMutex m = new InterProcessMutex(c, path);
                Thread t = new Thread(() -> {
                    try {
                        while (true) {
                            m.acquire();
                            long now = System.nanoTime() - base;
                            if (holders.incrementAndGet() != 1) {
                                errs.add(new IllegalStateException("two holders at once"));
                                stop.set(true);
                            }
                            long g = grants.incrementAndGet();
                            long r = released.get();
                            if (r != 0 && g > skip && !stop.get()) {
                                synchronized (lat) {
                                    lat.add(now - r);
                                    if (lat.size() >= want) {
                                        stop.set(true);
                                    }
                                }
                            }
                            boolean done = stop.get();
                            holders.decrementAndGet();
                            released.set(System.nanoTime() - base);
                            m.release();
                            if (done) {
                                return;
                            }
                        }
                    } catch (Exception e) {
                        errs.add(e);
                        stop.set(true);
                    }
                });
                ts.add(t);
            }
            long t0 = System.nanoTime();
            for (Thread t : ts) {
                t.start();
            }
            for (Thread t : ts) {
                t.join();
            }
            long elapsed = System.nanoTime() - t0;
            if (!errs.isEmpty()) {
                return "error " + errs.get(0);
            }
            StringBuilder sb = new StringBuilder("ok ").append(grants.get()).append(' ').append(elapsed);
            synchronized (lat) {
                for (long l : lat) {
                    sb.append(' ').append(l);
                }
            }
            return sb.toString();
        } finally {
            for (CuratorFramework c : cs) {
                c.close();
            }
        }
    }
}
