// CuratorHolder takes an Apache Curator 5.x InterProcessMutex and holds it
// until a line arrives on stdin. zkc's interop test (curator_test.go)
// compiles and runs it. Usage:
//
//   java CuratorHolder <connect> <path> <id>
//
// <id> is the client's default data, so it is the data of its lock node.
// Prints "ACQUIRED" once it holds the lock and "RELEASED" after releasing.

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.locks.InterProcessMutex;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorHolder {
    public static void main(String[] args) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.builder()
                .connectString(args[0])
                .retryPolicy(new ExponentialBackoffRetry(100, 10))
                .sessionTimeoutMs(10000)
                .defaultData(args[2].getBytes(StandardCharsets.UTF_8))
                .build();
        client.start();
        client.blockUntilConnected();
        InterProcessMutex m = new InterProcessMutex(client, args[1]);
        m.acquire();
        System.out.println("ACQUIRED");
        System.out.flush();
        new BufferedReader(new InputStreamReader(System.in)).readLine();
        m.release();
        System.out.println("RELEASED");
        System.out.flush();
        client.close();
    }
}
