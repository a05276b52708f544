package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.BuiltinError;
import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.StrV;

/**
 * {@code net.cidr_contains net.cidr_intersects net.cidr_is_valid} for IPv4 and IPv6, with Go's
 * net.ParseIP/ParseCIDR rules. Addresses are parsed by hand (never through DNS).
 */
final class Net {
  private Net() {
  }

  /** A parsed network: address bytes (4 or 16) masked to the prefix. */
  record Cidr(byte[] ip, int prefix) {
    /** Go's IPNet.Contains: IPv4-mapped IPv6 networks and addresses compare as IPv4. */
    boolean contains(byte[] addr) {
      byte[] net = ip;
      int bits = prefix;
      if (net.length == 16 && isV4Mapped(net)) {
        net = java.util.Arrays.copyOfRange(net, 12, 16);
        bits = Math.max(0, prefix - 96);
      }
      byte[] a = addr.length == 16 && isV4Mapped(addr) ? java.util.Arrays.copyOfRange(addr, 12, 16)
          : addr;
      if (a.length != net.length) {
        return false;
      }
      for (int bit = 0; bit < bits; bit++) {
        int mask = 0x80 >> (bit % 8);
        if ((a[bit / 8] & mask) != (net[bit / 8] & mask)) {
          return false;
        }
      }
      return true;
    }

    byte[] last() {
      byte[] out = ip.clone();
      for (int bit = prefix; bit < out.length * 8; bit++) {
        out[bit / 8] |= (byte) (0x80 >> (bit % 8));
      }
      return out;
    }
  }

  static void register(Builtins.Registrar r) {
    r.add("net.cidr_contains", 2, (ctx, a) -> Value.bool(contains("net.cidr_contains", a[0], a[1])));
    r.add("net.cidr_intersects", 2, (ctx, a) -> {
      Cidr x = cidrOperand("net.cidr_intersects", a[0]);
      Cidr y = cidrOperand("net.cidr_intersects", a[1]);
      return Value.bool(x.contains(y.ip()) || y.contains(x.ip()));
    });
    r.add("net.cidr_contains_matches", 2, (ctx, a) -> containsMatches(a));
    r.add("net.cidr_is_valid", 1, (ctx, a) ->
        Value.bool(a[0] instanceof StrV s && parseCidr(s.value()) != null));
  }

  /** Whether CIDR {@code a} contains the address or CIDR {@code b}. */
  private static boolean contains(String name, Value a, Value b) {
    Cidr net = cidrOperand(name, a);
    String other = Args.str(name, new Value[] {b}, 0);
    byte[] ip = parseIp(other);
    if (ip != null) {
      return net.contains(ip);
    }
    Cidr c = parseCidr(other);
    if (c == null) {
      throw BuiltinError.builtin(name,
          "not a valid textual representation of an IP address or CIDR: " + other);
    }
    return net.contains(c.ip()) && net.contains(c.last());
  }

  /** One (cidr, key) candidate of net.cidr_contains_matches. */
  private record Candidate(Value cidr, Value key) {
  }

  private static java.util.List<Candidate> candidates(int operand, Value coll) {
    java.util.List<Candidate> out = new java.util.ArrayList<>();
    if (coll instanceof StrV) {
      out.add(new Candidate(coll, coll));
    } else if (coll instanceof Value.ArrV arr) {
      for (int i = 0; i < arr.size(); i++) {
        out.add(new Candidate(matchTerm(operand, arr.get(i)), dev.aegis.pipeline.rego.Value.NumV.of(i)));
      }
    } else if (coll instanceof Value.SetV set) {
      for (Value x : set) {
        out.add(new Candidate(matchTerm(operand, x), x));
      }
    } else if (coll instanceof Value.ObjV obj) {
      for (java.util.Map.Entry<Value, Value> e : obj.map().entrySet()) {
        out.add(new Candidate(matchTerm(operand, e.getValue()), e.getKey()));
      }
    }
    return out;
  }

  private static Value matchTerm(int operand, Value v) {
    if (v instanceof StrV) {
      return v;
    }
    if (v instanceof Value.ArrV arr && arr.size() > 0) {
      return arr.get(0);
    }
    throw BuiltinError.builtin("net.cidr_contains_matches",
        "operand " + operand + ": element must be string or non-empty array");
  }

  private static Value containsMatches(Value[] a) {
    java.util.List<Candidate> xs = candidates(1, a[0]);
    java.util.List<Candidate> ys = candidates(2, a[1]);
    java.util.TreeSet<Value> out = new java.util.TreeSet<>();
    for (Candidate x : xs) {
      for (Candidate y : ys) {
        if (contains("net.cidr_contains_matches", x.cidr(), y.cidr())) {
          out.add(Value.ArrV.of(x.key(), y.key()));
        }
      }
    }
    return out.isEmpty() ? Value.EMPTY_SET : new Value.SetV(out);
  }

  private static Cidr cidrOperand(String name, Value v) {
    String s = Args.str(name, new Value[] {v}, 0);
    Cidr c = parseCidr(s);
    if (c == null) {
      throw BuiltinError.builtin(name, "invalid CIDR address: " + s);
    }
    return c;
  }

  static boolean isV4Mapped(byte[] a) {
    for (int i = 0; i < 10; i++) {
      if (a[i] != 0) {
        return false;
      }
    }
    return a[10] == (byte) 0xff && a[11] == (byte) 0xff;
  }

  /** Go's net.ParseCIDR, or null. */
  static Cidr parseCidr(String s) {
    int slash = s.indexOf('/');
    if (slash < 0) {
      return null;
    }
    String addr = s.substring(0, slash);
    String bits = s.substring(slash + 1);
    byte[] ip = addr.indexOf(':') >= 0 ? parseV6(addr) : parseV4(addr);
    if (ip == null || bits.isEmpty() || bits.length() > 3) {
      return null;
    }
    for (int i = 0; i < bits.length(); i++) {
      if (!Character.isDigit(bits.charAt(i)) || bits.charAt(i) > '9') {
        return null;
      }
    }
    if (bits.length() > 1 && bits.charAt(0) == '0') {
      return null;
    }
    int prefix = Integer.parseInt(bits);
    if (prefix > ip.length * 8) {
      return null;
    }
    byte[] masked = ip.clone();
    for (int bit = prefix; bit < masked.length * 8; bit++) {
      masked[bit / 8] &= (byte) ~(0x80 >> (bit % 8));
    }
    return new Cidr(masked, prefix);
  }

  /** Go's net.ParseIP, or null: IPv4 as 4 bytes, IPv6 as 16. */
  static byte[] parseIp(String s) {
    return s.indexOf(':') >= 0 ? parseV6(s) : parseV4(s);
  }

  static byte[] parseV4(String s) {
    byte[] out = new byte[4];
    int part = 0;
    int i = 0;
    int n = s.length();
    while (part < 4) {
      int start = i;
      int v = 0;
      while (i < n && s.charAt(i) >= '0' && s.charAt(i) <= '9' && i - start < 3) {
        v = v * 10 + (s.charAt(i) - '0');
        i++;
      }
      if (i == start || v > 255 || (i - start > 1 && s.charAt(start) == '0')) {
        return null;
      }
      out[part++] = (byte) v;
      if (part < 4) {
        if (i >= n || s.charAt(i) != '.') {
          return null;
        }
        i++;
      }
    }
    return i == n ? out : null;
  }

  static byte[] parseV6(String s) {
    byte[] out = new byte[16];
    int ellipsis = -1;
    int j = 0;
    int i = 0;
    int n = s.length();
    if (n >= 2 && s.charAt(0) == ':' && s.charAt(1) == ':') {
      ellipsis = 0;
      i = 2;
      if (i == n) {
        return out;
      }
    }
    while (j < 16) {
      int start = i;
      int v = 0;
      while (i < n && Character.digit(s.charAt(i), 16) >= 0 && s.charAt(i) < 0x80) {
        v = v * 16 + Character.digit(s.charAt(i), 16);
        i++;
        if (v > 0xffff) {
          return null;
        }
      }
      if (i == start) {
        return null;
      }
      if (i < n && s.charAt(i) == '.') {
        if (ellipsis < 0 && j != 12 || j + 4 > 16) {
          return null;
        }
        byte[] v4 = parseV4(s.substring(start));
        if (v4 == null) {
          return null;
        }
        System.arraycopy(v4, 0, out, j, 4);
        j += 4;
        i = n;
        break;
      }
      out[j++] = (byte) (v >> 8);
      out[j++] = (byte) v;
      if (i == n) {
        break;
      }
      if (s.charAt(i) != ':' || i + 1 == n) {
        return null;
      }
      i++;
      if (s.charAt(i) == ':') {
        if (ellipsis >= 0) {
          return null;
        }
        ellipsis = j;
        i++;
        if (i == n) {
          break;
        }
      }
    }
    if (i != n) {
      return null;
    }
    if (j < 16) {
      if (ellipsis < 0) {
        return null;
      }
      int k = 16 - j;
      for (int x = j - 1; x >= ellipsis; x--) {
        out[x + k] = out[x];
      }
      for (int x = ellipsis + k - 1; x >= ellipsis; x--) {
        out[x] = 0;
      }
    } else if (ellipsis >= 0) {
      return null;
    }
    return out;
  }
}
