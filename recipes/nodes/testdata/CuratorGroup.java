// CuratorGroup is the Java side of the GroupMember / PersistentNode interop
// test (curator_test.go), on Apache Curator 5.x from Debian's
// libcurator-*-java packages. Usage:
//
//   java CuratorGroup <connect> <group> <id> <payload>
//       joins the group with a GroupMember, prints "JOINED", and answers
//       stdin commands: "members" (prints "MEMBERS id=payload,..." sorted
//       by id), "quit" (leaves, exits).

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.framework.recipes.nodes.GroupMember;
import org.apache.curator.retry.ExponentialBackoffRetry;

public class CuratorGroup {
    public static void main(String[] args) throws Exception {
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[0], new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        GroupMember g = new GroupMember(client, args[1], args[2], args[3].getBytes(StandardCharsets.UTF_8));
        g.start();
        System.out.println("JOINED");
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
            if (line.equals("members")) {
                List<String> out = new ArrayList<>();
                for (Map.Entry<String, byte[]> e : new TreeMap<>(g.getCurrentMembers()).entrySet()) {
                    out.add(e.getKey() + "=" + new String(e.getValue(), StandardCharsets.UTF_8));
                }
                System.out.println("MEMBERS " + String.join(",", out));
                System.out.flush();
            }
        }
        g.close();
        client.close();
    }
}
