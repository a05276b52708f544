package dev.aegis.pipeline.detect;

/**
 * Finds card numbers, US social security numbers and e-mail addresses with hand-written scans
 * (no regex): the text is read once for digit runs and once per {@code '@'}.
 *
 * <ul>
 *   <li>Card: 13 to 19 digits, optionally separated by single spaces or dashes, starting with 2
 *       to 6 (the major networks' IIN ranges; this keeps epoch-millisecond timestamps and the
 *       like out), passing the Luhn check, not glued to letters, digits or a decimal point.</li>
 *   <li>SSN: exactly {@code ddd-dd-dddd}, area not 000, 666 or 9xx, group not 00, serial not
 *       0000.</li>
 *   <li>E-mail: {@code local@domain.tld} with an alphabetic TLD of two or more letters.</li>
 * </ul>
 *
 * Pure and thread safe.
 */
final class PiiDetector {

  static final int CARD = 0;
  static final int SSN = 1;
  static final int EMAIL = 2;
  static final String[] KIND_NAMES = {"card_number", "ssn", "email"};

  /** Receives each value found, as a [start, end) span of the scanned text. */
  interface Sink {
    void found(int kind, int start, int end);
  }

  /** Counts per kind ({@link #CARD}, {@link #SSN}, {@link #EMAIL}). */
  static final class Counts implements Sink {
    final int[] n = new int[3];

    @Override
    public void found(int kind, int start, int end) {
      n[kind]++;
    }

    int total() {
      return n[0] + n[1] + n[2];
    }
  }

  private PiiDetector() {}

  /** Scans for all three kinds. */
  static void scan(CharSequence s, boolean emails, Sink sink) {
    findNumbers(s, sink);
    if (emails) {
      findEmails(s, sink);
    }
  }

  /** Finds card numbers and SSNs. */
  static void findNumbers(CharSequence s, Sink sink) {
    int len = s.length();
    int i = 0;
    while (i < len) {
      if (!digit(s.charAt(i))) {
        i++;
        continue;
      }
      int start = i;
      int digits = 0;
      int j = i;
      while (j < len) {
        char c = s.charAt(j);
        if (digit(c)) {
          digits++;
          j++;
        } else if ((c == ' ' || c == '-') && j + 1 < len && digit(s.charAt(j + 1))) {
          j++;
        } else {
          break;
        }
      }
      int end = j;
      i = end;
      if (digits < 9 || digits > 19 || !bounded(s, start, end)) {
        continue;
      }
      if (digits == 9 && isSsn(s, start, end)) {
        sink.found(SSN, start, end);
      } else if (digits >= 13 && s.charAt(start) >= '2' && s.charAt(start) <= '6'
          && luhn(s, start, end)) {
        sink.found(CARD, start, end);
      }
    }
  }

  private static boolean bounded(CharSequence s, int start, int end) {
    if (start > 0) {
      char before = s.charAt(start - 1);
      if (Character.isLetterOrDigit(before) || before == '_'
          || before == '.' && start > 1 && digit(s.charAt(start - 2))) {
        return false;
      }
    }
    if (end < s.length()) {
      char after = s.charAt(end);
      if (Character.isLetterOrDigit(after) || after == '_'
          || after == '.' && end + 1 < s.length() && digit(s.charAt(end + 1))) {
        return false;
      }
    }
    return true;
  }

  private static boolean isSsn(CharSequence s, int start, int end) {
    if (end - start != 11 || s.charAt(start + 3) != '-' || s.charAt(start + 6) != '-') {
      return false;
    }
    int area = num(s, start, 3);
    int group = num(s, start + 4, 2);
    int serial = num(s, start + 7, 4);
    return area != 0 && area != 666 && area < 900 && group != 0 && serial != 0;
  }

  private static int num(CharSequence s, int from, int len) {
    int v = 0;
    for (int k = from; k < from + len; k++) {
      v = v * 10 + (s.charAt(k) - '0');
    }
    return v;
  }

  /** The Luhn (mod 10) check over the digits of [start, end), separators ignored. */
  static boolean luhn(CharSequence s, int start, int end) {
    int sum = 0;
    boolean dbl = false;
    for (int k = end - 1; k >= start; k--) {
      char c = s.charAt(k);
      if (!digit(c)) {
        continue;
      }
      int d = c - '0';
      if (dbl) {
        d *= 2;
        if (d > 9) {
          d -= 9;
        }
      }
      sum += d;
      dbl = !dbl;
    }
    return sum % 10 == 0;
  }

  /** Finds e-mail addresses. */
  static void findEmails(CharSequence s, Sink sink) {
    int len = s.length();
    int from = 0;
    while (from < len) {
      int at = indexOf(s, '@', from);
      if (at < 0) {
        return;
      }
      int start = at;
      while (start > 0 && localChar(s.charAt(start - 1))) {
        start--;
      }
      while (start < at && s.charAt(start) == '.') {
        start++;
      }
      int end = at + 1;
      int lastDot = -1;
      while (end < len && domainChar(s.charAt(end))) {
        if (s.charAt(end) == '.') {
          lastDot = end;
        }
        end++;
      }
      while (end > at + 1 && (s.charAt(end - 1) == '.' || s.charAt(end - 1) == '-')) {
        end--;
        if (lastDot == end) {
          lastDot = -1;
          for (int k = end - 1; k > at; k--) {
            if (s.charAt(k) == '.') {
              lastDot = k;
              break;
            }
          }
        }
      }
      if (start < at && lastDot > at + 1 && end - lastDot - 1 >= 2 && alphaTld(s, lastDot + 1, end)
          && s.charAt(at + 1) != '.' && s.charAt(at + 1) != '-') {
        sink.found(EMAIL, start, end);
        from = end;
      } else {
        from = at + 1;
      }
    }
  }

  private static boolean alphaTld(CharSequence s, int from, int to) {
    for (int k = from; k < to; k++) {
      char c = s.charAt(k);
      if (!(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z')) {
        return false;
      }
    }
    return true;
  }

  private static int indexOf(CharSequence s, char c, int from) {
    if (s instanceof String) {
      return ((String) s).indexOf(c, from);
    }
    for (int k = from; k < s.length(); k++) {
      if (s.charAt(k) == c) {
        return k;
      }
    }
    return -1;
  }

  private static boolean localChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
        || c == '_' || c == '%' || c == '+' || c == '-';
  }

  private static boolean domainChar(char c) {
    return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.'
        || c == '-';
  }

  static boolean digit(char c) {
    return c >= '0' && c <= '9';
  }
}
