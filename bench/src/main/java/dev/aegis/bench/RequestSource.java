package dev.aegis.bench;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.RequestOptions;

/** Supplies the request for each index of the schedule. Templates are shared and never mutated. */
public interface RequestSource {

  /** One prepared request: options (method, URI, headers) and body (null for none). */
  record Template(RequestOptions options, Buffer body) {}

  Template get(long globalIndex);

  /** The HTTP status this scenario expects; any other status counts as unexpected. */
  int expectedStatus();
}
