package dev.aegis.pipeline.rego.builtins;

import dev.aegis.pipeline.rego.Builtins;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ArrV;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Value.SetV;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.TreeSet;

/** {@code graph.reachable(graph, initial)}: the nodes of the graph reachable from the initial ones. */
final class Graph {
  private Graph() {
  }

  static void register(Builtins.Registrar r) {
    r.add("graph.reachable", 2, (ctx, a) -> {
      ObjV graph = Args.obj("graph.reachable", a, 0);
      Value initial = a[1];
      if (!(initial instanceof ArrV) && !(initial instanceof SetV)) {
        throw Args.oneOf("graph.reachable", 2, initial, "set", "array");
      }
      Deque<Value> queue = new ArrayDeque<>();
      @SuppressWarnings("unchecked")
      Iterable<Value> start = (Iterable<Value>) initial;
      start.forEach(queue::add);
      TreeSet<Value> reached = new TreeSet<>();
      while (!queue.isEmpty()) {
        Value node = queue.poll();
        Value edges = graph.get(node);
        if (edges == null || reached.contains(node)) {
          continue;
        }
        reached.add(node);
        if (edges instanceof ArrV || edges instanceof SetV) {
          @SuppressWarnings("unchecked")
          Iterable<Value> next = (Iterable<Value>) edges;
          for (Value n : next) {
            if (!reached.contains(n)) {
              queue.add(n);
            }
          }
        }
      }
      return reached.isEmpty() ? Value.EMPTY_SET : new SetV(reached);
    });
  }
}
