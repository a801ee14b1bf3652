// CuratorSASL is the Java side of the SASL interop test
// (conn_sasl_real_test.go), on Apache Curator 5.x from Debian's
// libcurator-*-java packages. Usage:
//
//   java CuratorSASL <connect> <jaas-file>
//       authenticates with the JAAS file's Client section (DIGEST-MD5),
//       prints "CONNECTED", then answers stdin commands:
//       "read <path>" (prints "DATA <data>" or "ERR <code>"),
//       "create <path> <data> <user>" (creates the node with the ACL
//       sasl:<user> only; prints "CREATED" or "ERR <code>"), "quit".

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.Id;

public class CuratorSASL {
    static void say(String s) {
        System.out.println(s);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.security.auth.login.config", args[1]);
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[0], new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        say("CONNECTED");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            String[] f = line.split(" ");
            try {
                if (f[0].equals("read")) {
                    byte[] d = client.getData().forPath(f[1]);
                    say("DATA " + new String(d, StandardCharsets.UTF_8));
                } else if (f[0].equals("create")) {
                    ACL acl = new ACL(ZooDefs.Perms.ALL, new Id("sasl", f[3]));
                    client.create().withACL(Collections.singletonList(acl))
                        .forPath(f[1], f[2].getBytes(StandardCharsets.UTF_8));
                    say("CREATED");
                }
            } catch (KeeperException e) {
                say("ERR " + e.code());
            }
        }
        client.close();
    }
}
