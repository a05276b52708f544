package dev.aegis.pipeline.policy;

import dev.aegis.pipeline.detect.TextNormalizer;
import dev.aegis.pipeline.ports.PolicyInput;
import dev.aegis.pipeline.rego.Value;
import dev.aegis.pipeline.rego.Value.ObjV;
import dev.aegis.pipeline.rego.Values;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * The input document the gateway hands to Rego (local engine and remote OPA alike). Fields:
 *
 * <pre>
 * tenant_id   string   tenant of the verified caller
 * agent_id    string   agent id
 * agent       object   {id, name, risk_level}  risk_level: low | medium | high | critical
 * tool        string   tool name
 * payload     object   the action's arguments, as sent
 * request_id  string   request id
 * time        string   RFC 3339 UTC time the policy is evaluated at
 * findings    array    stage-3 canonical findings and diagnostic flags (strings)
 * text        string   the whole action text (payload plus query fields), normalised by stage 3's
 *                      TextNormalizer (lower case, de-obfuscated); what pattern rules match
 * </pre>
 */
public final class PolicyInputDocument {
  private PolicyInputDocument() {
  }

  /** The input document as a Rego value, evaluated at {@code now}. */
  public static ObjV build(PolicyInput in, Instant now) {
    ObjV.Builder agent = ObjV.builder()
        .put("id", str(in.agentId()))
        .put("name", str(in.agentName()))
        .put("risk_level", str(in.agentRiskLevel()));
    List<Value> findings = new ArrayList<>();
    if (in.inferenceFlags() != null) {
      for (String f : in.inferenceFlags()) {
        findings.add(Value.str(f));
      }
    }
    String raw = in.scanText() != null ? in.scanText()
        : dev.aegis.pipeline.detect.ActionText.of(null, in.payload());
    return ObjV.builder()
        .put("tenant_id", str(in.tenantId()))
        .put("agent_id", str(in.agentId()))
        .put("agent", agent.build())
        .put("tool", str(in.tool()))
        .put("payload", in.payload() == null ? Value.EMPTY_OBJECT : Values.fromJava(in.payload()))
        .put("request_id", str(in.requestId()))
        .put("time", Value.str(DateTimeFormatter.ISO_INSTANT.format(now)))
        .put("findings", new Value.ArrV(findings))
        .put("text", Value.str(TextNormalizer.normalise(raw)))
        .build();
  }

  private static Value str(String s) {
    return s == null ? Value.NULL : Value.str(s);
  }
}
