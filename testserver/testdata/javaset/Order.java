import java.util.*;
public class Order {
  static List<String> mixed(int n, String tag) {
    List<String> out = new ArrayList<>();
    String[] pre = {"lock-", "_c_8f2e-latch-", "n", "Zebra", "q\u00fc", "member_", "x"};
    for (int i = 0; i < n; i++) {
      String p = pre[i % pre.length];
      if (i % 3 == 0) out.add(p + String.format("%010d", i));
      else out.add(p + tag + i);
    }
    return out;
  }
  static void print(String name, Collection<String> c) { System.out.println(name + "\t" + String.join(",", c)); }
  public static void main(String[] a) {
    // 1: children history: HashSet(8), 100 adds, remove every 3rd, 30 more adds.
    HashSet<String> s = new HashSet<>(8);
    List<String> names = mixed(100, "k");
    for (String n : names) s.add(n);
    for (int i = 0; i < names.size(); i += 3) s.remove(names.get(i));
    for (String n : mixed(30, "m")) s.add(n);
    print("history", new ArrayList<>(s));
    // 2: colliding hashes: 11 names from Aa/BB (same String.hashCode) plus others.
    HashSet<String> c = new HashSet<>(8);
    String[] parts = {"Aa", "BB"};
    int k = 0;
    for (int m = 0; m < 16 && k < 11; m++, k++) {
      StringBuilder b = new StringBuilder();
      for (int j = 0; j < 4; j++) b.append(parts[(m >> j) & 1]);
      c.add(b.toString());
    }
    c.add("a"); c.add("b"); c.add("zz");
    print("collide", new ArrayList<>(c));
    // 3: ephemerals: HashSet() default, 40 paths, remove 30, clone.
    HashSet<String> e = new HashSet<>();
    List<String> paths = new ArrayList<>();
    for (String n : mixed(40, "e")) paths.add("/conf-x/" + n);
    for (String p : paths) e.add(p);
    for (int i = 0; i < 30; i++) e.remove(paths.get(i));
    print("eph", new ArrayList<>(e));
    @SuppressWarnings("unchecked") HashSet<String> cl = (HashSet<String>) e.clone();
    print("ephclone", new ArrayList<>(cl));
    // 4: empty again then refill (table keeps its size).
    HashSet<String> r = new HashSet<>(8);
    for (String n : mixed(50, "r")) r.add(n);
    for (String n : mixed(50, "r")) r.remove(n);
    for (String n : mixed(6, "s")) r.add(n);
    print("refill", new ArrayList<>(r));
    // 5: random history over colliding names (tree bins: treeify, split,
    // untreeify, red-black removal), printed every 250 ops with a clone.
    List<String> pool = new ArrayList<>();
    String[][] pairs = {{"Aa", "BB"}, {"Ca", "DB"}};
    for (String[] pr : pairs) {
      for (int m = 0; m < 64; m++) {
        StringBuilder b = new StringBuilder();
        for (int j = 0; j < 6; j++) b.append(pr[(m >> j) & 1]);
        pool.add(b.toString());
      }
    }
    for (int i = 0; i < 40; i++) pool.add("n" + i);
    HashSet<String> t = new HashSet<>(8);
    long x = 42;
    for (int op = 1; op <= 3000; op++) {
      x = (x * 1103515245L + 12345L) & 0x7fffffffL;
      String key = pool.get((int) ((x >> 8) % pool.size()));
      if (((x >> 4) & 3) == 0) t.remove(key); else t.add(key);
      if (op % 250 == 0) {
        print("rand" + op, new ArrayList<>(t));
        @SuppressWarnings("unchecked") HashSet<String> tc = (HashSet<String>) t.clone();
        print("randclone" + op, new ArrayList<>(tc));
      }
    }
  }
}
