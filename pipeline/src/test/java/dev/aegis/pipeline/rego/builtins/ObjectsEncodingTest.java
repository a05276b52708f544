package dev.aegis.pipeline.rego.builtins;

import static dev.aegis.pipeline.rego.builtins.BuiltinCalls.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.aegis.pipeline.rego.Value;
import org.junit.jupiter.api.Test;

class ObjectsEncodingTest {
  @Test
  void objectGet() {
    assertThat(callJson("object.get", "{\"a\":1}", "\"a\"", "0")).isEqualTo(n(1));
    assertThat(callJson("object.get", "{\"a\":1}", "\"b\"", "0")).isEqualTo(n(0));
    assertThat(callJson("object.get", "{\"a\":{\"b\":[5,6]}}", "[\"a\",\"b\",1]", "0")).isEqualTo(n(6));
    assertThat(callJson("object.get", "{\"a\":{\"b\":[5,6]}}", "[\"a\",\"c\"]", "\"d\"")).isEqualTo(s("d"));
    assertThat(rego(callJson("object.get", "{\"a\":1}", "[]", "0"))).isEqualTo("{\"a\": 1}");
    assertThat(errorJson("object.get", "[]", "\"a\"", "0").detail())
        .isEqualTo("object.get: operand 1 must be object but got array");
  }

  @Test
  void objectRemoveFilterKeys() {
    assertThat(rego(callJson("object.remove", "{\"a\":1,\"b\":2,\"c\":3}", "[\"a\",\"c\"]"))).isEqualTo("{\"b\": 2}");
    assertThat(rego(call("object.remove", j("{\"a\":1,\"b\":2}"), set(s("b"))))).isEqualTo("{\"a\": 1}");
    assertThat(errorJson("object.remove", "{}", "1").detail())
        .isEqualTo("object.remove: operand 2 must be one of {object, set, array} but got number");
    assertThat(rego(callJson("object.filter", "{\"a\":{\"b\":1},\"e\":9}", "{\"a\":0}")))
        .isEqualTo("{\"a\": {\"b\": 1}}");
    assertThat(rego(callJson("object.keys", "{\"a\":1,\"b\":2}"))).isEqualTo("{\"a\", \"b\"}");
  }

  @Test
  void objectUnion() {
    assertThat(rego(callJson("object.union", "{\"a\":{\"b\":1,\"c\":2}}", "{\"a\":{\"b\":3},\"d\":4}")))
        .isEqualTo("{\"a\": {\"b\": 3, \"c\": 2}, \"d\": 4}");
    assertThat(rego(callJson("object.union_n", "[{\"a\":{\"b\":2}},{\"a\":4},{\"a\":{\"c\":3}}]")))
        .isEqualTo("{\"a\": {\"c\": 3}}");
    assertThat(errorJson("object.union_n", "[{}, 1]").detail())
        .isEqualTo("object.union_n: operand 1 must be array of objects but got array containing number");
  }

  @Test
  void objectSubset() {
    assertThat(callJson("object.subset", "{\"a\":\"b\",\"c\":{\"x\":[10,15,20,25],\"y\":\"z\"}}",
        "{\"c\":{\"x\":[15,20]}}")).isEqualTo(Value.TRUE);
    assertThat(callJson("object.subset", "[1,2,3,4]", "[2,4]")).isEqualTo(Value.FALSE);
    assertThat(call("object.subset", j("[1,2,3]"), set(n(3), n(1)))).isEqualTo(Value.TRUE);
    assertThat(errorJson("object.subset", "{}", "[]").detail())
        .isEqualTo("object.subset: both arguments object.subset must be of the same type or array and set");
  }

  @Test
  void jsonFilterAndRemove() {
    assertThat(rego(call("json.filter", j("{\"a\":{\"b\":{\"c\":7,\"d\":8,\"x\":0}},\"e\":9}"),
        set(s("a/b/d"), j("[\"a\",\"b\",\"c\"]"))))).isEqualTo("{\"a\": {\"b\": {\"c\": 7, \"d\": 8}}}");
    assertThat(rego(callJson("json.filter", "{\"a\":[{\"b\":1,\"c\":2},{\"b\":3}]}", "[\"a/0/b\"]")))
        .isEqualTo("{\"a\": [{\"b\": 1}]}");
    assertThat(rego(callJson("json.remove", "{\"a\":{\"b\":1,\"c\":2},\"d\":[1,2,3]}", "[\"a/b\", \"d/1\"]")))
        .isEqualTo("{\"a\": {\"c\": 2}, \"d\": [1, 3]}");
    assertThat(errorJson("json.filter", "{}", "[1]").detail()).isEqualTo("json.filter: operand 2 must be one of "
        + "{set, array} containing string paths or array of path segments but got number");
  }

  @Test
  void json() {
    assertThat(call("json.marshal", j("{\"b\":[1,\"<x>\"],\"a\":null}"))).isEqualTo(s("{\"a\":null,\"b\":[1,\"\\u003cx\\u003e\"]}"));
    assertThat(call("json.marshal", set(n(2), n(1)))).isEqualTo(s("[1,2]"));
    assertThat(callJson("json.marshal_with_options", "{\"b\":[1,{}],\"a\":[]}", "{\"indent\":\"  \"}"))
        .isEqualTo(s("{\n  \"a\": [],\n  \"b\": [\n    1,\n    {}\n  ]\n}"));
    assertThat(callJson("json.marshal_with_options", "[1]", "{\"prefix\":\"> \",\"indent\":\"\\t\"}"))
        .isEqualTo(s("> [\n> \t1\n> ]"));
    assertThat(callJson("json.marshal_with_options", "[1]", "{\"pretty\":false,\"indent\":\" \"}"))
        .isEqualTo(s("[1]"));
    assertThat(errorJson("json.marshal_with_options", "[1]", "{\"x\":1}").detail())
        .isEqualTo("json.marshal_with_options: operand 2 object contained unknown key x");
    assertThat(rego(call("json.unmarshal", s("{\"a\": [1, 2.5]}")))).isEqualTo("{\"a\": [1, 2.5]}");
    assertThat(error("json.unmarshal", s("{")).code()).isEqualTo("eval_builtin_error");
    assertThat(call("json.is_valid", s("[1,2]"))).isEqualTo(Value.TRUE);
    assertThat(call("json.is_valid", s("[1,2"))).isEqualTo(Value.FALSE);
    assertThat(call("json.is_valid", n(1))).isEqualTo(Value.FALSE);
  }

  @Test
  void base64AndHex() {
    assertThat(call("base64.encode", s("subjects?_d"))).isEqualTo(s("c3ViamVjdHM/X2Q="));
    assertThat(call("base64.decode", s("aGVsbG8="))).isEqualTo(s("hello"));
    assertThat(error("base64.decode", s("aGVsbG8")).detail()).startsWith("base64.decode: illegal base64 data at input byte");
    assertThat(call("base64.is_valid", s("aGVsbG8="))).isEqualTo(Value.TRUE);
    assertThat(call("base64.is_valid", s("aGV*bG8="))).isEqualTo(Value.FALSE);
    assertThat(call("base64url.encode", s("subjects?_d"))).isEqualTo(s("c3ViamVjdHM_X2Q="));
    assertThat(call("base64url.encode_no_pad", s("hello"))).isEqualTo(s("aGVsbG8"));
    assertThat(call("base64url.decode", s("aGVsbG8"))).isEqualTo(s("hello"));
    assertThat(call("base64url.decode", s("c3ViamVjdHM_X2Q="))).isEqualTo(s("subjects?_d"));
    assertThat(call("hex.encode", s("lorem"))).isEqualTo(s("6c6f72656d"));
    assertThat(call("hex.decode", s("6c6f72656d"))).isEqualTo(s("lorem"));
    assertThat(error("hex.decode", s("6g")).detail()).isEqualTo("hex.decode: encoding/hex: invalid byte: U+0067 'g'");
    assertThat(error("hex.decode", s("6c6")).detail()).isEqualTo("hex.decode: encoding/hex: odd length hex string");
  }

  @Test
  void urlQuery() {
    assertThat(call("urlquery.encode", s("a b&c=d/é"))).isEqualTo(s("a+b%26c%3Dd%2F%C3%A9"));
    assertThat(call("urlquery.decode", s("a+b%26c%3Dd%2F%C3%A9"))).isEqualTo(s("a b&c=d/é"));
    assertThat(error("urlquery.decode", s("a%zz")).detail()).isEqualTo("urlquery.decode: invalid URL escape \"%zz\"");
    assertThat(callJson("urlquery.encode_object", "{\"b\":\"x y\",\"a\":[\"1\",\"2\"]}")).isEqualTo(s("a=1&a=2&b=x+y"));
    assertThat(call("urlquery.encode_object", Value.ObjV.builder().put("s", set(s("y"), s("x"))).build()))
        .isEqualTo(s("s=x&s=y"));
    assertThat(errorJson("urlquery.encode_object", "{\"a\":1}").detail())
        .isEqualTo("urlquery.encode_object: operand 1 values must be string, array[string], or set[string]");
  }

  @Test
  void yaml() {
    Value doc = call("yaml.marshal", j("[{\"foo\": [1, 2, 3], \"a\": \"x: y\"}]"));
    assertThat(rego(call("yaml.unmarshal", doc))).isEqualTo("[{\"a\": \"x: y\", \"foo\": [1, 2, 3]}]");
    assertThat(call("yaml.marshal", j("{\"b\": 1, \"a\": [true]}"))).isEqualTo(s("a:\n- true\nb: 1\n"));
    assertThat(rego(call("yaml.unmarshal", s("when: 2021-01-01\nn: 1.5\nok: yes")))).isEqualTo(
        "{\"n\": 1.5, \"ok\": true, \"when\": \"2021-01-01\"}");
    assertThat(call("yaml.is_valid", s("foo:\n - qux: bar\n - baz: 2"))).isEqualTo(Value.TRUE);
    assertThat(call("yaml.is_valid", s("foo:\n - qux: bar\n - baz: {"))).isEqualTo(Value.FALSE);
    assertThat(call("yaml.is_valid", n(1))).isEqualTo(Value.FALSE);
    assertThat(call("yaml.is_valid", s("a: 1\n---\n\tb: 2\n"))).isEqualTo(Value.FALSE);
    assertThat(call("yaml.is_valid", s("a: 1\n---\nb: 2\n"))).isEqualTo(Value.TRUE);
    assertThat(rego(call("yaml.unmarshal", s("a: 1\n---\nb: 2\n")))).isEqualTo("{\"a\": 1}");
    assertThat(error("yaml.unmarshal", s("a: [")).code()).isEqualTo("eval_builtin_error");
    // alias bombs are refused by the loader's alias cap
    StringBuilder bomb = new StringBuilder("a: &a [x,x,x,x,x,x,x,x,x]\n");
    for (char c = 'b'; c <= 'k'; c++) {
      char p = (char) (c - 1);
      bomb.append(c).append(": &").append(c).append(" [*").append(p).append(",*").append(p)
          .append(",*").append(p).append(",*").append(p).append(",*").append(p).append(",*")
          .append(p).append(",*").append(p).append(",*").append(p).append("]\n");
    }
    assertThat(call("yaml.is_valid", s(bomb.toString()))).isEqualTo(Value.FALSE);
    assertThat(call("opa.runtime")).isEqualTo(j("{}"));
  }
}
