package dev.aegis.pipeline.detect;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Hard-deny family: destructive SQL (SPEC stage 4). {@code DROP TABLE/DATABASE/SCHEMA} and
 * {@code TRUNCATE} give {@code destructive_sql_ddl}; {@code DELETE FROM x} or
 * {@code UPDATE x SET …} without {@code WHERE}, or with a tautological predicate
 * ({@code WHERE 1=1}, {@code WHERE true}, {@code OR 1=1}), give
 * {@code destructive_sql_dml_no_predicate}. A statement ends at the next {@code ;} (or 400
 * chars). Prose such as "drop me a note", "truncate the text" or "delete from your list" does not
 * fire: bare {@code TRUNCATE x} needs a statement end or a SQL-ish tool name, and determiners
 * are not taken for table names.
 */
final class SqlRules {
  private static final String CRIT = "critical";
  private static final String NOT_PROSE = "(?!(?:the|a|an|your|my|our|their|his|her|its|this|that"
      + "|these|those|it|them|all|any|every|each|here|there|me|us|to|some)\\b)";
  private static final String TABLE = "([a-z_\"`\\[][\\w.\"`\\]]*)";
  private static final Pattern TRUNCATE_STMT = Pattern.compile("\\btruncate\\s+(?:table\\b"
      + "|(?:only\\s+)?[a-z_\"`][\\w.\"`]*\\s*(?:;|$|cascade\\b|restart\\s+identity\\b"
      + "|continue\\s+identity\\b))");
  private static final Pattern TRUNCATE_BARE =
      Pattern.compile("\\btruncate\\s+(?:only\\s+)?" + NOT_PROSE + "[a-z_\"`][\\w.\"`]*");
  private static final Pattern DELETE =
      Pattern.compile("\\bdelete\\s+from\\s+" + NOT_PROSE + TABLE);
  private static final Pattern UPDATE =
      Pattern.compile("\\bupdate\\s+(?:only\\s+)?" + NOT_PROSE + TABLE + "\\s+set\\s+\\S");
  private static final Pattern WHERE = Pattern.compile("\\bwhere\\b");
  private static final Pattern TAUTOLOGY = Pattern.compile("\\bwhere\\s+(?:\\(\\s*)?(?:1\\s*=\\s*1"
      + "|0\\s*=\\s*0|true|'(\\w*)'\\s*=\\s*'\\1'|1)(?!\\s*(?:and\\b|[=<>!0-9]|in\\b|is\\b"
      + "|between\\b|like\\b))|\\bor\\s+(?:1\\s*=\\s*1|true|'(\\w*)'\\s*=\\s*'\\2')\\b");
  private static final String[] SQL_TOOLS = {"sql", "db", "database", "query", "postgres",
      "mysql", "sqlite", "snowflake", "bigquery", "redshift", "warehouse"};

  private final int[] drop;
  private final int[] truncate;
  private final int[] delete;
  private final int[] update;

  SqlRules(KeywordAutomaton.Builder kb) {
    drop = kb.word("drop table", "drop database", "drop schema");
    truncate = kb.word("truncate");
    delete = kb.word("delete from");
    update = kb.word("update");
  }

  void evaluate(PolicyContext c) {
    if (c.has(drop)) {
      ddl(c, "drop", "DROP TABLE/DATABASE/SCHEMA");
    }
    if (c.has(truncate) && (TRUNCATE_STMT.matcher(c.text).find()
        || sqlTool(c.tool) && TRUNCATE_BARE.matcher(c.text).find())) {
      ddl(c, "truncate", "TRUNCATE");
    }
    if (c.has(delete)) {
      dml(c, DELETE.matcher(c.text), "delete_no_where", "DELETE without WHERE");
    }
    if (c.has(update)) {
      dml(c, UPDATE.matcher(c.text), "update_no_where", "UPDATE without WHERE");
    }
  }

  private static void ddl(PolicyContext c, String id, String what) {
    c.hit(PolicyContext.HARD + "sql." + id, Signals.DESTRUCTIVE_SQL_DDL, CRIT, PolicyContext.DENY,
        "Destructive SQL DDL: " + what);
  }

  /** Fires once per rule for the first statement without a narrowing predicate. */
  private static void dml(PolicyContext c, Matcher m, String id, String what) {
    while (m.find()) {
      CharSequence tail = c.text.subSequence(m.end(), c.commandEnd(m.end()));
      if (!WHERE.matcher(tail).find()) {
        c.hit(PolicyContext.HARD + "sql." + id, Signals.DESTRUCTIVE_SQL_DML_NO_PREDICATE, CRIT,
            PolicyContext.DENY, "Destructive SQL: " + what);
        return;
      }
      if (TAUTOLOGY.matcher(tail).find()) {
        if (!c.fired(PolicyContext.HARD + "sql.tautology_predicate")) {
          c.hit(PolicyContext.HARD + "sql.tautology_predicate",
              Signals.DESTRUCTIVE_SQL_DML_NO_PREDICATE, CRIT, PolicyContext.DENY,
              "Destructive SQL: DELETE/UPDATE with an always-true predicate");
        }
        return;
      }
    }
  }

  static boolean sqlTool(String tool) {
    for (String s : SQL_TOOLS) {
      if (tool.contains(s)) {
        return true;
      }
    }
    return false;
  }
}
