package dev.aegis.pipeline.rego;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.NavigableSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A ground Rego value. Immutable by contract: the collections inside arrays, objects and sets are
 * never changed after construction (build them with {@link ObjV#builder()} and friends, or wrap a
 * fresh collection). Values are totally ordered as OPA orders them: null &lt; boolean &lt; number
 * &lt; string &lt; array &lt; object &lt; set; objects and sets iterate in that order, so
 * iteration and output are deterministic. Equality is by value ({@code 1 == 1.0}).
 */
public sealed interface Value extends Comparable<Value>
    permits Value.NullV, Value.BoolV, Value.NumV, Value.StrV, Value.ArrV, Value.ObjV, Value.SetV {

  NullV NULL = new NullV();
  BoolV TRUE = new BoolV(true);
  BoolV FALSE = new BoolV(false);
  ArrV EMPTY_ARRAY = new ArrV(List.of());
  ObjV EMPTY_OBJECT = new ObjV(Collections.emptyNavigableMap());
  SetV EMPTY_SET = new SetV(Collections.emptyNavigableSet());

  /** OPA's type name: null, boolean, number, string, array, object, set. */
  String typeName();

  /** Sort rank of the type (OPA order). */
  int rank();

  @Override
  default int compareTo(Value o) {
    return Values.compare(this, o);
  }

  // ------------------------------------------------------------------ kinds

  record NullV() implements Value {
    public String typeName() {
      return "null";
    }

    public int rank() {
      return 0;
    }

    @Override
    public String toString() {
      return "null";
    }
  }

  record BoolV(boolean value) implements Value {
    public String typeName() {
      return "boolean";
    }

    public int rank() {
      return 1;
    }

    @Override
    public String toString() {
      return Boolean.toString(value);
    }
  }

  /**
   * A number of arbitrary precision. Equality and hashing ignore trailing zeros, so {@code 1},
   * {@code 1.0} and {@code 1e0} are equal.
   */
  final class NumV implements Value {
    private static final NumV[] SMALL = new NumV[1025];

    static {
      for (int i = 0; i < SMALL.length; i++) {
        SMALL[i] = new NumV(BigDecimal.valueOf(i - 512));
      }
    }

    private final BigDecimal value;
    private int hash;

    private NumV(BigDecimal value) {
      this.value = value;
    }

    public static NumV of(long v) {
      if (v >= -512 && v <= 512) {
        return SMALL[(int) v + 512];
      }
      return new NumV(BigDecimal.valueOf(v));
    }

    public static NumV of(BigDecimal v) {
      return new NumV(v);
    }

    public static NumV of(BigInteger v) {
      return new NumV(new BigDecimal(v));
    }

    /** Parses JSON number text; throws NumberFormatException when it is not a number. */
    public static NumV parse(String text) {
      return new NumV(new BigDecimal(text));
    }

    public static NumV ofDouble(double d) {
      return new NumV(new BigDecimal(Double.toString(d)));
    }

    public BigDecimal value() {
      return value;
    }

    /** True when the number has no fractional part. */
    public boolean isInteger() {
      return value.signum() == 0 || value.scale() <= 0 || value.stripTrailingZeros().scale() <= 0;
    }

    /** The value as an int if integral and within range, else null. */
    public Integer intValueExact() {
      if (!isInteger()) {
        return null;
      }
      try {
        return value.intValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }

    /** The value as a long if integral and within range, else null. */
    public Long longValueExact() {
      if (!isInteger()) {
        return null;
      }
      try {
        return value.toBigIntegerExact().longValueExact();
      } catch (ArithmeticException e) {
        return null;
      }
    }

    public double doubleValue() {
      return value.doubleValue();
    }

    public String typeName() {
      return "number";
    }

    public int rank() {
      return 2;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof NumV n && value.compareTo(n.value) == 0;
    }

    @Override
    public int hashCode() {
      int h = hash;
      if (h == 0) {
        h = value.signum() == 0 ? 1 : value.stripTrailingZeros().hashCode();
        hash = h;
      }
      return h;
    }

    /** JSON text: integers without exponent or fraction, others in plain notation. */
    @Override
    public String toString() {
      if (value.signum() == 0) {
        return "0";
      }
      if (isInteger()) {
        return value.toBigInteger().toString();
      }
      return value.stripTrailingZeros().toPlainString();
    }
  }

  record StrV(String value) implements Value {
    public static final StrV EMPTY = new StrV("");

    public String typeName() {
      return "string";
    }

    public int rank() {
      return 3;
    }

    @Override
    public String toString() {
      return Values.quote(value);
    }
  }

  /** An array. {@code items} is not copied; callers hand over ownership. */
  final class ArrV implements Value, Iterable<Value> {
    private final List<Value> items;
    private int hash;

    public ArrV(List<Value> items) {
      this.items = items;
    }

    public static ArrV of(Value... items) {
      return new ArrV(List.of(items));
    }

    public List<Value> items() {
      return Collections.unmodifiableList(items);
    }

    public int size() {
      return items.size();
    }

    public Value get(int i) {
      return items.get(i);
    }

    @Override
    public Iterator<Value> iterator() {
      return items().iterator();
    }

    public String typeName() {
      return "array";
    }

    public int rank() {
      return 4;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ArrV a && items.equals(a.items);
    }

    @Override
    public int hashCode() {
      int h = hash;
      if (h == 0) {
        h = items.hashCode() | 1;
        hash = h;
      }
      return h;
    }

    @Override
    public String toString() {
      return Values.toRego(this);
    }
  }

  /** An object, keys in OPA order. Any value may be a key. */
  final class ObjV implements Value {
    private final NavigableMap<Value, Value> map;
    private int hash;

    /** Wraps {@code map} (ownership passes to the value; it must be ordered by Value order). */
    public ObjV(NavigableMap<Value, Value> map) {
      this.map = map;
    }

    public static Builder builder() {
      return new Builder();
    }

    public NavigableMap<Value, Value> map() {
      return Collections.unmodifiableNavigableMap(map);
    }

    public Value get(Value key) {
      return map.get(key);
    }

    public Value get(String key) {
      return map.get(new StrV(key));
    }

    public int size() {
      return map.size();
    }

    public String typeName() {
      return "object";
    }

    public int rank() {
      return 5;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof ObjV b && map.equals(b.map);
    }

    @Override
    public int hashCode() {
      int h = hash;
      if (h == 0) {
        h = map.hashCode() | 1;
        hash = h;
      }
      return h;
    }

    @Override
    public String toString() {
      return Values.toRego(this);
    }

    /** Builds an object; later puts of the same key replace earlier ones. */
    public static final class Builder {
      private TreeMap<Value, Value> map = new TreeMap<>();

      public Builder put(Value k, Value v) {
        map.put(k, v);
        return this;
      }

      public Builder put(String k, Value v) {
        map.put(new StrV(k), v);
        return this;
      }

      public Builder putAll(Map<Value, Value> m) {
        map.putAll(m);
        return this;
      }

      public boolean containsKey(Value k) {
        return map.containsKey(k);
      }

      public Value get(Value k) {
        return map.get(k);
      }

      public ObjV build() {
        ObjV o = map.isEmpty() ? EMPTY_OBJECT : new ObjV(map);
        map = new TreeMap<>();
        return o;
      }
    }
  }

  /** A set, elements in OPA order. */
  final class SetV implements Value, Iterable<Value> {
    private final NavigableSet<Value> items;
    private int hash;

    /** Wraps {@code items} (ownership passes to the value; it must be ordered by Value order). */
    public SetV(NavigableSet<Value> items) {
      this.items = items;
    }

    public static SetV of(Collection<? extends Value> items) {
      return new SetV(new TreeSet<>(items));
    }

    public static SetV of(Value... items) {
      return of(List.of(items));
    }

    public NavigableSet<Value> items() {
      return Collections.unmodifiableNavigableSet(items);
    }

    public boolean contains(Value v) {
      return items.contains(v);
    }

    public int size() {
      return items.size();
    }

    @Override
    public Iterator<Value> iterator() {
      return items().iterator();
    }

    public String typeName() {
      return "set";
    }

    public int rank() {
      return 6;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof SetV s && items.equals(s.items);
    }

    @Override
    public int hashCode() {
      int h = hash;
      if (h == 0) {
        h = items.hashCode() | 1;
        hash = h;
      }
      return h;
    }

    @Override
    public String toString() {
      return Values.toRego(this);
    }
  }

  // ------------------------------------------------------------------ factories

  static StrV str(String s) {
    return new StrV(s);
  }

  static NumV num(long n) {
    return NumV.of(n);
  }

  static BoolV bool(boolean b) {
    return b ? TRUE : FALSE;
  }

  static ArrV array(List<Value> items) {
    return new ArrV(new ArrayList<>(items));
  }
}
