package dev.aegis.verticles.sso;

import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import dev.aegis.storage.pg.PgSsoStore;
import dev.aegis.verticles.http.ApiError;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.text.ParseException;
import java.util.Base64;
import java.util.concurrent.TimeoutException;

/**
 * The relying party's calls to a provider, all non-blocking on the Vert.x HTTP client: discovery
 * ({@code {issuer}/.well-known/openid-configuration}, cached 1 h), the JWKS (cached 1 h, refetched
 * once when a token names an unknown key), and the authorization-code exchange (with the PKCE
 * verifier and {@code client_secret_basic}, {@code client_secret_post} or no client
 * authentication). Redirects are not followed; every call has a 5 s connect and 10 s overall
 * deadline and a 512 KiB answer limit.
 */
final class OidcClient {

  static final long CONNECT_TIMEOUT_MILLIS = 5_000;
  static final long DEADLINE_MILLIS = 10_000;
  static final int MAX_BODY_BYTES = 512 * 1024;

  /** A provider's answer. */
  record Response(int status, Buffer body) {
    JsonObject json() {
      try {
        return body.length() == 0 ? null : new JsonObject(body);
      } catch (DecodeException | ClassCastException e) {
        return null;
      }
    }
  }

  private final Vertx vertx;
  private final HttpClient http;
  private final OidcCache cache;

  OidcClient(Vertx vertx) {
    this.vertx = vertx;
    this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout((int) CONNECT_TIMEOUT_MILLIS)
        .setIdleTimeout(30).setMaxRedirects(0).setVerifyHost(true).setTrustAll(false));
    this.cache = OidcCache.of(vertx);
  }

  // ------------------------------------------------------------------ discovery

  /** The issuer's discovery document, from the cache when fetched within the hour. */
  Future<Discovery> discover(String issuer) {
    Discovery d = cache.discovery(issuer, System.currentTimeMillis());
    return d != null ? Future.succeededFuture(d) : fetchDiscovery(issuer);
  }

  /** Fetches (and caches) the discovery document, bypassing the cache. */
  Future<Discovery> fetchDiscovery(String issuer) {
    String url = SsoUrls.wellKnown(issuer);
    return send(HttpMethod.GET, url, MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json"), null)
        .recover(e -> Future.failedFuture(Discovery.failed("cannot fetch " + url + ": " + describe(e))))
        .map(r -> {
          JsonObject doc = r.json();
          if (r.status() != 200 || doc == null) {
            throw Discovery.failed(url + " answered HTTP " + r.status() + (doc == null ? " without a JSON object" : ""));
          }
          Discovery parsed = Discovery.parse(doc, issuer);
          cache.putDiscovery(issuer, parsed, System.currentTimeMillis());
          return parsed;
        });
  }

  // ------------------------------------------------------------------ keys

  /** The provider's key set, from the cache unless {@code refetch} (rate limited). */
  Future<JWKSet> jwks(String uri, boolean refetch) {
    long now = System.currentTimeMillis();
    OidcCache.Timed<JWKSet> t = cache.jwks(uri);
    if (t != null && (refetch ? now - t.fetchedAtMillis() < OidcCache.JWKS_MIN_REFETCH_MILLIS
        : now - t.fetchedAtMillis() < OidcCache.JWKS_TTL_MILLIS)) {
      return Future.succeededFuture(t.value());
    }
    return send(HttpMethod.GET, uri, MultiMap.caseInsensitiveMultiMap().add("Accept", "application/json"), null)
        .recover(e -> Future.failedFuture(new ApiError(502, "sso_discovery_failed",
            "Cannot fetch the provider's keys: " + describe(e))))
        .map(r -> {
          if (r.status() != 200) {
            throw new ApiError(502, "sso_discovery_failed", "The provider's jwks_uri answered HTTP " + r.status());
          }
          JWKSet set;
          try {
            set = JWKSet.parse(r.body().toString(StandardCharsets.UTF_8));
          } catch (ParseException | RuntimeException e) {
            throw new ApiError(502, "sso_discovery_failed", "The provider's key set cannot be parsed");
          }
          cache.putJwks(uri, set, System.currentTimeMillis());
          return set;
        });
  }

  /**
   * Validates an ID token against the provider's keys, refetching the key set once when the
   * token names a key we do not know (provider key rotation).
   *
   * @throws ApiError 401 {@code invalid_id_token} (as a failed future)
   */
  Future<JWTClaimsSet> validate(String idToken, Discovery d, String clientId, String nonce) {
    return jwks(d.jwksUri(), false).compose(keys -> {
      try {
        return Future.succeededFuture(IdTokenValidator.validate(idToken, keys, d.issuer(), clientId, nonce,
            System.currentTimeMillis() / 1000));
      } catch (IdTokenValidator.Invalid first) {
        if (!first.unknownKey) {
          return Future.failedFuture(invalid(first));
        }
        return jwks(d.jwksUri(), true).compose(fresh -> {
          try {
            return Future.succeededFuture(IdTokenValidator.validate(idToken, fresh, d.issuer(), clientId, nonce,
                System.currentTimeMillis() / 1000));
          } catch (IdTokenValidator.Invalid again) {
            return Future.failedFuture(invalid(again));
          }
        });
      }
    });
  }

  private static ApiError invalid(IdTokenValidator.Invalid e) {
    return new ApiError(401, "invalid_id_token", e.getMessage());
  }

  // ------------------------------------------------------------------ code exchange

  /**
   * Exchanges an authorization code at the token endpoint.
   *
   * @return the token response (with {@code id_token})
   * @throws ApiError 502 {@code sso_exchange_failed} (as a failed future)
   */
  Future<JsonObject> exchange(Discovery d, PgSsoStore.Provider p, String code, String codeVerifier,
      String redirectUri) {
    StringBuilder form = new StringBuilder("grant_type=authorization_code")
        .append("&code=").append(enc(code))
        .append("&redirect_uri=").append(enc(redirectUri))
        .append("&code_verifier=").append(enc(codeVerifier));
    MultiMap headers = MultiMap.caseInsensitiveMultiMap()
        .add("Content-Type", "application/x-www-form-urlencoded").add("Accept", "application/json");
    switch (p.tokenAuthMethod()) {
      case "client_secret_post" -> form.append("&client_id=").append(enc(p.clientId()))
          .append("&client_secret=").append(enc(p.clientSecret()));
      case "none" -> form.append("&client_id=").append(enc(p.clientId()));
      default -> headers.add("Authorization", "Basic " + Base64.getEncoder().encodeToString(
          (enc(p.clientId()) + ":" + enc(p.clientSecret())).getBytes(StandardCharsets.UTF_8)));
    }
    return send(HttpMethod.POST, d.tokenEndpoint(), headers, Buffer.buffer(form.toString()))
        .recover(e -> Future.failedFuture(new ApiError(502, "sso_exchange_failed",
            "The provider's token endpoint cannot be reached: " + describe(e))))
        .map(r -> {
          JsonObject body = r.json();
          if (r.status() != 200) {
            String err = body != null && body.getValue("error") instanceof String s ? s : null;
            throw new ApiError(502, "sso_exchange_failed", "The provider refused the code exchange (HTTP "
                + r.status() + (err == null ? "" : ", " + Discovery.clip(err.replaceAll("[^A-Za-z0-9_.-]", "")))
                + ")");
          }
          if (body == null || !(body.getValue("id_token") instanceof String)) {
            throw new ApiError(502, "sso_exchange_failed", "The provider's token response has no id_token");
          }
          return body;
        });
  }

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  // ------------------------------------------------------------------ HTTP

  /** One request with a deadline and an answer size limit; redirects are not followed. */
  Future<Response> send(HttpMethod method, String url, MultiMap headers, Buffer body) {
    if (!SsoUrls.secure(url)) {
      return Future.failedFuture(new IllegalArgumentException("refusing insecure URL"));
    }
    Promise<Response> p = Promise.promise();
    RequestOptions o = new RequestOptions().setMethod(method).setAbsoluteURI(url).setFollowRedirects(false)
        .setConnectTimeout(CONNECT_TIMEOUT_MILLIS).setIdleTimeout(DEADLINE_MILLIS).setHeaders(headers);
    long timer = vertx.setTimer(DEADLINE_MILLIS, t -> p.tryFail(new TimeoutException("no answer within "
        + DEADLINE_MILLIS + " ms")));
    http.request(o).onComplete(ar -> {
      if (ar.failed()) {
        p.tryFail(ar.cause());
        return;
      }
      var req = ar.result();
      p.future().onFailure(e -> req.reset());
      Future<HttpClientResponse> sent = body == null ? req.send() : req.send(body);
      sent.onComplete(rr -> {
        if (rr.failed()) {
          p.tryFail(rr.cause());
          return;
        }
        HttpClientResponse resp = rr.result();
        String len = resp.getHeader("content-length");
        if (len != null && len.length() > 9) {
          p.tryFail(new IllegalStateException("the answer is too large"));
          return;
        }
        Buffer acc = Buffer.buffer();
        resp.handler(chunk -> {
          if (acc.length() + chunk.length() > MAX_BODY_BYTES) {
            p.tryFail(new IllegalStateException("the answer is larger than " + MAX_BODY_BYTES + " bytes"));
          } else {
            acc.appendBuffer(chunk);
          }
        });
        resp.exceptionHandler(p::tryFail);
        resp.endHandler(v -> p.tryComplete(new Response(resp.statusCode(), acc)));
      });
    });
    return p.future().onComplete(ar -> vertx.cancelTimer(timer));
  }

  static String describe(Throwable e) {
    if (e instanceof ApiError a) {
      return a.getMessage();
    }
    String m = e.getMessage();
    String name = e.getClass().getSimpleName();
    return m == null ? name : Discovery.clip(name + ": " + m);
  }
}
