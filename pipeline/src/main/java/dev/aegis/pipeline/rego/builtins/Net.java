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
    boolean contains(byte[] addr) {
      byte[] a = addr;
      if (ip.length == 4 && a.length == 16 && isV4Mapped(a)) {
        a = java.util.Arrays.copyOfRange(a, 12, 16);
      }
      if (a.length != ip.length) {
        return false;
      }
      for (int bit = 0; bit < prefix; bit++) {
        int mask = 0x80 >> (bit % 8);
        if ((a[bit / 8] & mask) != (ip[bit / 8] & mask)) {
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
    r.add("net.cidr_contains", 2, (ctx, a) -> {
      Cidr net = cidrOperand("net.cidr_contains", a[0]);
      String b = Args.str("net.cidr_contains", new Value[] {a[1]}, 0);
      byte[] ip = parseIp(b);
      if (ip != null) {
        return Value.bool(net.contains(ip));
      }
      Cidr other = parseCidr(b);
      if (other == null) {
        throw BuiltinError.builtin("net.cidr_contains",
            "not a valid textual representation of an IP address or CIDR: " + b);
      }
      return Value.bool(net.contains(other.ip()) && net.contains(other.last()));
    });
    r.add("net.cidr_intersects", 2, (ctx, a) -> {
      Cidr x = cidrOperand("net.cidr_intersects", a[0]);
      Cidr y = cidrOperand("net.cidr_intersects", a[1]);
      return Value.bool(x.contains(y.ip()) || y.contains(x.ip()));
    });
    r.add("net.cidr_is_valid", 1, (ctx, a) ->
        Value.bool(a[0] instanceof StrV s && parseCidr(s.value()) != null));
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
