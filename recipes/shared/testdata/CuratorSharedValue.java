// CuratorSharedValue is the Java side of the SharedValue interop test
// (value_curator_test.go), on Apache Curator 5.x from Debian's
// libcurator-*-java packages. Usage:
//
//   java CuratorSharedValue <connect> <path> <seed>
//       starts a SharedValue, prints "STARTED <value>", then "CHANGED <value>"
//       for every change its listener hears, and answers stdin commands:
//       "set <v>" (trySetValue with the current versioned value; prints
//       "SET true|false"), "get" (prints "VALUE <v>"), "quit".

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.shared.SharedValue;
import org.apache.curator.framework.recipes.shared.SharedValueListener;
import org.apache.curator.framework.recipes.shared.SharedValueReader;
import org.apache.curator.framework.state.ConnectionState;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorSharedValue {
    static synchronized void say(String s) {
        System.out.println(s);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[0], new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        SharedValue v = new SharedValue(client, args[1], args[2].getBytes(StandardCharsets.UTF_8));
        v.getListenable().addListener(new SharedValueListener() {
            public void valueHasChanged(SharedValueReader r, byte[] value) {
                say("CHANGED " + new String(value, StandardCharsets.UTF_8));
            }
            public void stateChanged(CuratorFramework c, ConnectionState s) {}
        });
        v.start();
        say("STARTED " + new String(v.getValue(), StandardCharsets.UTF_8));
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            if (line.startsWith("set ")) {
                boolean ok = v.trySetValue(v.getVersionedValue(), line.substring(4).getBytes(StandardCharsets.UTF_8));
                say("SET " + ok);
            } else if (line.equals("get")) {
                say("VALUE " + new String(v.getValue(), StandardCharsets.UTF_8));
            }
        }
        v.close();
        client.close();
    }
}
