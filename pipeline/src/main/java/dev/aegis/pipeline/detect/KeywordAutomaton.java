package dev.aegis.pipeline.detect;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An Aho-Corasick automaton over ASCII keywords: one pass over the text finds every keyword that
 * occurs in it. This is the keyword pre-filter of the detectors (DESIGN section 12: scan the
 * payload once with a multi-pattern automaton); the confirming regexes run only for the
 * signatures whose anchors were found.
 *
 * <p>Matching is ASCII case-insensitive, and every whitespace character matches a space in a
 * keyword. Non-ASCII characters never match (keywords are ASCII; texts are normalised first). A
 * keyword registered as a whole word only matches when the characters around it are not letters
 * or digits (checked only on a side where the keyword itself starts or ends with a letter or
 * digit).
 *
 * <p>Immutable and thread safe once built; build it once (static) and share it.
 */
final class KeywordAutomaton {

  private final byte[] classOf = new byte[128];
  private final int alphabet;
  private final int[] delta;
  private final int[][] out;
  private final int[] lengths;
  private final boolean[] wholeWord;
  private final boolean[] leadingWordChar;
  private final boolean[] trailingWordChar;

  private KeywordAutomaton(List<String> keywords, List<Boolean> whole) {
    int n = keywords.size();
    lengths = new int[n];
    wholeWord = new boolean[n];
    leadingWordChar = new boolean[n];
    trailingWordChar = new boolean[n];
    int next = 1;
    for (int k = 0; k < n; k++) {
      String kw = keywords.get(k);
      for (int i = 0; i < kw.length(); i++) {
        char c = lower(kw.charAt(i));
        if (c >= 128) {
          throw new IllegalArgumentException("keywords must be ASCII: " + kw);
        }
        if (classOf[c] == 0) {
          if (next > 127) {
            throw new IllegalArgumentException("too many distinct keyword characters");
          }
          classOf[c] = (byte) next++;
        }
      }
      lengths[k] = kw.length();
      wholeWord[k] = whole.get(k);
      leadingWordChar[k] = Character.isLetterOrDigit(kw.charAt(0));
      trailingWordChar[k] = Character.isLetterOrDigit(kw.charAt(kw.length() - 1));
    }
    for (char c = 'A'; c <= 'Z'; c++) {
      classOf[c] = classOf[c + 32];
    }
    for (char c : new char[] {'\t', '\n', '\r', '\f', 0x0B}) {
      classOf[c] = classOf[' '];
    }
    alphabet = next;

    // Trie.
    List<int[]> go = new ArrayList<>();
    List<List<Integer>> outs = new ArrayList<>();
    go.add(filled(alphabet));
    outs.add(new ArrayList<>());
    for (int k = 0; k < n; k++) {
      String kw = keywords.get(k);
      int s = 0;
      for (int i = 0; i < kw.length(); i++) {
        int cls = classOf[lower(kw.charAt(i))];
        if (go.get(s)[cls] < 0) {
          go.get(s)[cls] = go.size();
          go.add(filled(alphabet));
          outs.add(new ArrayList<>());
        }
        s = go.get(s)[cls];
      }
      outs.get(s).add(k);
    }

    // Failure links, folded into a full transition table (breadth first).
    int states = go.size();
    delta = new int[states * alphabet];
    int[] fail = new int[states];
    ArrayDeque<Integer> queue = new ArrayDeque<>();
    for (int c = 0; c < alphabet; c++) {
      int t = go.get(0)[c];
      delta[c] = t < 0 ? 0 : t;
      if (t > 0) {
        fail[t] = 0;
        queue.add(t);
      }
    }
    while (!queue.isEmpty()) {
      int s = queue.poll();
      outs.get(s).addAll(outs.get(fail[s]));
      for (int c = 0; c < alphabet; c++) {
        int t = go.get(s)[c];
        if (t < 0) {
          delta[s * alphabet + c] = delta[fail[s] * alphabet + c];
        } else {
          delta[s * alphabet + c] = t;
          fail[t] = delta[fail[s] * alphabet + c];
          queue.add(t);
        }
      }
    }
    out = new int[states][];
    for (int s = 0; s < states; s++) {
      List<Integer> o = outs.get(s);
      out[s] = o.isEmpty() ? null : o.stream().distinct().mapToInt(Integer::intValue).toArray();
    }
  }

  /** @return a builder that assigns keyword ids in registration order */
  static Builder builder() {
    return new Builder();
  }

  /** @return how many keywords the automaton knows (ids are 0..size-1) */
  int size() {
    return lengths.length;
  }

  /**
   * Scans the text once.
   *
   * @return the ids of every keyword found (empty when none)
   */
  BitSet scan(CharSequence text) {
    BitSet found = new BitSet(lengths.length);
    int state = 0;
    int len = text.length();
    for (int i = 0; i < len; i++) {
      char c = text.charAt(i);
      state = delta[state * alphabet + (c < 128 ? classOf[c] : 0)];
      int[] o = out[state];
      if (o != null) {
        for (int k : o) {
          if (!found.get(k) && boundaryOk(text, i, k)) {
            found.set(k);
          }
        }
      }
    }
    return found;
  }

  private boolean boundaryOk(CharSequence text, int end, int k) {
    if (!wholeWord[k]) {
      return true;
    }
    int start = end - lengths[k] + 1;
    if (leadingWordChar[k] && start > 0 && Character.isLetterOrDigit(text.charAt(start - 1))) {
      return false;
    }
    return !(trailingWordChar[k] && end + 1 < text.length()
        && Character.isLetterOrDigit(text.charAt(end + 1)));
  }

  /** @return true when any of the ids is set */
  static boolean any(BitSet found, int[] ids) {
    for (int id : ids) {
      if (found.get(id)) {
        return true;
      }
    }
    return false;
  }

  private static char lower(char c) {
    return c >= 'A' && c <= 'Z' ? (char) (c + 32) : c;
  }

  private static int[] filled(int size) {
    int[] a = new int[size];
    Arrays.fill(a, -1);
    return a;
  }

  /** Collects keywords; the same keyword registered twice keeps one id. Not thread safe. */
  static final class Builder {
    private final Map<String, Integer> ids = new LinkedHashMap<>();
    private final List<String> keywords = new ArrayList<>();
    private final List<Boolean> whole = new ArrayList<>();

    /** Registers keywords matched anywhere (substring). @return their ids */
    int[] sub(String... kws) {
      return add(false, kws);
    }

    /** Registers keywords matched as whole words. @return their ids */
    int[] word(String... kws) {
      return add(true, kws);
    }

    private int[] add(boolean wholeWord, String... kws) {
      int[] result = new int[kws.length];
      for (int i = 0; i < kws.length; i++) {
        String kw = kws[i].toLowerCase(java.util.Locale.ROOT);
        if (kw.isEmpty()) {
          throw new IllegalArgumentException("empty keyword");
        }
        String key = (wholeWord ? "w:" : "s:") + kw;
        Integer id = ids.get(key);
        if (id == null) {
          id = keywords.size();
          ids.put(key, id);
          keywords.add(kw);
          whole.add(wholeWord);
        }
        result[i] = id;
      }
      return result;
    }

    KeywordAutomaton build() {
      return new KeywordAutomaton(keywords, whole);
    }
  }
}
