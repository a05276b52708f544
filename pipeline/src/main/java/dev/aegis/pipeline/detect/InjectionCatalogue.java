package dev.aegis.pipeline.detect;

import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;

/**
 * The prompt-injection signature catalogue of stage 3. Each signature has anchor keywords
 * (registered in the scanner's shared {@link KeywordAutomaton}) and an optional confirming regex
 * that runs only when one of its anchors occurs. Patterns are written for normalised text: lower
 * case, whitespace collapsed to one space or one line break.
 *
 * <p>Immutable and thread safe.
 */
final class InjectionCatalogue {

  private static final String W = "(?:[\\w'-]+\\s+)";
  private static final String NL = "(?:^|\\n|\\\\n|\\\\r)";

  private final List<AnchoredPattern> signatures = new ArrayList<>();

  InjectionCatalogue(KeywordAutomaton.Builder kb) {
    add("ignore_previous", "ignore previous instructions", kb.word("ignore"),
        "\\bignore\\s+(?:all\\s+|any\\s+|the\\s+|your\\s+|my\\s+|of\\s+)*"
            + "(?:previous|prior|above|earlier|preceding|former|initial|original|past|preceeding)"
            + "\\s+(?:\\w+\\s+)?(?:instructions?|prompts?|directions?|rules|commands?|context"
            + "|guidelines|messages?|text)");
    add("ignore_instructions", "ignore your instructions", kb.word("ignore"),
        "\\bignore\\s+(?:all|any|every|your|these|those|the|my)\\s+(?:of\\s+)?(?:your\\s+|the\\s+)?"
            + "(?:\\w+\\s+)?(?:instructions|rules|guidelines|guardrails|restrictions|programming"
            + "|safety\\s+(?:rules|guidelines|policies))");
    add("disregard_instructions", "disregard instructions", kb.word("disregard"),
        "\\bdisregard\\s+" + W + "{0,3}(?:instructions?|prompts?|rules|guidelines|directions"
            + "|context|programming|guardrails|restrictions)");
    add("forget_instructions", "forget instructions", kb.word("forget"),
        "\\bforget\\s+" + W + "{0,3}(?:instructions?|rules|guidelines|prompts?|programming"
            + "|training|everything\\s+(?:above|before|you\\s+(?:were|have\\s+been)\\s+told))");
    add("override_instructions", "override instructions", kb.word("override", "overwrite"),
        "\\b(?:override|overwrite)\\s+" + W + "{0,3}(?:instructions?|safety|rules|guardrails"
            + "|system\\s+prompt|restrictions|guidelines|programming)");
    add("system_role_prefix", "system: role prefix at line start",
        kb.sub("system:", "system :", "system]", "system>"),
        NL + "[ \\t]*(?:#{1,6}\\s*|\\[|<)?system\\s*[:\\]>]");
    add("turn_injection", "assistant:/human: turn at line start",
        kb.sub("assistant:", "assistant :", "human:", "human :"),
        NL + "[ \\t]*(?:#{1,6}\\s*)?(?:assistant|human)\\s*:\\s*\\S");
    add("you_are_now", "you are now ...", kb.sub("you are now"),
        "\\byou\\s+are\\s+now\\s+(?:dan\\b|in\\s+\\S+\\s+mode|unrestricted|unfiltered|uncensored"
            + "|jailbroken|evil|free\\s+(?:from|of)|no\\s+longer\\s+(?:bound|restricted|limited"
            + "|an?\\s+(?:ai|assistant))|(?:a|an|my)\\s+" + W + "{0,3}(?:ai|assistant|model|bot"
            + "|chatbot|persona|character|hacker)\\b)");
    add("developer_mode", "developer mode", kb.sub("developer mode", "dev mode enabled"), null);
    add("jailbreak", "jailbreak", kb.sub("jailbreak", "jailbroken"), null);
    add("dan", "DAN persona", kb.word("dan", "do anything now"),
        "\\bdo\\s+anything\\s+now\\b|\\bdan\\s+(?:mode|prompt|jailbreak)|\\b(?:as|are|be)"
            + "\\s+(?:now\\s+)?dan\\b(?!')|\\bdan\\b,?\\s+(?:which|who)\\s+stands\\s+for");
    add("act_as", "act as an unrestricted persona", kb.sub("act as", "acting as"),
        "\\bact(?:ing)?\\s+as\\s+(?:if\\s+you\\s+(?:are|were)\\s+"
            + "|though\\s+you\\s+(?:are|were)\\s+)?(?:an?\\s+|my\\s+|the\\s+)?" + W + "{0,2}?"
            + "(?:dan|jailbroken|unrestricted|unfiltered|uncensored|evil|malicious|rogue|root"
            + "|superuser|sudo|hacker|linux\\s+terminal"
            + "|system\\s+administrator|different\\s+ai|ai\\s+(?:without|with\\s+no))\\b"
            + "|\\bact\\s+as\\s+if\\s+(?:you\\s+(?:have|had)|there\\s+(?:are|were))\\s+no\\s+"
            + W + "{0,2}(?:rules|restrictions|limits|guidelines|filters)");
    add("pretend", "pretend to be unrestricted", kb.word("pretend"),
        "\\bpretend\\s+(?:to\\s+be|you\\s+are|that\\s+you\\s+are|you're)\\s+" + W + "{0,4}?"
            + "(?:unrestricted|unfiltered|uncensored|evil|jailbroken|dan\\b|an?\\s+ai\\s+(?:with"
            + "\\s+no|without)|(?:with\\s+no|without)\\s+(?:rules|restrictions|limits|filters))");
    add("reveal_system_prompt", "reveal the system prompt",
        kb.sub("system prompt", "initial prompt", "hidden prompt", "original prompt",
            "system message", "system instructions", "initial instructions",
            "hidden instructions", "secret instructions"),
        "\\b(?:reveal|show|print|display|output|repeat|leak|dump|expose|tell\\s+me|give\\s+me"
            + "|what\\s+(?:is|are|was|were))\\s+(?:me\\s+)?" + W + "{0,3}?(?:system\\s+prompt"
            + "|initial\\s+prompt|hidden\\s+prompt|original\\s+prompt|system\\s+message"
            + "|(?:system|initial|hidden|secret)\\s+instructions)");
    add("system_tag", "system tag", kb.sub("</system>", "<system>", "<|system|>", "<<sys>>",
        "<</sys>>"), null);
    add("inst_tag", "[INST] tag", kb.sub("[inst]", "[/inst]"), null);
    add("chat_template_token", "chat template token", kb.sub("<|im_start|>", "<|im_end|>",
        "<|endoftext|>", "<|eot_id|>", "<|start_header_id|>", "<|end_header_id|>"), null);
    add("json_role_injection", "JSON role injection opener", kb.sub("\"role"),
        "\\\\?\"\\s*\\}\\s*\\]?\\s*,?\\s*\\[?\\s*\\{\\s*\\\\?\"role\\\\?\"\\s*:\\s*\\\\?\""
            + "(?:system|developer|assistant|tool)");
    add("new_instructions", "new instructions:", kb.sub("instructions:", "instruction:",
        "instructions are", "instructions :"),
        "\\b(?:new|updated|revised|real|actual|true|override|secret)\\s+(?:system\\s+)?"
            + "instructions?\\s*(?::|are\\b)");
    add("no_restrictions", "claims of no restrictions",
        kb.sub("no restrictions", "no rules", "no limits", "no limitations", "no filters",
            "no guidelines", "no boundaries", "unfiltered", "uncensored"),
        "\\byou\\s+(?:have|now\\s+have|are\\s+under|operate\\s+with|must\\s+operate\\s+with)\\s+"
            + "no\\s+(?:\\w+\\s+)?(?:restrictions|rules|limits|limitations|filters|guidelines"
            + "|boundaries)|\\b(?:unfiltered|uncensored)\\s+(?:ai|mode|responses?|assistant"
            + "|model|version)");
    add("bypass_safety", "bypass safety measures",
        kb.word("bypass", "circumvent", "disable", "evade", "deactivate", "turn off"),
        "\\b(?:bypass|circumvent|disable|evade|deactivate|turn\\s+off)\\s+" + W + "{0,2}?"
            + "(?:(?:safety|content|moderation|ethical|ethics|security)\\s+(?:filters?"
            + "|guardrails?|guidelines|restrictions|protocols?|policies|checks|measures)"
            + "|guardrails|safety\\s+filters?|content\\s+filters?)");
    add("repeat_above", "repeat the text above",
        kb.sub("words above", "text above", "everything above", "content above",
            "prompt above", "instructions above"),
        "\\b(?:repeat|print|output|echo|show|copy)\\s+(?:all\\s+)?(?:of\\s+)?(?:the\\s+)?"
            + "(?:words|text|everything|content|prompt|instructions)\\s+above");
    add("end_of_prompt", "fake end of prompt marker",
        kb.sub("end of system prompt", "end of prompt", "end of instructions",
            "begin new prompt", "new system prompt"), null);
    add("mode_switch", "unrestricted mode switch",
        kb.sub("god mode", "godmode", "evil mode", "unrestricted mode", "opposite mode",
            "jailbreak mode"), null);
    add("from_now_on", "from now on you ...", kb.sub("from now on"),
        "\\bfrom\\s+now\\s+on,?\\s+(?:you\\s+(?:are|will\\s+(?:act|respond|answer|ignore|only"
            + "|always|never|pretend|be\\s+(?:a|an|my|dan))|must\\s+(?:ignore|act|respond"
            + "|answer|pretend))|act\\s+as|respond\\s+as|ignore)");
    add("stop_following", "stop following instructions",
        kb.sub("stop following", "quit following", "cease following", "do not follow",
            "don't follow", "dont follow"),
        "\\b(?:stop|quit|cease|do\\s+not|don'?t)\\s+follow(?:ing)?\\s+" + W + "{0,3}?"
            + "(?:instructions?|rules|guidelines|system\\s+prompt|programming)");
  }

  private void add(String id, String detail, int[] anchors, String regex) {
    signatures.add(AnchoredPattern.of(id, detail, anchors, regex));
  }

  List<AnchoredPattern> signatures() {
    return signatures;
  }

  /**
   * Runs the confirming regex of every signature whose anchors were found.
   *
   * @return the first confirmed signature per id, in catalogue order (empty when none)
   */
  List<AnchoredPattern> confirm(String normalised, BitSet anchors) {
    List<AnchoredPattern> hits = null;
    for (AnchoredPattern sig : signatures) {
      if (sig.matches(normalised, anchors)) {
        if (hits == null) {
          hits = new ArrayList<>(2);
        }
        hits.add(sig);
      }
    }
    return hits == null ? List.of() : hits;
  }
}
