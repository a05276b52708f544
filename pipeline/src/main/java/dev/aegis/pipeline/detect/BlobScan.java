package dev.aegis.pipeline.detect;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * One pass over raw (case preserved) text for encoded blobs: the longest base64-looking and hex
 * runs (shape scoring) and the base64 candidates worth decoding (an encoded injection phrase).
 * Not thread safe: one instance per scan.
 */
final class BlobScan {

  /** A run this long counts as a long blob for shape scoring. */
  static final int LONG_BLOB = 64;
  /** Shortest run that is decoded and scanned for injection phrases. */
  static final int MIN_DECODE = 20;
  private static final int MAX_CANDIDATES = 8;
  private static final int MAX_DECODE = 8_192;

  boolean longBase64;
  boolean longHex;
  final List<String> candidates = new ArrayList<>(0);

  BlobScan(CharSequence raw) {
    int len = raw.length();
    int i = 0;
    while (i < len) {
      if (!b64(raw.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      boolean hex = true;
      boolean upper = false;
      boolean lower = false;
      boolean digit = false;
      boolean url = false;
      boolean std = false;
      while (i < len && b64(raw.charAt(i))) {
        char c = raw.charAt(i);
        hex &= Character.digit(c, 16) >= 0;
        upper |= c >= 'A' && c <= 'Z';
        lower |= c >= 'a' && c <= 'z';
        digit |= c >= '0' && c <= '9';
        url |= c == '-' || c == '_';
        std |= c == '+' || c == '/';
        i++;
      }
      int end = i;
      while (i < len && i - end < 2 && raw.charAt(i) == '=') {
        i++;
      }
      int runLen = end - start;
      if (hex && runLen >= LONG_BLOB) {
        longHex = true;
      } else if (runLen >= LONG_BLOB && upper && lower && (digit || std)) {
        longBase64 = true;
      }
      if (runLen >= MIN_DECODE && upper && lower && !(url && std)
          && candidates.size() < MAX_CANDIDATES) {
        candidates.add(raw.subSequence(start, Math.min(end, start + MAX_DECODE)).toString());
      }
    }
  }

  private static boolean b64(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '+'
        || c == '/' || c == '-' || c == '_';
  }

  /**
   * Decodes a base64 or base64url run.
   *
   * @return the decoded text when it is mostly printable ASCII, else null
   */
  static String decodePrintable(String run) {
    String s = run;
    if (s.length() % 4 == 1) {
      s = s.substring(0, s.length() - 1);
    }
    boolean url = s.indexOf('-') >= 0 || s.indexOf('_') >= 0;
    byte[] bytes;
    try {
      bytes = (url ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(pad(s));
    } catch (IllegalArgumentException e) {
      return null;
    }
    if (bytes.length < 8) {
      return null;
    }
    int printable = 0;
    for (byte b : bytes) {
      if (b >= 0x20 && b < 0x7f || b == '\n' || b == '\r' || b == '\t') {
        printable++;
      }
    }
    return printable * 10 >= bytes.length * 9 ? new String(bytes, StandardCharsets.ISO_8859_1)
        : null;
  }

  private static String pad(String s) {
    int rem = s.length() % 4;
    return rem == 0 ? s : s + "==".substring(0, 4 - rem);
  }
}
