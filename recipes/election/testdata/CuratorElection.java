// CuratorElection takes part in an election with zkcurator's Go Latch and
// Selector, using Apache Curator 5.x's LeaderLatch or LeaderSelector. The
// Go test (curator_test.go) compiles and runs it. Usage:
//
//   java CuratorElection <connect> latch|selector <path> <id>
//
// It prints "STARTED" once it takes part, "LEADER" when it becomes leader
// and "NOTLEADER" when it stops leading, then follows commands read from
// stdin, one a line:
//   status   prints "STATUS <true|false> <leader id>" (hasLeadership, and
//            getLeader().getId() read from ZooKeeper)
//   release  (selector) returns from takeLeadership
//   close    closes the recipe, prints "CLOSED" and exits

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.leader.LeaderLatch;
import org.apache.curator.framework.recipes.leader.LeaderLatchListener;
import org.apache.curator.framework.recipes.leader.LeaderSelector;
import org.apache.curator.framework.recipes.leader.LeaderSelectorListenerAdapter;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorElection {
    static synchronized void say(String s) {
        System.out.println(s);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        String connect = args[0], mode = args[1], path = args[2], id = args[3];
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(connect)
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .sessionTimeoutMs(10000)
                .build();
        client.start();
        client.blockUntilConnected();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        try {
            if (mode.equals("latch")) {
                latch(client, path, id, in);
            } else {
                selector(client, path, id, in);
            }
        } finally {
            client.close();
        }
        System.exit(0);
    }

    static void latch(CuratorFramework client, String path, String id, BufferedReader in) throws Exception {
        LeaderLatch l = new LeaderLatch(client, path, id, LeaderLatch.CloseMode.NOTIFY_LEADER);
        l.addListener(new LeaderLatchListener() {
            public void isLeader() { say("LEADER"); }
            public void notLeader() { say("NOTLEADER"); }
        });
        l.start();
        while (l.getOurPath() == null) Thread.sleep(10);
        say("STARTED");
        for (String cmd; (cmd = in.readLine()) != null; ) {
            switch (cmd) {
                case "status":
                    say("STATUS " + l.hasLeadership() + " " + l.getLeader().getId());
                    break;
                case "close":
                    l.close();
                    say("CLOSED");
                    return;
            }
        }
    }

    static void selector(CuratorFramework client, String path, String id, BufferedReader in) throws Exception {
        AtomicReference<CountDownLatch> release = new AtomicReference<>(new CountDownLatch(1));
        AtomicBoolean leading = new AtomicBoolean();
        LeaderSelector s = new LeaderSelector(client, path, new LeaderSelectorListenerAdapter() {
            public void takeLeadership(CuratorFramework c) throws Exception {
                leading.set(true);
                say("LEADER");
                try {
                    release.get().await();
                } finally {
                    release.set(new CountDownLatch(1));
                    leading.set(false);
                    say("NOTLEADER");
                }
            }
        });
        s.setId(id);
        s.start();
        while (s.getParticipants().stream().noneMatch(p -> p.getId().equals(id))) Thread.sleep(10);
        say("STARTED");
        for (String cmd; (cmd = in.readLine()) != null; ) {
            switch (cmd) {
                case "status":
                    say("STATUS " + (leading.get() && s.hasLeadership()) + " " + s.getLeader().getId());
                    break;
                case "release":
                    release.get().countDown();
                    break;
                case "close":
                    s.close();
                    say("CLOSED");
                    return;
            }
        }
    }
}
