// CuratorDiscovery is the Java side of the discovery interop tests
// (curator_test.go), on Apache
// Curator 5.x from Debian's libcurator-*-java packages. Usage:
//
//   java CuratorDiscovery json
//       prints the JsonInstanceSerializer JSON of a fixed instance (one
//       line) and exits.
//   java CuratorDiscovery register <connect> <base> <service> <id> <address> <port>
//       registers an instance (payload {"zone":"java"}, uriSpec
//       "{scheme}://{address}:{port}"), prints "REGISTERED", unregisters and
//       exits after reading a line from stdin.
//   java CuratorDiscovery query <connect> <base> <service>
//       prints "NAMES <n1,n2,...>", then "INSTANCE <id> <address> <port>
//       <uri> <payload zone>" per instance of <service>, then "DONE".

import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;

import org.apache.curator.framework.CuratorFramework;
import org.apache.curator.framework.CuratorFrameworkFactory;
import org.apache.curator.retry.ExponentialBackoffRetry;
import org.apache.curator.x.discovery.ServiceDiscovery;
import org.apache.curator.x.discovery.ServiceDiscoveryBuilder;
import org.apache.curator.x.discovery.ServiceInstance;
import org.apache.curator.x.discovery.ServiceType;
import org.apache.curator.x.discovery.UriSpec;
import org.apache.curator.x.discovery.details.JsonInstanceSerializer;

public class CuratorDiscovery {
    public static void main(String[] args) throws Exception {
        if (args[0].equals("json")) {
            Map<String, Object> payload = new TreeMap<>();
            payload.put("zone", "a");
            payload.put("weight", 3);
            ServiceInstance<Map> inst = new ServiceInstance<Map>("web", "id-1", "10.0.0.1", 8080, 8443,
                    payload, 1700000000000L, ServiceType.DYNAMIC, new UriSpec("{scheme}://{address}:{port}"), true);
            System.out.println(new String(new JsonInstanceSerializer<>(Map.class).serialize(inst), "UTF-8"));
            ServiceInstance<Map> bare = new ServiceInstance<Map>("web", "id-2", null, null, null,
                    null, 1L, ServiceType.STATIC, null, false);
            System.out.println(new String(new JsonInstanceSerializer<>(Map.class).serialize(bare), "UTF-8"));
            return;
        }
        CuratorFramework client = CuratorFrameworkFactory.newClient(args[1], new ExponentialBackoffRetry(100, 10));
        client.start();
        client.blockUntilConnected();
        try {
            switch (args[0]) {
                case "register": register(client, args); break;
                case "query": query(client, args); break;
                default: throw new IllegalArgumentException(args[0]);
            }
        } finally {
            client.close();
        }
    }

    static ServiceDiscovery<Map> discovery(CuratorFramework client, String base) throws Exception {
        ServiceDiscovery<Map> d = ServiceDiscoveryBuilder.builder(Map.class).client(client).basePath(base)
                .serializer(new JsonInstanceSerializer<>(Map.class)).build();
        d.start();
        return d;
    }

    static void register(CuratorFramework client, String[] a) throws Exception {
        Map<String, Object> payload = new HashMap<>();
        payload.put("zone", "java");
        ServiceInstance<Map> inst = ServiceInstance.<Map>builder().name(a[3]).id(a[4]).address(a[5])
                .port(Integer.parseInt(a[6])).payload(payload).uriSpec(new UriSpec("{scheme}://{address}:{port}")).build();
        ServiceDiscovery<Map> d = discovery(client, a[2]);
        d.registerService(inst);
        System.out.println("REGISTERED");
        System.out.flush();
        System.in.read();
        d.unregisterService(inst);
        d.close();
    }

    static void query(CuratorFramework client, String[] a) throws Exception {
        ServiceDiscovery<Map> d = discovery(client, a[2]);
        System.out.println("NAMES " + String.join(",", new java.util.TreeSet<>(d.queryForNames())));
        Collection<ServiceInstance<Map>> all = d.queryForInstances(a[3]);
        for (ServiceInstance<Map> i : all) {
            Object zone = i.getPayload() == null ? null : i.getPayload().get("zone");
            System.out.println("INSTANCE " + i.getId() + " " + i.getAddress() + " " + i.getPort() + " "
                    + i.buildUriSpec() + " " + zone);
        }
        System.out.println("DONE");
        d.close();
    }
}
