package dev.aegis.storage.pg;

import java.time.OffsetDateTime;

/**
 * Filters of {@code GET /audit/logs}; null fields do not filter.
 *
 * @param limit 1..1000
 * @param offset >= 0
 */
public record AuditFilter(String agentId, String action, String decision, String tool,
    OffsetDateTime startDate, OffsetDateTime endDate, String requestId, int limit, int offset) {}
