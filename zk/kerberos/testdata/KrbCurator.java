// KrbCurator is the Java side of the Kerberos interop tests
// (real_test.go): a Curator 5.x client that authenticates to ZooKeeper
// with SASL GSSAPI (JAAS "Client" section) and answers stdin commands.
// Usage:
//
//   java KrbCurator <connect> <jaas.conf> <krb5.conf>
//       prints "CONNECTED" once connected, then per command:
//       "whoami"              "WHO <scheme>:<id>" per identity, then "END"
//       "create <path> <data> <sasl-id>"
//                             creates path readable and writable only by
//                             sasl:<sasl-id>; "OK" or "ERR <code>"
//       "get <path>"          "DATA <data>" or "ERR <code>"
//       "acl <path>"          "ACL <scheme>:<id>" per entry, then "END"
//       "quit"

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Collections;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.RetryNTimes;
import org.apache.zookeeper.KeeperException;
import org.apache.zookeeper.ZooDefs;
import org.apache.zookeeper.data.ACL;
import org.apache.zookeeper.data.ClientInfo;
import org.apache.zookeeper.data.Id;

public class KrbCurator {
    static void say(String s) {
        System.out.println(s);
        System.out.flush();
    }

    public static void main(String[] args) throws Exception {
        System.setProperty("java.security.auth.login.config", args[1]);
        System.setProperty("java.security.krb5.conf", args[2]);
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[0], new RetryNTimes(0, 0));
        client.start();
        client.blockUntilConnected();
        say("CONNECTED");
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            String[] f = line.split(" ");
            try {
                switch (f[0]) {
                case "whoami":
                    for (ClientInfo ci : client.getZookeeperClient().getZooKeeper().whoAmI()) {
                        say("WHO " + ci.getAuthScheme() + ":" + ci.getUser());
                    }
                    say("END");
                    break;
                case "create":
                    client.create().withACL(Collections.singletonList(new ACL(ZooDefs.Perms.ALL, new Id("sasl", f[3]))))
                        .forPath(f[1], f[2].getBytes(StandardCharsets.UTF_8));
                    say("OK");
                    break;
                case "get":
                    say("DATA " + new String(client.getData().forPath(f[1]), StandardCharsets.UTF_8));
                    break;
                case "acl":
                    for (ACL a : client.getACL().forPath(f[1])) {
                        say("ACL " + a.getId().getScheme() + ":" + a.getId().getId());
                    }
                    say("END");
                    break;
                default:
                    say("ERR unknown command " + f[0]);
                }
            } catch (KeeperException e) {
                say("ERR " + e.code());
            }
        }
        client.close();
    }
}
