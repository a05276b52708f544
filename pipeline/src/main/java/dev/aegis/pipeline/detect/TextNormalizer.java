package dev.aegis.pipeline.detect;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.text.Normalizer;

/**
 * Normalises text once before it is scanned, so that obfuscated spellings match the same
 * signatures as plain ones.
 *
 * <p>In order: {@code %xx} URL escapes and {@code \\uXXXX} escapes are decoded once (only when
 * present); Unicode NFKC (folds fullwidth and compatibility forms; only when the text is not
 * ASCII); lower case (locale independent); format characters (zero-width space/joiners U+200B
 * to U+200D, U+FEFF, U+2060, soft hyphen, bidi controls) and other control characters are
 * dropped; common Cyrillic and Greek homoglyphs map to their Latin look-alikes; every run of
 * whitespace becomes one space.
 *
 * <p>Plain lower-case ASCII with single spaces is returned as the same instance after one read
 * pass and no allocation. Pure and thread safe.
 */
public final class TextNormalizer {

  private TextNormalizer() {}

  /**
   * @param raw any text, may be null (gives "")
   * @return the normalised text
   */
  public static String normalise(String raw) {
    return normalise(raw, false);
  }

  /**
   * As {@link #normalise(String)}, but when {@code keepLineBreaks} a whitespace run that contains
   * a line break becomes one {@code '\n'} instead of a space (the scanner needs line starts for
   * role-prefix signatures such as {@code system:}).
   */
  static String normalise(String raw, boolean keepLineBreaks) {
    if (raw == null) {
      return "";
    }
    boolean escapes = false;
    boolean nonAscii = false;
    boolean dirty = false;
    char prev = 'x';
    for (int i = 0; i < raw.length(); i++) {
      char c = raw.charAt(i);
      if (c >= 128) {
        nonAscii = true;
        break;
      }
      if (c == '%' || c == '\\') {
        escapes = true;
      } else if ((c >= 'A' && c <= 'Z') || c < 32
          && !(keepLineBreaks && c == '\n' && prev != ' ' && prev != '\n')
          || c == 127 || c == ' ' && (prev == ' ' || prev == '\n')) {
        dirty = true;
      }
      prev = c;
    }
    String s = raw;
    if (escapes || nonAscii) {
      s = decodeEscapes(s);
      if (s != raw || nonAscii) {
        nonAscii = true;
        dirty = true;
      }
    }
    if (!dirty) {
      return raw;
    }
    if (nonAscii && !Normalizer.isNormalized(s, Normalizer.Form.NFKC)) {
      s = Normalizer.normalize(s, Normalizer.Form.NFKC);
    }
    return fold(s, keepLineBreaks);
  }

  /** Lower case, drop invisible characters, map homoglyphs, collapse whitespace. */
  private static String fold(String s, boolean keepLineBreaks) {
    StringBuilder sb = new StringBuilder(s.length());
    int spaceState = 0; // 0 none, 1 space pending, 2 line break pending
    for (int i = 0; i < s.length(); ) {
      char ch = s.charAt(i);
      if (ch > ' ' && ch < 127) { // printable ASCII: the common case
        i++;
        if (spaceState != 0) {
          sb.append(spaceState == 2 ? '\n' : ' ');
          spaceState = 0;
        }
        sb.append(ch >= 'A' && ch <= 'Z' ? (char) (ch + 32) : ch);
        continue;
      }
      int cp = s.codePointAt(i);
      i += Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        boolean lineBreak = cp == '\n' || cp == '\r' || cp == 0x85 || cp == 0x2028 || cp == 0x2029;
        spaceState = Math.max(spaceState, keepLineBreaks && lineBreak ? 2 : 1);
        continue;
      }
      int type = Character.getType(cp);
      if (type == Character.FORMAT || type == Character.CONTROL) {
        continue;
      }
      if (spaceState != 0) {
        sb.append(spaceState == 2 ? '\n' : ' ');
        spaceState = 0;
      }
      int lower = Character.toLowerCase(cp);
      int mapped = homoglyph(lower);
      sb.appendCodePoint(mapped);
    }
    if (spaceState != 0) {
      sb.append(spaceState == 2 ? '\n' : ' ');
    }
    return sb.toString();
  }

  /** Cyrillic and Greek letters that render like Latin ones (already lower case). */
  static int homoglyph(int cp) {
    if (cp < 0x0131) {
      return cp;
    }
    switch (cp) {
      case 0x0131: return 'i'; // dotless i
      case 0x0261: return 'g';
      case 0x03b1: return 'a';
      case 0x03b2: return 'b';
      case 0x03b3: return 'y';
      case 0x03b5: return 'e';
      case 0x03b7: return 'n';
      case 0x03b9: return 'i';
      case 0x03ba: return 'k';
      case 0x03bd: return 'v';
      case 0x03bf: return 'o';
      case 0x03c1: return 'p';
      case 0x03c4: return 't';
      case 0x03c5: return 'u';
      case 0x03c7: return 'x';
      case 0x03c9: return 'w';
      case 0x03f2: return 'c';
      case 0x0430: return 'a';
      case 0x0432: return 'b';
      case 0x0435: return 'e';
      case 0x0451: return 'e';
      case 0x043a: return 'k';
      case 0x043c: return 'm';
      case 0x043d: return 'h';
      case 0x043e: return 'o';
      case 0x0440: return 'p';
      case 0x0441: return 'c';
      case 0x0442: return 't';
      case 0x0443: return 'y';
      case 0x0445: return 'x';
      case 0x0455: return 's';
      case 0x0456: return 'i';
      case 0x0457: return 'i';
      case 0x0458: return 'j';
      case 0x04bb: return 'h';
      case 0x0501: return 'd';
      case 0x051b: return 'q';
      case 0x051d: return 'w';
      default: return cp;
    }
  }

  /**
   * Decodes {@code %xx} runs (as UTF-8, Latin-1 when not valid UTF-8) and {@code \\uXXXX}
   * escapes, once. Returns the same instance when nothing was decoded.
   */
  static String decodeEscapes(String s) {
    if (s.indexOf('%') < 0 && s.indexOf('\\') < 0) {
      return s;
    }
    StringBuilder sb = null;
    int i = 0;
    int copied = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (c == '%' && hexAt(s, i + 1, 2) >= 0) {
        int j = i;
        byte[] bytes = new byte[(s.length() - i) / 3 + 1];
        int n = 0;
        while (j + 2 < s.length() && s.charAt(j) == '%' && hexAt(s, j + 1, 2) >= 0) {
          bytes[n++] = (byte) hexAt(s, j + 1, 2);
          j += 3;
        }
        sb = start(sb, s, copied, i);
        sb.append(bytesToString(bytes, n));
        i = j;
        copied = j;
      } else if (c == '\\' && i + 1 < s.length() && s.charAt(i + 1) == 'u'
          && hexAt(s, i + 2, 4) >= 0) {
        sb = start(sb, s, copied, i);
        sb.append((char) hexAt(s, i + 2, 4));
        i += 6;
        copied = i;
      } else {
        i++;
      }
    }
    if (sb == null) {
      return s;
    }
    sb.append(s, copied, s.length());
    return sb.toString();
  }

  private static StringBuilder start(StringBuilder sb, String s, int copied, int upTo) {
    if (sb == null) {
      sb = new StringBuilder(s.length());
    }
    sb.append(s, copied, upTo);
    return sb;
  }

  private static String bytesToString(byte[] bytes, int n) {
    boolean ascii = true;
    for (int k = 0; k < n; k++) {
      if (bytes[k] < 0) {
        ascii = false;
        break;
      }
    }
    if (ascii) {
      return new String(bytes, 0, n, StandardCharsets.US_ASCII);
    }
    try {
      CharBuffer cb = StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(ByteBuffer.wrap(bytes, 0, n));
      return cb.toString();
    } catch (CharacterCodingException e) {
      return new String(bytes, 0, n, StandardCharsets.ISO_8859_1);
    }
  }

  /** @return the value of {@code len} hex digits at {@code from}, or -1 */
  private static int hexAt(String s, int from, int len) {
    if (from + len > s.length()) {
      return -1;
    }
    int v = 0;
    for (int k = from; k < from + len; k++) {
      int d = Character.digit(s.charAt(k), 16);
      if (d < 0 || s.charAt(k) >= 128) {
        return -1;
      }
      v = v * 16 + d;
    }
    return v;
  }
}
