package dev.aegis.verticles.opa;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A minimal POSIX ustar (IEEE 1003.1-1988) archive writer: regular files only, 512-byte headers,
 * data padded to 512 bytes, two zero blocks at the end. Deterministic: mode 0644, uid/gid 0,
 * mtime 0, so the same files give the same bytes (an OPA bundle's content then depends on the
 * policy revision only). Names longer than 100 bytes are split into the header's 155-byte prefix
 * and 100-byte name at a {@code /}; longer names are refused.
 */
final class UstarWriter {

  static final int BLOCK = 512;

  private final OutputStream out;
  private boolean closed;

  UstarWriter(OutputStream out) {
    this.out = out;
  }

  /** Appends one regular file. */
  void file(String name, byte[] data) throws IOException {
    if (closed) {
      throw new IllegalStateException("archive already finished");
    }
    byte[] header = new byte[BLOCK];
    byte[] full = name.getBytes(StandardCharsets.UTF_8);
    if (full.length <= 100) {
      System.arraycopy(full, 0, header, 0, full.length);
    } else {
      int split = splitPoint(name);
      byte[] prefix = name.substring(0, split).getBytes(StandardCharsets.UTF_8);
      byte[] rest = name.substring(split + 1).getBytes(StandardCharsets.UTF_8);
      System.arraycopy(rest, 0, header, 0, rest.length);
      System.arraycopy(prefix, 0, header, 345, prefix.length);
    }
    octal(header, 100, 8, 0644);
    octal(header, 108, 8, 0);
    octal(header, 116, 8, 0);
    octal(header, 124, 12, data.length);
    octal(header, 136, 12, 0);
    header[156] = '0';
    ascii(header, 257, "ustar\0");
    ascii(header, 263, "00");
    ascii(header, 265, "root");
    ascii(header, 297, "root");
    // checksum: the header's byte sum with the checksum field read as eight spaces
    Arrays.fill(header, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : header) {
      sum += b & 0xff;
    }
    octal(header, 148, 7, sum);
    header[155] = ' ';
    out.write(header);
    out.write(data);
    int pad = (BLOCK - data.length % BLOCK) % BLOCK;
    out.write(new byte[pad]);
  }

  /** Writes the end-of-archive marker (two zero blocks); the stream stays open. */
  void finish() throws IOException {
    if (!closed) {
      out.write(new byte[2 * BLOCK]);
      closed = true;
    }
  }

  /** The index of the {@code /} splitting {@code name} into prefix (<= 155) and name (<= 100). */
  private static int splitPoint(String name) {
    for (int i = name.length() - 1; i > 0; i--) {
      if (name.charAt(i) == '/') {
        int prefixLen = name.substring(0, i).getBytes(StandardCharsets.UTF_8).length;
        int nameLen = name.substring(i + 1).getBytes(StandardCharsets.UTF_8).length;
        if (prefixLen <= 155 && nameLen <= 100 && nameLen > 0) {
          return i;
        }
      }
    }
    throw new IllegalArgumentException("path too long for a ustar header: " + name);
  }

  /** Zero-padded octal digits filling {@code len - 1} bytes, then NUL. */
  private static void octal(byte[] h, int off, int len, long value) {
    String s = Long.toOctalString(value);
    if (s.length() > len - 1) {
      throw new IllegalArgumentException("value too large for a ustar field: " + value);
    }
    String padded = "0".repeat(len - 1 - s.length()) + s;
    ascii(h, off, padded);
    h[off + len - 1] = 0;
  }

  private static void ascii(byte[] h, int off, String s) {
    byte[] b = s.getBytes(StandardCharsets.US_ASCII);
    System.arraycopy(b, 0, h, off, b.length);
  }

  /** Convenience for tests: the archive of the given (name, data) pairs. */
  static byte[] archive(java.util.Map<String, byte[]> files) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    UstarWriter w = new UstarWriter(bytes);
    for (var e : files.entrySet()) {
      w.file(e.getKey(), e.getValue());
    }
    w.finish();
    return bytes.toByteArray();
  }
}
